// A small pool of worker threads that run checkChunk for the streaming validator, so a large file is
// parsed and checked on several cores while the calling thread reads and merges in file order.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChunkSummary } from './chunkCheck';
import type { FileFormat } from './format';
import type { SftTokenLimit } from './lineCheck';

/** Where the worker script is and how many threads to use (the host knows its bundle layout). */
export interface ParallelCheckOptions {
  /** Path of the bundled worker (dist/workers/datasetCheck.js), or the .ts source with a loader in execArgv. */
  script: string;
  /** Worker threads (default: one less than the machine's cores, at most 2; none on a single core). */
  threads?: number;
  execArgv?: string[];
  /** Files smaller than this are checked in-thread (default 64 MiB): below it starting workers costs more than they save (bench). */
  minBytes?: number;
}

export interface ChunkJob {
  id: number;
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
  format: FileFormat;
  sftTokens?: SftTokenLimit;
  capPerCode?: number;
}

export type ChunkReply = { id: number; summary: ChunkSummary } | { id: number; error: string };

export const DEFAULT_PARALLEL_MIN_BYTES = 64 * 2 ** 20;

/** Threads to use for `opts` on this machine; 0 = check in-thread. */
export function parallelThreads(opts: ParallelCheckOptions | undefined, fileBytes: number): number {
  if (!opts || fileBytes < (opts.minBytes ?? DEFAULT_PARALLEL_MIN_BYTES)) return 0;
  // By default one core stays with the calling thread, which reads the file and merges the results, and at
  // most two workers run: each adds about 45 MB of memory (its own heap) for diminishing gains.
  const threads = opts.threads ?? Math.min(2, availableParallelism() - 1);
  if (threads < 1) return 0;
  if (!existsSync(opts.script)) return 0;
  return threads;
}

interface Pending {
  job: ChunkJob;
  resolve: (s: ChunkSummary) => void;
  reject: (e: Error) => void;
}

export class ChunkPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private failure: Error | undefined;
  private nextId = 0;

  constructor(opts: ParallelCheckOptions, threads: number) {
    const script = resolve(opts.script);
    for (let i = 0; i < threads; i++) {
      // Not the parent's flags (a loader such as tsx would slow every worker down): the bundle needs none.
      const w = new Worker(script, { execArgv: opts.execArgv ?? [] });
      w.on('message', (reply: ChunkReply) => this.settle(w, reply));
      w.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => {
        if (this.running.has(w) || (!this.closed && code !== 0))
          this.fail(new Error(`dataset check worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private closed = false;

  /** Checks a chunk on the next free worker; the chunk's buffer is transferred (unusable afterwards). */
  check(
    bytes: Uint8Array,
    format: FileFormat,
    sftTokens?: SftTokenLimit,
    capPerCode?: number,
  ): Promise<ChunkSummary> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<ChunkSummary>((resolve, reject) => {
      const job: ChunkJob = {
        id: this.nextId++,
        buffer: bytes.buffer as ArrayBuffer,
        byteOffset: bytes.byteOffset,
        byteLength: bytes.byteLength,
        format,
        sftTokens,
        capPerCode,
      };
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.running.set(w, p);
      w.postMessage(p.job, [p.job.buffer]);
    }
  }

  private settle(w: Worker, reply: ChunkReply): void {
    const p = this.running.get(w);
    if (!p || p.job.id !== reply.id) return;
    this.running.delete(w);
    this.idle.push(w);
    if ('error' in reply) p.reject(new Error(`dataset check worker failed: ${reply.error}`));
    else p.resolve(reply.summary);
    this.pump();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of [...this.running.values(), ...this.queue]) p.reject(e);
    this.running.clear();
    this.queue.length = 0;
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
