// Shared file plumbing for map / sample / split: one streaming scan of a JSONL file that keeps only what the
// algorithms need (line number, labels, a duplicate key), atomic output files, and the never-overwrite-input guard.
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { readJsonlLines } from '../datasets/jsonlReader';
import { checkInputFile } from '../io/inputFile';
import { getAtPath, type PathSegment } from './jsonPath';

export type ProgressCallback = (fraction: number) => void;

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called with the fraction of bytes read (0..1), at most every ~1%. */
  onProgress?: ProgressCallback;
}

/** Why a line carries no labels. */
export type NoLabelReason = 'missing' | 'null' | 'empty' | 'not-a-label';

export interface ScannedExample {
  /** 0-based line in the file. */
  line: number;
  /** Distinct labels, in first-seen order. */
  labels: string[];
  /** Hash of the line's text (surrounding whitespace aside): equal keys mean exact duplicates. */
  key: string;
  noLabel?: NoLabelReason;
}

export interface FileFingerprint {
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  examples: ScannedExample[];
  /** 0-based lines that are blank (whitespace only). */
  blankLines: number[];
  /** Lines that are not a JSON object. */
  invalidLines: { line: number; message: string }[];
  hasBom: boolean;
  /** The line terminator most lines use ('\n' when the file has none). */
  eol: '\n' | '\r\n';
  fingerprint: FileFingerprint;
}

/** Turns the value at the field path into labels: a string, a number, or an array of those. */
export function labelsOf(value: unknown): { labels: string[]; noLabel?: NoLabelReason } {
  if (value === undefined) return { labels: [], noLabel: 'missing' };
  if (value === null) return { labels: [], noLabel: 'null' };
  if (typeof value === 'string') return value === '' ? { labels: [], noLabel: 'empty' } : { labels: [value] };
  if (typeof value === 'number' && Number.isFinite(value)) return { labels: [String(value)] };
  if (Array.isArray(value)) {
    const seen = new Set<string>();
    for (const v of value) {
      if (typeof v === 'string' && v !== '') seen.add(v);
      else if (typeof v === 'number' && Number.isFinite(v)) seen.add(String(v));
      else return { labels: [], noLabel: 'not-a-label' };
    }
    return seen.size ? { labels: [...seen] } : { labels: [], noLabel: 'empty' };
  }
  return { labels: [], noLabel: 'not-a-label' };
}

/** JSON text with object keys sorted, so that key order and whitespace do not hide a duplicate. */
export { canonicalJson } from '../json/canonicalJson';

/** Exact duplicates are lines with the same text (surrounding whitespace and the line ending aside). */
export function duplicateKey(lineText: string): string {
  return createHash('sha1').update(lineText.trim()).digest('base64');
}

function progressReporter(size: number, onProgress?: ProgressCallback) {
  let last = -1;
  return (byteOffset: number) => {
    if (!onProgress || size === 0) return;
    const f = Math.min(1, byteOffset / size);
    if (f - last >= 0.01) {
      last = f;
      onProgress(f);
    }
  };
}

