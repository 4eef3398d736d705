// Sample-output files for grading (`rft-studio grade --samples` and the Grader Lab): one sample per line, either
// `{"output_text": …}`, `{"output_json": …}`, `{"output_tools": […]}`, `{"choices": […]}` or a bare JSON string,
// optionally with an `id` naming the dataset item it answers. Pairing: by `id` when the samples carry ids that
// match item ids (several samples per item allowed), otherwise sample line i answers data line i.
import type { SampleInput } from '../graders/sample';

export interface SampleEntry {
  /** 0-based line in the samples file. */
  line: number;
  id?: string;
  input: SampleInput;
}

export interface SampleProblem {
  line: number;
  message: string;
}

const SAMPLE_KEYS = ['output_text', 'output_json', 'output_tools', 'choices'] as const;

/** Parses one line of a samples file; returns a problem for lines that are not a sample. */
export function parseSampleLine(text: string, line: number): SampleEntry | SampleProblem | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    return { line, message: `not JSON: ${(e as Error).message}` };
  }
  if (typeof value === 'string') return { line, input: value };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      line,
      message:
        'a sample is a JSON string or an object with output_text, output_json, output_tools or choices',
    };
  }
  const obj = value as Record<string, unknown>;
  if (!SAMPLE_KEYS.some((k) => k in obj)) {
    return { line, message: `no sample field: expected one of ${SAMPLE_KEYS.join(', ')}` };
  }
  if ('output_text' in obj && typeof obj.output_text !== 'string')
    return { line, message: 'output_text must be a string' };
  if ('output_tools' in obj && !Array.isArray(obj.output_tools))
    return { line, message: 'output_tools must be an array' };
  if ('choices' in obj && !Array.isArray(obj.choices)) return { line, message: 'choices must be an array' };
  const id = typeof obj.id === 'string' || typeof obj.id === 'number' ? String(obj.id) : undefined;
  const input: SampleInput = {};
  for (const k of SAMPLE_KEYS) if (k in obj) (input as Record<string, unknown>)[k] = obj[k];
  return { line, id, input };
}

export function isSampleProblem(x: SampleEntry | SampleProblem): x is SampleProblem {
  return 'message' in x;
}

export interface Pairing {
  mode: 'id' | 'line';
  /** For each sample, the index of the item it answers. */
  pairs: Array<{ sample: SampleEntry; itemIndex: number }>;
  /** Samples that answer no item (unknown id, or more sample lines than data lines). */
  unmatched: Array<{ sample: SampleEntry; reason: string }>;
}

/** The key an item is known by: its `id` field when present, else its 1-based line. */
export function itemKeyOf(item: Record<string, unknown>, line: number): string {
  return typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : `line ${line + 1}`;
}

export function pairSamples(
  items: ReadonlyArray<{ item: Record<string, unknown> }>,
  samples: readonly SampleEntry[],
): Pairing {
  const byId = new Map<string, number>();
  items.forEach((x, i) => {
    const id = x.item.id;
    if ((typeof id === 'string' || typeof id === 'number') && !byId.has(String(id))) byId.set(String(id), i);
  });
  const useIds =
    samples.length > 0 && samples.every((s) => s.id !== undefined) && samples.some((s) => byId.has(s.id!));
  const pairs: Pairing['pairs'] = [];
  const unmatched: Pairing['unmatched'] = [];
  samples.forEach((sample, i) => {
    if (useIds) {
      const idx = byId.get(sample.id!);
      if (idx === undefined)
        unmatched.push({ sample, reason: `no data line has id ${JSON.stringify(sample.id)}` });
      else pairs.push({ sample, itemIndex: idx });
    } else if (i < items.length) {
      pairs.push({ sample, itemIndex: i });
    } else {
      unmatched.push({ sample, reason: `sample ${i + 1} has no data line ${i + 1} to answer` });
    }
  });
  return { mode: useIds ? 'id' : 'line', pairs, unmatched };
}
