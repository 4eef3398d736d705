// Token counts of the examples at the start of a JSONL file, in a worker thread (dist/workers/statsTokens.js) while
// the calling thread computes the rest of the statistics: counting tokens is about half of the work on a file of
// distinct texts. The counts are the same pure function of each line on either thread, so results do not change.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readJsonlLines } from '../datasets/jsonlReader';
import { exampleTokenCount } from './exampleTokens';

/** Line counts up to a byte offset: `counts[line]` (0-based) is the example's tokens, or -1 (no tokens counted). */
export interface PrefixTokenCounts {
  counts: Int32Array;
  lines: number;
}

export interface TokenJob {
  path: string;
  /** Lines starting before this byte offset are counted. */
  endByte: number;
}

export type TokenReply = { ok: true; counts: Int32Array; lines: number } | { ok: false; error: string };

/** Counts the tokens of every line that starts before `endByte` (what the worker runs; also the in-thread fallback). */
export async function countPrefixTokens(
  path: string,
  endByte: number,
  signal?: AbortSignal,
): Promise<PrefixTokenCounts> {
  let counts = new Int32Array(1024);
  let lines = 0;
  for await (const l of readJsonlLines(path, { signal })) {
    if (l.byteOffset >= endByte) break;
    if (l.line >= counts.length) {
      const grown = new Int32Array(counts.length * 2);
      grown.set(counts);
      counts = grown;
    }
    let t = -1;
    if (l.text.trim() !== '') {
      try {
        t = exampleTokenCount(JSON.parse(l.text)) ?? -1;
      } catch {
        // Invalid JSON: no tokens, as on the calling thread.
      }
    }
    counts[l.line] = t;
    lines = l.line + 1;
  }
  return { counts, lines };
}

/** Below this size a worker's start (its own copy of the rank table, ~0.3 s) costs more than it saves. */
export const TOKEN_WORKER_MIN_BYTES = 2 << 20;
/**
 * Share of the file's bytes counted by the worker. All of it: the calling thread parses, hashes and searches near
 * duplicates for the whole file, about as long as the worker's start (~0.4 s, its own rank table) plus counting
 * every token; taking a part back would cost the calling thread the rank table's load (~0.3 s) first. A smaller
 * share leaves the rest to the calling thread. Bench: `npm run bench -- tools`.
 */
export const TOKEN_WORKER_SHARE = 1;

/** The worker bundle next to the running bundle (dist/ or dist/workers/), or dist/workers/ from the sources. */
export function tokenWorkerScript(): string | undefined {
  const candidates = [
    join(__dirname, 'workers', 'statsTokens.js'),
    join(__dirname, 'statsTokens.js'),
    join(__dirname, '..', '..', '..', 'dist', 'workers', 'statsTokens.js'),
  ];
  return candidates.find((p) => existsSync(p));
}

/** Whether a file of `bytes` gets a token worker on this machine; `script` undefined = none found. */
export function useTokenWorker(
  bytes: number,
  script: string | undefined,
  minBytes = TOKEN_WORKER_MIN_BYTES,
): script is string {
  return script !== undefined && bytes >= minBytes && availableParallelism() >= 2;
}

/**
 * Starts counting the tokens of the lines before `endByte` in a worker. The promise never rejects because of the
 * worker: if it fails, the same counts are computed in-thread (slower, same result).
 */
export function startTokenWorker(
  script: string,
  path: string,
  endByte: number,
  signal?: AbortSignal,
): Promise<PrefixTokenCounts> {
  return new Promise<PrefixTokenCounts>((resolve, reject) => {
    let settled = false;
    const worker = takeSpare(script) ?? spawn(script);
    // A spare waits unref'd; while it works for us it keeps the process alive like any pending work.
    worker.ref();
    /** Ends this job; a worker that answered stays as the spare when warming is on (its caches with it). */
    const done = (answered: boolean) => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      if (answered && warmScript === script && !spare) spare = adopt(script, worker);
      else {
        void worker.terminate();
        // A replacement starts a little later, not while this call still needs both cores.
        if (warmScript !== undefined)
          setTimeout(() => (spare ??= adopt(warmScript!, spawn(warmScript!))), 1000).unref();
      }
    };
    const fallback = () => {
      if (settled) return;
      done(false);
      countPrefixTokens(path, endByte, signal).then(resolve, reject);
    };
    const onAbort = () => {
      if (settled) return;
      done(false);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: TokenReply) => {
      if (settled) return;
      if (!reply.ok) return fallback();
      done(true);
      resolve({ counts: reply.counts, lines: reply.lines });
    });
    worker.on('error', fallback);
    worker.on('exit', fallback);
    const job: TokenJob = { path, endByte };
    worker.postMessage(job);
  });
}

function spawn(script: string): Worker {
  // Not the parent's flags (a loader such as tsx would slow the worker down): the bundle needs none. The worker
  // loads the rank table as it starts, before its job arrives.
  return new Worker(script, { execArgv: [] });
}

/** A started worker waiting for the next job (see warmTokenWorker). */
let spare: { script: string; worker: Worker } | undefined;
let warmScript: string | undefined;

/** Makes `worker` a spare: unref'd, forgotten if it dies. */
function adopt(script: string, worker: Worker): { script: string; worker: Worker } {
  worker.unref();
  const entry = { script, worker };
  const forget = () => {
    if (spare === entry) spare = undefined;
  };
  worker.on('error', forget);
  worker.on('exit', forget);
  return entry;
}

function takeSpare(script: string): Worker | undefined {
  if (!spare || spare.script !== script) return undefined;
  const { worker } = spare;
  spare = undefined;
  worker.removeAllListeners();
  return worker;
}

/**
 * Keeps a token worker started, its rank table loaded (~0.3 s), for the next statistics of a large file, and keeps
 * it (with its token caches) after each use: for long-lived processes such as the MCP server, whose first call
 * should not pay the load, and whose next call on the same file finds its texts counted.
 * The spare never keeps the process alive. Returns whether a worker script was found.
 */
export function warmTokenWorker(script = tokenWorkerScript()): boolean {
  if (script === undefined || availableParallelism() < 2) return false;
  warmScript = script;
  spare ??= adopt(script, spawn(script));
  return true;
}
