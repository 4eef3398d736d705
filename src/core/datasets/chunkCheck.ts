// Checks a chunk of whole JSONL lines (bytes, as the streaming reader yields them) and packs the per-line
// summaries into typed arrays: small to keep, cheap to send between threads. The streaming validator runs
// it in worker threads for large files and in-thread otherwise, then merges the chunks in file order.
import type { Diagnostic } from '../diagnostics';
import type { FileFormat } from './format';
import type { JsonType, SftTokenLimit } from './lineCheck';
import { checkLine } from './lineCheck';

const LF = 0x0a;
const CR = 0x0d;

export interface ChunkSummary {
  /** Lines in the chunk. */
  lines: number;
  /** Byte offset of each line from the chunk's start, and its length without the terminator. */
  offsets: Int32Array;
  lengths: Int32Array;
  /** 1 for a blank line. */
  blank: Uint8Array;
  /** Duplicate-detection hash of each line (0 = none). */
  hashes: Float64Array;
  /** Index into `shapes` of each line's item fields, or -1 when the line has none tracked. */
  shapeOf: Int32Array;
  shapes: { keys: string[]; types: JsonType[] }[];
  /** Lines with diagnostics (ranges on line 0), in line order; a code's lines past the cap are only counted. */
  diags: { index: number; diags: readonly Diagnostic[] }[];
  /** Diagnostics per code of the lines left out of `diags` (each of their codes was already over the cap). */
  overflow: Record<string, number>;
}

/** The typed arrays of a summary, for a transfer list. */
export function chunkTransferables(c: ChunkSummary): ArrayBuffer[] {
  return [c.offsets, c.lengths, c.blank, c.hashes, c.shapeOf].map((a) => a.buffer as ArrayBuffer);
}

/** Checks every line of `bytes` (whole lines; the last one may lack its LF) as lines of a `format` file. */
export function checkChunk(
  bytes: Uint8Array,
  format: FileFormat,
  sftTokens?: SftTokenLimit,
  /**
   * Lines kept per diagnostic code (the report's cap): a million blank lines must not become a million
   * diagnostics held, or cloned from a worker, only to be counted.
   */
  capPerCode = Infinity,
): ChunkSummary {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) n++;
  if (buf.length && buf[buf.length - 1] !== LF) n++;
  const c: ChunkSummary = {
    lines: n,
    offsets: new Int32Array(n),
    lengths: new Int32Array(n),
    blank: new Uint8Array(n),
    hashes: new Float64Array(n),
    shapeOf: new Int32Array(n),
    shapes: [],
    diags: [],
    overflow: {},
  };
  const kept = new Map<string, number>();
  let lastKeys: readonly string[] | undefined;
  const ctx = { format, bytes: buf, start: 0, end: 0, sftTokens };
  let start = 0;
  for (let k = 0; k < n; k++) {
    let nl = buf.indexOf(LF, start);
    if (nl < 0) nl = buf.length;
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    ctx.start = start;
    ctx.end = end;
    const s = checkLine(buf.toString('utf8', start, end), ctx);
    c.offsets[k] = start;
    c.lengths[k] = end - start;
    c.blank[k] = s.blank ? 1 : 0;
    c.hashes[k] = s.hash;
    if (s.fieldKeys && s.fieldTypes) {
      // checkLine hands back the same arrays while the keys and types stay the same.
      if (s.fieldKeys !== lastKeys) {
        c.shapes.push({ keys: s.fieldKeys, types: s.fieldTypes });
        lastKeys = s.fieldKeys;
      }
      c.shapeOf[k] = c.shapes.length - 1;
    } else {
      c.shapeOf[k] = -1;
    }
    if (s.diags.length) {
      // The merge keeps a line while any of its codes is under the cap; the same test here keeps every line
      // it could keep, and the others only add to the counts.
      let keep = false;
      for (const d of s.diags) if ((kept.get(d.code) ?? 0) < capPerCode) keep = true;
      if (keep) {
        for (const d of s.diags) kept.set(d.code, (kept.get(d.code) ?? 0) + 1);
        c.diags.push({ index: k, diags: s.diags });
      } else for (const d of s.diags) c.overflow[d.code] = (c.overflow[d.code] ?? 0) + 1;
    }
    start = nl + 1;
  }
  return c;
}
