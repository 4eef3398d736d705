// The line index of a dataset file: the byte offset and length of every line, built by streaming the file once
// (constant memory apart from 12 bytes per line), so any row of a 1 GB file can be read on demand.
import { openInputFile } from '../io/inputFile';
import { readJsonlLines } from '../datasets/jsonlReader';

/** A run of consecutive indexed lines starting at `firstLine`. */
export interface LineIndexBatch {
  firstLine: number;
  offsets: Float64Array;
  lengths: Uint32Array;
}

export interface BuildIndexOptions {
  signal?: AbortSignal;
  /** Lines per batch after the first (default 65,536). */
  batchLines?: number;
  /** Lines in the first batch, sent as soon as they are known so the first rows show at once (default 256). */
  firstBatchLines?: number;
  /** Called with each batch, in order. */
  onBatch?: (batch: LineIndexBatch, bytesRead: number) => void;
  chunkSize?: number;
}

/** Growable offsets/lengths arrays for a whole file. */
export class LineIndex {
  private offs = new Float64Array(1024);
  private lens = new Uint32Array(1024);
  private n = 0;
  hasBom = false;

  get lineCount(): number {
    return this.n;
  }

  private grow(min: number): void {
    let cap = this.offs.length;
    while (cap < min) cap *= 2;
    if (cap === this.offs.length) return;
    const o = new Float64Array(cap);
    o.set(this.offs.subarray(0, this.n));
    const l = new Uint32Array(cap);
    l.set(this.lens.subarray(0, this.n));
    this.offs = o;
    this.lens = l;
  }

  push(offset: number, length: number): void {
    if (this.n === this.offs.length) this.grow(this.n + 1);
    this.offs[this.n] = offset;
    this.lens[this.n] = length;
    this.n++;
  }

  /** Appends a batch; batches must arrive in order without gaps. */
  append(batch: LineIndexBatch): void {
    if (batch.firstLine !== this.n)
      throw new Error(`line index batch starts at ${batch.firstLine}, expected ${this.n}`);
    this.grow(this.n + batch.offsets.length);
    this.offs.set(batch.offsets, this.n);
    this.lens.set(batch.lengths, this.n);
    this.n += batch.offsets.length;
  }

  offset(line: number): number {
    return this.offs[line];
  }

  length(line: number): number {
    return this.lens[line];
  }

  /** Lines [start, end) as one batch (copies). */
  slice(start: number, end: number): LineIndexBatch {
    return {
      firstLine: start,
      offsets: this.offs.slice(start, end),
      lengths: this.lens.slice(start, end),
    };
  }
}

/** Streams the file once and records every line's byte offset and length. */
export async function buildLineIndex(path: string, opts: BuildIndexOptions = {}): Promise<LineIndex> {
  const index = new LineIndex();
  const batchLines = opts.batchLines ?? 65_536;
  let target = opts.firstBatchLines ?? 256;
  let batchStart = 0;
  let bytesRead = 0;
  const flush = () => {
    if (index.lineCount > batchStart) {
      opts.onBatch?.(index.slice(batchStart, index.lineCount), bytesRead);
      batchStart = index.lineCount;
    }
  };
  for await (const l of readJsonlLines(path, {
    signal: opts.signal,
    chunkSize: opts.chunkSize,
    onBom: (b) => (index.hasBom = b),
  })) {
    index.push(l.byteOffset, l.byteLength);
    bytesRead = l.byteOffset + l.byteLength;
    if (index.lineCount - batchStart >= target) {
      flush();
      target = batchLines;
    }
  }
  flush();
  return index;
}

/** Upper bound on the bytes of one line returned by readLines (a longer line is cut and marked truncated). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ReadLine {
  line: number;
  text: string;
  truncated: boolean;
}

/** Reads lines [start, end) of an indexed file with as few reads as possible. */
export async function readLines(
  path: string,
  index: Pick<LineIndex, 'offset' | 'length' | 'lineCount'>,
  start: number,
  end: number,
  maxLineBytes = MAX_LINE_BYTES,
): Promise<ReadLine[]> {
  start = Math.max(0, start);
  end = Math.min(end, index.lineCount);
  if (end <= start) return [];
  const out: ReadLine[] = [];
  // The file may have been swapped for a FIFO since it was indexed: never block on it.
  const handle = await openInputFile(path);
  try {
    let i = start;
    while (i < end) {
      // Group consecutive lines into one read of at most ~4 MB (a long line is read alone, cut at maxLineBytes).
      const from = index.offset(i);
      let j = i;
      let to = from;
      while (j < end) {
        const len = Math.min(index.length(j), maxLineBytes);
        const lineEnd = index.offset(j) + len;
        if (j > i && lineEnd - from > 4 * 1024 * 1024) break;
        to = lineEnd;
        j++;
      }
      const buf = Buffer.allocUnsafe(to - from);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      for (let k = i; k < j; k++) {
        const o = index.offset(k) - from;
        const full = index.length(k);
        const len = Math.min(full, maxLineBytes, Math.max(0, got - o));
        out.push({ line: k, text: buf.toString('utf8', o, o + len), truncated: len < full });
      }
      i = j;
    }
  } finally {
    await handle.close();
  }
  return out;
}
