// Reads the inputs of a grading run from disk: dataset items, and samples paired with them (by line,
// by `id`, or from a field of each data line). Every file goes through the streaming JSONL reader.
import { readJsonlLines } from '../datasets/jsonlReader';
import { itemOfLine } from './datasetFields';
import { buildSample, type Sample, type SampleInput } from './sample';
import { isMissing, lookupPath, parsePath } from './template';

export interface DataLine {
  /** 1-based line number in the data file. */
  line: number;
  item: Record<string, unknown>;
}

export interface InputProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface GradeRow {
  /** 1-based data line. */
  line: number;
  id: unknown;
  item: Record<string, unknown>;
  sample: Sample;
  /** 1-based line of the samples file, when samples came from one. */
  sampleLine?: number;
  /** A problem that prevents grading the row (e.g. the sample field is missing). */
  problem?: string;
}

/** Reads JSON-object lines; blank lines are skipped, malformed ones reported. */
export async function readObjects(
  path: string,
  signal?: AbortSignal,
): Promise<{ lines: Array<{ line: number; value: unknown }>; problems: InputProblem[] }> {
  const lines: Array<{ line: number; value: unknown }> = [];
  const problems: InputProblem[] = [];
  for await (const l of readJsonlLines(path, { signal })) {
    if (!l.text.trim()) continue;
    try {
      lines.push({ line: l.line + 1, value: JSON.parse(l.text) as unknown });
    } catch (e) {
      problems.push({ file: path, line: l.line + 1, message: `not valid JSON: ${(e as Error).message}` });
    }
  }
  return { lines, problems };
}

export async function readDataItems(
  path: string,
  signal?: AbortSignal,
): Promise<{ items: DataLine[]; problems: InputProblem[] }> {
  const { lines, problems } = await readObjects(path, signal);
  const items: DataLine[] = [];
  for (const { line, value } of lines) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ file: path, line, message: 'a data line must be a JSON object' });
      continue;
    }
    items.push({ line, item: itemOfLine(value as Record<string, unknown>) });
  }
  return { items, problems };
}

const SAMPLE_KEYS = ['output_text', 'output_json', 'output_tools', 'choices'];

/** A samples-file line or a field value → a sample input (string = output_text). */
export function toSampleInput(value: unknown): { input?: SampleInput; id?: unknown; error?: string } {
  if (typeof value === 'string') return { input: value };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (SAMPLE_KEYS.some((k) => k in o)) {
      if ('output_text' in o && typeof o.output_text !== 'string')
        return { error: 'output_text must be a string' };
      if ('output_tools' in o && !Array.isArray(o.output_tools))
        return { error: 'output_tools must be an array' };
      if ('choices' in o && !Array.isArray(o.choices)) return { error: 'choices must be an array' };
      return { input: o as SampleInput, id: o.id };
    }
    return { error: `a sample is a JSON string or an object with one of ${SAMPLE_KEYS.join(', ')}` };
  }
  return { error: `a sample is a JSON string or an object with one of ${SAMPLE_KEYS.join(', ')}` };
}

export interface PairOptions {
  responseFormat?: unknown;
  signal?: AbortSignal;
}

/** Pairs samples with data lines: by `id` when samples carry ids that match items, else line i ↔ line i. */
export async function pairSamplesFile(
  data: DataLine[],
  samplesPath: string,
  opts: PairOptions = {},
): Promise<{ rows: GradeRow[]; problems: InputProblem[]; notes: string[] }> {
  const { lines, problems } = await readObjects(samplesPath, opts.signal);
  const notes: string[] = [];
  const samples: Array<{ line: number; input: SampleInput; id?: unknown }> = [];
  for (const { line, value } of lines) {
    const s = toSampleInput(value);
    if (s.error) problems.push({ file: samplesPath, line, message: s.error });
    else samples.push({ line, input: s.input!, id: s.id });
  }
  const rows: GradeRow[] = [];
  const itemIds = new Map<string, DataLine>();
  for (const d of data) if (d.item.id !== undefined) itemIds.set(JSON.stringify(d.item.id), d);
  const withId = samples.filter((s) => s.id !== undefined);
  const byId = withId.length > 0 && withId.some((s) => itemIds.has(JSON.stringify(s.id)));
  if (byId) {
    const grouped = new Map<DataLine, typeof samples>();
    for (const s of samples) {
      const d = s.id === undefined ? undefined : itemIds.get(JSON.stringify(s.id));
      if (!d) {
        problems.push({
          file: samplesPath,
          line: s.line,
          message:
            s.id === undefined
              ? 'sample has no id (samples are matched by id)'
              : `no data line has id ${JSON.stringify(s.id)}`,
        });
        continue;
      }
      let g = grouped.get(d);
      if (!g) grouped.set(d, (g = []));
      g.push(s);
    }
    for (const d of data) {
      for (const s of grouped.get(d) ?? [])
        rows.push({
          line: d.line,
          id: d.item.id,
          item: d.item,
          sample: buildSample(s.input, { responseFormat: opts.responseFormat }),
          sampleLine: s.line,
        });
    }
    const unmatched = data.filter((d) => !grouped.has(d)).length;
    if (unmatched) notes.push(`${unmatched} data line(s) have no sample with their id and were not graded`);
  } else {
    const n = Math.min(data.length, samples.length);
    for (let i = 0; i < n; i++) {
      const d = data[i]!;
      const s = samples[i]!;
      rows.push({
        line: d.line,
        id: d.item.id,
        item: d.item,
        sample: buildSample(s.input, { responseFormat: opts.responseFormat }),
        sampleLine: s.line,
      });
    }
    if (data.length !== samples.length)
      notes.push(
        `${data.length} data line(s) and ${samples.length} sample(s): graded the first ${n} pairs by position`,
      );
  }
  return { rows, problems, notes };
}

/** Takes each row's sample from a field of its data line (dotted path allowed). */
export function samplesFromField(data: DataLine[], field: string, opts: PairOptions = {}): GradeRow[] {
  const parsed = parsePath(`x.${field}`);
  if ('error' in parsed) throw new Error(`--sample-field: ${parsed.error}`);
  const path = parsed.segments.slice(1);
  return data.map((d) => {
    const v = lookupPath(d.item, path);
    const base = { line: d.line, id: d.item.id, item: d.item };
    if (isMissing(v)) return { ...base, sample: buildSample(''), problem: `field "${field}" is missing` };
    let s = toSampleInput(v);
    if (s.error && v && typeof v === 'object') s = { input: { output_json: v } };
    if (s.error) return { ...base, sample: buildSample(''), problem: `field "${field}": ${s.error}` };
    return { ...base, sample: buildSample(s.input!, { responseFormat: opts.responseFormat }) };
  });
}