/** Reads a JSONL file once and extracts the labels at `field` from every line. */
export async function scanDataset(
  file: string,
  field: readonly PathSegment[],
  opts: ScanOptions = {},
): Promise<ScanResult> {
  await checkInputFile(file);
  const st = await stat(file);
  const result: ScanResult = {
    examples: [],
    blankLines: [],
    invalidLines: [],
    hasBom: false,
    eol: '\n',
    fingerprint: { size: st.size, mtimeMs: st.mtimeMs },
  };
  let crlf = 0;
  let lf = 0;
  const progress = progressReporter(st.size, opts.onProgress);
  const lines = readJsonlLines(file, {
    signal: opts.signal,
    onBom: (b) => (result.hasBom = b),
    checkUtf8: true,
  });
  for await (const l of lines) {
    progress(l.byteOffset);
    if (l.crlf) crlf++;
    else lf++;
    if (l.invalidUtf8At !== undefined) {
      // Outputs are byte-for-byte copies: a line that is not UTF-8 would come out rewritten (U+FFFD).
      result.invalidLines.push({
        line: l.line,
        message: `not valid UTF-8 at byte ${l.invalidUtf8At + 1} of the line (save the file as UTF-8)`,
      });
      continue;
    }
    if (l.text.trim() === '') {
      result.blankLines.push(l.line);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch (e) {
      result.invalidLines.push({ line: l.line, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      result.invalidLines.push({ line: l.line, message: 'not a JSON object' });
      continue;
    }
    const { labels, noLabel } = labelsOf(getAtPath(value, field));
    result.examples.push({
      line: l.line,
      labels,
      key: duplicateKey(l.text),
      ...(noLabel ? { noLabel } : {}),
    });
  }
  opts.onProgress?.(1);
  // The last line has no terminator of its own; count terminators only where they were seen.
  result.eol = crlf > lf ? '\r\n' : '\n';
  return result;
}

/** Resolves symlinks of an existing path, or of its directory when the file does not exist yet. */
function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync.native(abs);
  } catch {
    try {
      return path.join(realpathSync.native(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

export class OutputPathError extends Error {}

/** Refuses outputs that are the input (or each other): the input file is never rewritten. */
export function checkOutputPaths(input: string, outputs: readonly string[]): void {
  const inp = canonicalPath(input);
  const seen = new Map<string, string>();
  for (const out of outputs) {
    const c = canonicalPath(out);
    const same =
      process.platform === 'win32' || process.platform === 'darwin'
        ? c.toLowerCase() === inp.toLowerCase()
        : c === inp;
    if (same)
      throw new OutputPathError(
        `the output ${out} is the input file; choose another output path (the input is never overwritten)`,
      );
    const key = process.platform === 'win32' || process.platform === 'darwin' ? c.toLowerCase() : c;
    if (seen.has(key))
      throw new OutputPathError(
        `${seen.get(key)} and ${out} are the same file; give each output its own path`,
      );
    seen.set(key, out);
  }
}

/**
 * Writes a file atomically: everything goes to a temporary file next to the target, which replaces the target
 * only on commit(). abort() removes the temporary file; the target is untouched until commit.
 */
export class AtomicFileWriter {
  private handle: FileHandle | undefined;
  private chunks: Buffer[] = [];
  private pending = 0;
  readonly tempPath: string;

  private constructor(readonly target: string) {
    const dir = path.dirname(path.resolve(target));
    this.tempPath = path.join(dir, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  }

  static async create(target: string): Promise<AtomicFileWriter> {
    const w = new AtomicFileWriter(target);
    w.handle = await open(w.tempPath, 'wx');
    return w;
  }

  async write(text: string | Buffer): Promise<void> {
    const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.chunks.push(b);
    this.pending += b.length;
    if (this.pending >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pending || !this.handle) return;
    const data = Buffer.concat(this.chunks, this.pending);
    this.chunks = [];
    this.pending = 0;
    await this.handle.write(data);
  }

  /** Flushes and closes the temporary file (still not visible at the target). */
  async finish(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  async commit(): Promise<void> {
    await this.finish();
    await rename(this.tempPath, this.target);
  }

  async abort(): Promise<void> {
    try {
      await this.handle?.close();
    } catch {
      // already closed
    }
    this.handle = undefined;
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** Throws when the file changed since it was scanned (a second pass must copy the lines that were analysed). */
export async function assertUnchanged(file: string, before: FileFingerprint): Promise<void> {
  const st = await stat(file);
  if (st.size !== before.size || st.mtimeMs !== before.mtimeMs) {
    throw new Error(
      `${file} changed while it was being processed; nothing was written. Run the command again.`,
    );
  }
}

/**
 * Streams the file again and writes each selected line's exact text to the output its `route` names
 * (or skips it when route returns -1). Outputs keep the input's BOM; every line ends with its own terminator
 * (the file's usual one for an unterminated last line).
 */
export async function copyLines(
  file: string,
  scan: ScanResult,
  route: (line: number) => number,
  targets: readonly string[],
  opts: ScanOptions = {},
): Promise<void> {
  const writers: AtomicFileWriter[] = [];
  try {
    for (const t of targets) writers.push(await AtomicFileWriter.create(t));
    if (scan.hasBom) for (const w of writers) await w.write(Buffer.from([0xef, 0xbb, 0xbf]));
    const progress = progressReporter(scan.fingerprint.size, opts.onProgress);
    for await (const l of readJsonlLines(file, { signal: opts.signal })) {
      progress(l.byteOffset);
      const r = route(l.line);
      if (r < 0) continue;
      const lastLine = l.byteOffset + l.byteLength >= scan.fingerprint.size;
      const eol = lastLine ? scan.eol : l.crlf ? '\r\n' : '\n';
      await writers[r].write(l.text + eol);
    }
    await assertUnchanged(file, scan.fingerprint);
    for (const w of writers) await w.finish();
    for (const w of writers) await w.commit();
  } catch (e) {
    for (const w of writers) await w.abort();
    throw e;
  }
}
