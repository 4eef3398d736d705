// Finds the fields of a JSONL file that can hold labels or codes (short strings, numbers, arrays of them), so the
// editor can offer them in a quick pick. Reads only the first lines.
import { readJsonlLines } from '../datasets/jsonlReader';
import { formatJsonPath, type PathSegment } from './jsonPath';

export interface FieldCandidate {
  path: string;
  kind: 'list' | 'string' | 'number';
  /** Lines (of those read) that have the field. */
  present: number;
  /** Distinct values seen (labels for lists), capped. */
  distinct: number;
  /** A few example values. */
  examples: string[];
}

const LABELISH = /label|answer|class|categor|code|tag|target|topic|level|domain|concept|eurovoc|reference/i;
const SKIP_KEYS = new Set(['messages', 'tools', 'input', 'preferred_output', 'non_preferred_output']);

export async function discoverFields(
  file: string,
  opts: { maxLines?: number; signal?: AbortSignal } = {},
): Promise<{ fields: FieldCandidate[]; linesRead: number }> {
  const maxLines = opts.maxLines ?? 500;
  const found = new Map<
    string,
    { kind: FieldCandidate['kind']; present: number; values: Set<string>; examples: string[] }
  >();
  let linesRead = 0;
  const note = (segs: PathSegment[], kind: FieldCandidate['kind'], values: string[]) => {
    const key = formatJsonPath(segs);
    let f = found.get(key);
    if (!f) found.set(key, (f = { kind, present: 0, values: new Set(), examples: [] }));
    if (f.kind !== kind && kind === 'list') f.kind = 'list';
    f.present++;
    for (const v of values) if (f.values.size < 1000) f.values.add(v);
    const shown = kind === 'list' ? JSON.stringify(values) : values[0];
    if (f.examples.length < 3 && !f.examples.includes(shown)) f.examples.push(shown);
  };
  const walk = (value: unknown, segs: PathSegment[], depth: number) => {
    if (Array.isArray(value)) {
      if (
        value.length &&
        value.every((v) => (typeof v === 'string' && v.length <= 120) || typeof v === 'number')
      ) {
        note(segs, 'list', value.map(String));
      }
      return;
    }
    if (typeof value === 'string') {
      if (segs.length && value.length <= 120) note(segs, 'string', [value]);
      return;
    }
    if (typeof value === 'number') {
      if (segs.length) note(segs, 'number', [String(value)]);
      return;
    }
    if (value && typeof value === 'object' && depth < 4) {
      for (const [k, v] of Object.entries(value)) {
        if (depth === 0 && SKIP_KEYS.has(k)) continue;
        walk(v, [...segs, k], depth + 1);
      }
    }
  };
  for await (const l of readJsonlLines(file, { signal: opts.signal })) {
    if (linesRead >= maxLines) break;
    if (!l.text.trim()) continue;
    linesRead++;
    try {
      walk(JSON.parse(l.text), [], 0);
    } catch {
      // Malformed lines are reported by the commands themselves.
    }
  }
  const score = (p: string, f: { kind: string; present: number; values: Set<string> }) =>
    (f.kind === 'list' ? 4 : 0) +
    (LABELISH.test(p) ? 3 : 0) +
    (f.present / Math.max(1, linesRead)) * 2 -
    // A field that is different on every line (an id, a text) is not a label.
    (f.kind !== 'list' && f.values.size >= Math.max(5, linesRead * 0.9) ? 6 : 0);
  const fields = [...found.entries()]
    .map(([path, f]) => ({
      path,
      kind: f.kind,
      present: f.present,
      distinct: f.values.size,
      examples: f.examples,
      s: score(path, f),
    }))
    .sort((a, b) => b.s - a.s || (a.path < b.path ? -1 : 1))
    .map(({ s: _s, ...f }) => f);
  return { fields, linesRead };
}
