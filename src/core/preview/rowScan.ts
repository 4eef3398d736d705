// Filtering a whole dataset file: one streaming pass that collects the 0-based lines matching a query.
import { readJsonlLines } from '../datasets/jsonlReader';
import type { RowQuery } from './rowSummary';
import { rowMatcher } from './rowSummary';

export interface ScanOptions {
  signal?: AbortSignal;
  /** Only these lines can match (e.g. the lines with diagnostics), sorted ascending. */
  onlyLines?: readonly number[];
  onProgress?: (linesScanned: number, matches: number) => void;
  progressEvery?: number;
}

/** Lines of `path` that match `query`, ascending. */
export async function scanRows(path: string, query: RowQuery, opts: ScanOptions = {}): Promise<Uint32Array> {
  const match = rowMatcher(query);
  const only = opts.onlyLines ? new Set(opts.onlyLines) : undefined;
  let out = new Uint32Array(1024);
  let n = 0;
  let scanned = 0;
  const every = opts.progressEvery ?? 50_000;
  for await (const l of readJsonlLines(path, { signal: opts.signal })) {
    scanned++;
    if (scanned % every === 0) {
      opts.onProgress?.(scanned, n);
      await new Promise<void>((r) => setImmediate(r));
    }
    if (only && !only.has(l.line)) continue;
    if (!match(l.text)) continue;
    if (n === out.length) {
      const g = new Uint32Array(out.length * 2);
      g.set(out);
      out = g;
    }
    out[n++] = l.line;
  }
  opts.onProgress?.(scanned, n);
  return out.slice(0, n);
}
