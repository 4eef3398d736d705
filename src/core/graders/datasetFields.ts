// What lint and editor help know about a linked dataset: for a template path, on which lines it is
// missing, which JSON types it has (and where each first appears), and its values on the first lines.
// Computed lazily per path.
import type { DatasetItemFields, FieldProbe } from './lint';
import { isMissing, lookupPath, parsePath, type PathSegment } from './template';

export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The grader's `item` for a dataset line: the line itself, or `line.item` in the `{"item": {...}}` eval-items layout. */
export function itemOfLine(line: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(line);
  if (
    keys.length === 1 &&
    keys[0] === 'item' &&
    line.item &&
    typeof line.item === 'object' &&
    !Array.isArray(line.item)
  )
    return line.item as Record<string, unknown>;
  return line;
}

const FIRST_MISSING = 5;
const FIRST_VALUES = 5;

export function datasetFieldsFromItems(
  items: ReadonlyArray<Record<string, unknown>>,
  opts: { source?: string; lineNumbers?: readonly number[] } = {},
): DatasetItemFields {
  const cache = new Map<string, FieldProbe>();
  return {
    source: opts.source,
    count: items.length,
    probe(path: string): FieldProbe {
      const hit = cache.get(path);
      if (hit) return hit;
      const parsed = parsePath(`item.${path}`);
      const segs: PathSegment[] = 'error' in parsed ? [] : parsed.segments.slice(1);
      const probe: FieldProbe = {
        missing: 0,
        firstMissingLines: [],
        types: {},
        firstValues: [],
        firstLineByType: {},
      };
      items.forEach((item, i) => {
        const line = opts.lineNumbers?.[i] ?? i + 1;
        const v = 'error' in parsed ? undefined : lookupPath(item, segs);
        const missing = 'error' in parsed || isMissing(v);
        if (missing) {
          probe.missing++;
          if (probe.firstMissingLines.length < FIRST_MISSING) probe.firstMissingLines.push(line);
        } else {
          const t = jsonTypeOf(v);
          probe.types[t] = (probe.types[t] ?? 0) + 1;
          probe.firstLineByType![t] ??= line;
        }
        if (probe.firstValues.length < FIRST_VALUES)
          probe.firstValues.push({ line, value: missing ? undefined : v });
      });
      cache.set(path, probe);
      return probe;
    },
  };
}

/** Keys (and whether arrays sit there) at a path of the first items, for `item.` completion. */
export function fieldNamesAt(
  items: ReadonlyArray<Record<string, unknown>>,
  path: readonly PathSegment[],
  sampleSize = 200,
): { keys: Array<{ key: string; types: string[]; example: unknown }>; isArray: boolean } {
  const keys = new Map<string, { types: Set<string>; example: unknown }>();
  let isArray = false;
  for (const item of items.slice(0, sampleSize)) {
    const v = lookupPath(item, path);
    if (isMissing(v)) continue;
    if (Array.isArray(v)) isArray = true;
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        let e = keys.get(k);
        if (!e) keys.set(k, (e = { types: new Set(), example: x }));
        e.types.add(jsonTypeOf(x));
      }
  }
  return { keys: [...keys].map(([key, e]) => ({ key, types: [...e.types], example: e.example })), isArray };
}
