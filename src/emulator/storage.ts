// The emulator's file content on disk: one temporary folder per instance (removed on close), request bodies
// of uploads streamed into it through a streaming multipart parser, a per-file and a total size cap, and the
// fine-tune JSONL check read back from disk a line at a time.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished, pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { HttpError, isObj } from './context';
import type { FileCheck } from './jobSim';

export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_STORAGE_BYTES = 2 * 1024 * 1024 * 1024;

export interface ReceivedFile {
  path: string;
  bytes: number;
  filename: string;
  mimeType: string;
}

export interface ReceivedForm {
  fields: Record<string, string>;
  file?: ReceivedFile;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GB`;
  if (n >= 1024 ** 2) return `${Math.round((n / 1024 ** 2) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

export class FileStorage {
  readonly dir: string;
  private used = 0;

  constructor(
    readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    readonly maxTotalBytes = DEFAULT_MAX_STORAGE_BYTES,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'rft-emulator-'));
  }

  /** Bytes held on disk (and reserved by uploads in flight). */
  get usedBytes(): number {
    return this.used;
  }

  /** Claims n bytes of the total cap; false (nothing claimed) when they do not fit. */
  reserve(n: number): boolean {
    if (this.used + n > this.maxTotalBytes) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  storageFull(param: string | null): HttpError {
    return new HttpError(
      413,
      `The emulator's file storage is full: all files together may take at most ${formatBytes(this.maxTotalBytes)}. Delete files you no longer need.`,
      'storage_limit_exceeded',
      param,
    );
  }

  private newPath(): string {
    return join(this.dir, randomUUID());
  }

  /** Stores a small generated file (job results) synchronously; it counts towards the total. */
  writeSmall(content: Buffer | string): { path: string; bytes: number } {
    const path = this.newPath();
    writeFileSync(path, content);
    const bytes = Buffer.byteLength(content);
    this.used += bytes;
    return { path, bytes };
  }

  async remove(path: string, bytes: number): Promise<void> {
    this.release(bytes);
    await rm(path, { force: true });
  }

  /**
   * Streams a multipart/form-data body: text fields are kept, the file field `fileField` goes to disk
   * (other file fields are discarded). Over `maxBytes` → `tooLarge()`, over the total cap → 413; the partial
   * file is removed and the rest of the body is read and dropped so the client gets the answer.
   */
  receiveMultipart(
    req: IncomingMessage,
    fileField: string,
    maxBytes: number,
    tooLarge: () => HttpError,
  ): Promise<ReceivedForm> {
    const ct = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(ct))
      return Promise.reject(
        new HttpError(400, 'Expected a multipart/form-data body.', 'invalid_content_type'),
      );
    return new Promise<ReceivedForm>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          limits: { fileSize: maxBytes, fields: 100, fieldSize: 1024 * 1024 },
        });
      } catch (e) {
        reject(
          new HttpError(
            400,
            `Could not parse the multipart body: ${(e as Error).message}`,
            'invalid_multipart',
          ),
        );
        return;
      }
      const fields: Record<string, string> = {};
      let file: ReceivedFile | undefined;
      let reserved = 0;
      let failure: Error | undefined;
      const writes: Array<Promise<void>> = [];
      let done = false;

      const finish = () => {
        if (done) return;
        done = true;
        void Promise.all(writes).then(async () => {
          if (!failure) {
            resolve({ fields, ...(file ? { file } : {}) });
            return;
          }
          if (file) await this.remove(file.path, reserved);
          reject(failure);
        });
      };

      parser.on('field', (name, value) => {
        if (!(name in fields)) fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (name !== fileField || file || failure) {
          stream.resume();
          return;
        }
        const entry: ReceivedFile = {
          path: this.newPath(),
          bytes: 0,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
        };
        file = entry;
        const out = createWriteStream(entry.path);
        writes.push(new Promise<void>((r) => out.once('close', () => r())));
        const fail = (err: Error) => {
          failure ??= err;
          out.destroy();
          // Keep reading (and dropping) the rest so the client can read our answer.
          stream.resume();
        };
        stream.on('data', (chunk: Buffer) => {
          if (failure) return;
          if (!this.reserve(chunk.length)) {
            fail(this.storageFull(fileField));
            return;
          }
          reserved += chunk.length;
          entry.bytes += chunk.length;
          if (!out.write(chunk)) {
            stream.pause();
            out.once('drain', () => stream.resume());
          }
        });
        stream.on('limit', () => fail(tooLarge()));
        stream.on('end', () => {
          if (!failure) out.end();
        });
        out.on('error', (e) => fail(e));
      });
      parser.on('error', (e: Error) => {
        failure ??= new HttpError(
          400,
          `Could not parse the multipart body: ${e.message}`,
          'invalid_multipart',
        );
        req.unpipe(parser);
        req.resume();
        finish();
      });
      parser.on('close', finish);
      const aborted = () => parser.destroy(new Error('the request was aborted'));
      req.on('aborted', aborted);
      req.on('error', aborted);
      req.pipe(parser);
    });
  }

  /** Joins files (upload parts) into a new file, streaming; the caller has reserved its size. */
  async concat(sources: string[]): Promise<string> {
    const path = this.newPath();
    const out = createWriteStream(path);
    try {
      for (const s of sources) await pipeline(createReadStream(s), out, { end: false });
      out.end();
      await finished(out);
    } catch (e) {
      out.destroy();
      await rm(path, { force: true });
      throw e;
    }
    return path;
  }

  async dispose(): Promise<void> {
    this.used = 0;
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** JSONL check for fine-tune files, read from disk a line at a time: each non-empty line a JSON object. */
export async function checkJsonlFile(path: string): Promise<FileCheck & { formatError?: string }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let examples = 0;
  let problem: string | undefined;
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const line = (n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
      if (!line) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        return { examples, formatError: `Invalid file format: line ${n} is not valid JSON.` };
      }
      if (!isObj(v)) return { examples, formatError: `Invalid file format: line ${n} is not a JSON object.` };
      examples++;
      if (!problem) {
        const messages = v.messages;
        if (!Array.isArray(messages) || messages.length === 0) problem = `Line ${n} has no "messages" list.`;
        else {
          const last = messages[messages.length - 1] as unknown;
          if (!isObj(last) || (last.role !== 'user' && last.role !== 'developer' && last.role !== 'tool'))
            problem = `Line ${n}: the last message must be from the user for reinforcement fine-tuning.`;
        }
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (examples === 0) return { examples, formatError: 'Invalid file format: the file has no examples.' };
  return { examples, problem };
}
