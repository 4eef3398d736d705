// Token counts and near-duplicate fingerprints of the examples at the start of a JSONL file, in a worker thread
// (dist/workers/statsTokens.js) while the calling thread computes the rest of the statistics: counting tokens and
// normalizing and shingling the texts are about half of the work on a file of distinct texts. Both are the same
// pure functions of each line on either thread, so results do not change.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readJsonlLines } from '../datasets/jsonlReader';
import { exampleTokenCount } from './exampleTokens';
import { nearDuplicateText } from './exampleView';
import type { TextFingerprint } from './nearDuplicates';
import { textFingerprint } from './nearDuplicates';

/** Line counts up to a byte offset: `counts[line]` (0-based) is the example's tokens, or -1 (no tokens counted). */
export interface PrefixTokenCounts {
  counts: Int32Array;
  lines: number;
  /** The near-duplicate fingerprints, when the job asked for them. */
  fingerprints?: PrefixFingerprints;
}

/**
 * Fingerprints by 0-based line, packed for transfer: line l's shingles are `shingles[offsets[l], offsets[l + 1])`,
 * and `meta[3l .. 3l + 2]` its normalized length (-1: none computed) and two hashes.
 */
export interface PrefixFingerprints {
  offsets: Int32Array;
  shingles: Uint32Array;
  meta: Int32Array;
}

/** The fingerprint of 0-based `line`, or undefined when none was computed (not an example, or past the bounds). */
export function fingerprintAt(f: PrefixFingerprints, line: number): TextFingerprint | undefined {
  if (3 * line >= f.meta.length || f.meta[3 * line] < 0) return undefined;
  return {
    shingles: f.shingles.subarray(f.offsets[line], f.offsets[line + 1]),
    length: f.meta[3 * line],
    hash1: f.meta[3 * line + 1] >>> 0,
    hash2: f.meta[3 * line + 2] >>> 0,
  };
}

/**
 * Which examples get a fingerprint: the first `maxExamples`, while fewer than `maxShingles` shingles are stored —
 * the bounds of the near-duplicate index (the largest of those the statistics feed), so every text an index keeps
 * has its fingerprint.
 */
export interface NearJob {
  maxExamples: number;
  maxShingles: number;
}

export interface TokenJob {
  path: string;
  /** Lines starting before this byte offset are counted. */
  endByte: number;
  near?: NearJob;
}

export type TokenReply =
  | { ok: true; counts: Int32Array; lines: number; fingerprints?: PrefixFingerprints }
  | { ok: false; error: string };

function grow<T extends Int32Array | Uint32Array>(a: T, min: number): T {
  let size = a.length * 2;
  while (size < min) size *= 2;
  const grown = new (a.constructor as new (n: number) => T)(size);
  grown.set(a);
  return grown;
}

/**
 * Counts the tokens of every line that starts before `endByte`, and with `near` fingerprints its examples (what
 * the worker runs; also the in-thread fallback).
 */
export async function countPrefixTokens(
  path: string,
  endByte: number,
  signal?: AbortSignal,
  near?: NearJob,
): Promise<PrefixTokenCounts> {
  let counts = new Int32Array(1024);
  let lines = 0;
  let offsets = new Int32Array(near ? 1025 : 0);
  let meta = new Int32Array(near ? 3 * 1024 : 0);
  let shingles = new Uint32Array(near ? 1 << 16 : 0);
  let stored = 0;
  let examples = 0;
  for await (const l of readJsonlLines(path, { signal })) {
    if (l.byteOffset >= endByte) break;
    if (l.line >= counts.length) counts = grow(counts, l.line + 1);
    if (near) {
      if (l.line + 2 > offsets.length) offsets = grow(offsets, l.line + 2);
      if (3 * l.line + 3 > meta.length) meta = grow(meta, 3 * l.line + 3);
      // Lines skipped by the reader (none today) and non-examples have no fingerprint.
      for (let k = lines; k <= l.line; k++) {
        offsets[k + 1] = stored;
        meta[3 * k] = -1;
      }
    }
    let t = -1;
    if (l.text.trim() !== '') {
      let value: unknown;
      let parsed = false;
      try {
        value = JSON.parse(l.text);
        parsed = true;
      } catch {
        // Invalid JSON: no tokens and no fingerprint, as on the calling thread.
      }
      if (parsed) {
        t = exampleTokenCount(value) ?? -1;
        if (near && examples < near.maxExamples && stored < near.maxShingles) {
          const fp = textFingerprint(nearDuplicateText(value, l.text));
          if (stored + fp.shingles.length > shingles.length)
            shingles = grow(shingles, stored + fp.shingles.length);
          shingles.set(fp.shingles, stored);
          stored += fp.shingles.length;
          offsets[l.line + 1] = stored;
          meta[3 * l.line] = fp.length;
          meta[3 * l.line + 1] = fp.hash1 | 0;
          meta[3 * l.line + 2] = fp.hash2 | 0;
        }
        examples++;
      }
    }
    counts[l.line] = t;
    lines = l.line + 1;
  }
  if (!near) return { counts, lines };
  return {
    counts,
    lines,
    fingerprints: {
      offsets: offsets.slice(0, lines + 1),
      shingles: shingles.slice(0, stored),
      meta: meta.slice(0, 3 * lines),
    },
  };
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
  near?: NearJob,
): Promise<PrefixTokenCounts> {
  return new Promise<PrefixTokenCounts>((resolve, reject) => {
    let settled = false;
    const worker = takeSpare(script) ?? spawn(script);
    // A spare waits unref'd; while it works for us it keeps the process alive like any pending work.
    worker.worker.ref();
    /** Ends this job; a worker that answered stays as the spare when warming is on (its caches with it). */
    const done = (answered: boolean) => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.job = undefined;
      if (answered && !spare && warmScript === script) adopt(worker);
      else if (answered && !spare && kept?.script === script) adopt(worker, kept.idleMs);
      else {
        void worker.worker.terminate();
        // A replacement starts a little later, not while this call still needs both cores.
        if (warmScript !== undefined) setTimeout(() => spare ?? adopt(spawn(warmScript!)), 1000).unref();
      }
    };
    const fallback = () => {
      if (settled) return;
      done(false);
      countPrefixTokens(path, endByte, signal, near).then(resolve, reject);
    };
    const onAbort = () => {
      if (settled) return;
      done(false);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.job = {
      reply: (reply) => {
        if (settled) return;
        if (!reply.ok) return fallback();
        done(true);
        resolve({ counts: reply.counts, lines: reply.lines, fingerprints: reply.fingerprints });
      },
      failed: fallback,
    };
    const job: TokenJob = { path, endByte, ...(near ? { near } : {}) };
    worker.worker.postMessage(job);
  });
}

/**
 * A worker and what listens to it. Its listeners are added once, when it starts, and hand each event to the job
 * it is doing (none while it waits as the spare): removing a worker's last 'message' listener and adding another
 * inside a message's dispatch can lose the next message.
 */
interface TokenWorker {
  script: string;
  worker: Worker;
  job?: { reply: (r: TokenReply) => void; failed: () => void };
  /** While the spare: the timer that ends it after the idle time (keepTokenWorkerAfterUse). */
  idle?: NodeJS.Timeout;
}

function spawn(script: string): TokenWorker {
  // Not the parent's flags (a loader such as tsx would slow the worker down): the bundle needs none. The worker
  // loads the rank table as it starts, before its job arrives.
  const entry: TokenWorker = { script, worker: new Worker(script, { execArgv: [] }) };
  const gone = () => {
    if (spare === entry) {
      clearTimeout(entry.idle);
      spare = undefined;
    }
    entry.job?.failed();
  };
  entry.worker.on('message', (reply: TokenReply) => entry.job?.reply(reply));
  entry.worker.on('error', gone);
  entry.worker.on('exit', gone);
  return entry;
}

/** A started worker waiting for the next job (see warmTokenWorker and keepTokenWorkerAfterUse). */
let spare: TokenWorker | undefined;
let warmScript: string | undefined;
let kept: { script: string; idleMs: number } | undefined;

/** Makes `w` the spare: unref'd, ended after `idleMs` without a job when given. */
function adopt(w: TokenWorker, idleMs?: number): TokenWorker {
  w.worker.unref();
  spare = w;
  if (idleMs !== undefined)
    w.idle = setTimeout(() => {
      if (spare === w) spare = undefined;
      void w.worker.terminate();
    }, idleMs).unref();
  return w;
}

/** Whether a started worker waits for `script`'s next job (see warmTokenWorker). */
export function hasSpareWorker(script: string): boolean {
  return spare?.script === script;
}

function takeSpare(script: string): TokenWorker | undefined {
  if (!spare || spare.script !== script) return undefined;
  const w = spare;
  clearTimeout(w.idle);
  w.idle = undefined;
  spare = undefined;
  return w;
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
  if (!spare) adopt(spawn(script));
  return true;
}

/**
 * Keeps the worker of a large file's statistics after it answers, for `idleMs` without a next job, with its rank
 * table and token caches: for the editor, where an agent's tool calls come in bursts and a worker kept for good
 * (~70 MB) would cost every window. Nothing starts until the first such statistics; the next ones within the idle
 * time answer as on the MCP server. Returns whether a worker script was found.
 */
export function keepTokenWorkerAfterUse(idleMs: number, script = tokenWorkerScript()): boolean {
  if (script === undefined || availableParallelism() < 2) return false;
  kept = { script, idleMs };
  return true;
}
