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
import { grow } from './keyTable';
import { FingerprintSigner, BAND_KEYS, textFingerprint } from './nearDuplicates';

/** Line counts up to a byte offset: `counts[line]` (0-based) is the example's tokens, or -1 (no tokens counted). */
export interface PrefixTokenCounts {
  counts: Int32Array;
  lines: number;
  /** The near-duplicate fingerprints, when the job asked for them. */
  fingerprints?: PrefixFingerprints;
}

/**
 * Fingerprints by 0-based line, packed for transfer: line l's shingles are `shingles[offsets[l], offsets[l + 1])`,
 * `meta[4l .. 4l + 3]` its normalized length (-1: none computed), two hashes and 1 + the number k of its band
 * keys (0: none made). Band keys k are in `bands[k >> 10]` at BAND_KEYS * (k & 1023), made against the provisional
 * template set `template` (FingerprintSigner); in chunks of 1,024 texts, so that the worker does not copy one
 * growing array.
 */
export interface PrefixFingerprints {
  offsets: Int32Array;
  shingles: Uint32Array;
  meta: Int32Array;
  bands: Uint32Array[];
  template: Uint32Array;
}

/** The fingerprint of 0-based `line`, or undefined when none was computed (not an example, or past the bounds). */
export function fingerprintAt(f: PrefixFingerprints, line: number): TextFingerprint | undefined {
  if (4 * line >= f.meta.length || f.meta[4 * line] < 0) return undefined;
  const fp: TextFingerprint = {
    shingles: f.shingles.subarray(f.offsets[line], f.offsets[line + 1]),
    length: f.meta[4 * line],
    hash1: f.meta[4 * line + 1] >>> 0,
    hash2: f.meta[4 * line + 2] >>> 0,
  };
  const k = f.meta[4 * line + 3] - 1;
  if (k >= 0) {
    const at = BAND_KEYS * (k & (BANDS_CHUNK - 1));
    fp.bands = f.bands[k >> BANDS_CHUNK_SHIFT].subarray(at, at + BAND_KEYS);
    fp.template = f.template;
  }
  return fp;
}

/**
 * Which examples get a fingerprint: those on the lines the worker claims (`claims`/`shift`: a NearClaims shared
 * with the caller), among the first `maxExamples` examples, while fewer than `maxShingles` shingles are stored —
 * the bounds of the near-duplicate index (the largest of those the statistics feed), so every text an index keeps
 * has its fingerprint.
 */
export interface NearJob {
  claims: Int8Array;
  shift: number;
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

const BANDS_CHUNK_SHIFT = 10;
const BANDS_CHUNK = 1 << BANDS_CHUNK_SHIFT;

/**
 * Counts the tokens of every line that starts before `endByte`, and with `near` fingerprints and signs the examples
 * on the lines it claims (what the worker runs; also the in-thread fallback).
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
  let meta = new Int32Array(near ? 4 * 1024 : 0);
  let shingles = new Uint32Array(near ? 1 << 16 : 0);
  const bands: Uint32Array[] = [];
  let signed = 0;
  const signer = new FingerprintSigner();
  // A worker that failed is replaced by this function in the calling thread: it takes the worker's claims over.
  const claims = near && new NearClaims(near.claims, near.shift);
  let stored = 0;
  let examples = 0;
  let fingerprinted = 0;
  for await (const l of readJsonlLines(path, { signal })) {
    if (l.byteOffset >= endByte) break;
    if (l.line >= counts.length) counts = grow(counts, l.line + 1);
    const fingerprint = claims !== undefined && claims.take(l.line, NearClaims.WORKER);
    if (fingerprint) {
      if (l.line + 2 > offsets.length) offsets = grow(offsets, l.line + 2);
      if (4 * l.line + 4 > meta.length) meta = grow(meta, 4 * l.line + 4);
      // Lines skipped by the reader (none today) and non-examples have no fingerprint.
      for (let k = fingerprinted; k <= l.line; k++) {
        offsets[k + 1] = stored;
        meta[4 * k] = -1;
      }
      fingerprinted = l.line + 1;
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
        if (fingerprint && examples < near!.maxExamples && stored < near!.maxShingles) {
          const fp = textFingerprint(nearDuplicateText(value, l.text));
          if (stored + fp.shingles.length > shingles.length)
            shingles = grow(shingles, stored + fp.shingles.length);
          shingles.set(fp.shingles, stored);
          stored += fp.shingles.length;
          offsets[l.line + 1] = stored;
          meta[4 * l.line] = fp.length;
          meta[4 * l.line + 1] = fp.hash1 | 0;
          meta[4 * l.line + 2] = fp.hash2 | 0;
          if (signed === bands.length * BANDS_CHUNK) bands.push(new Uint32Array(BAND_KEYS * BANDS_CHUNK));
          const chunk = bands[signed >> BANDS_CHUNK_SHIFT];
          const at = BAND_KEYS * (signed & (BANDS_CHUNK - 1));
          meta[4 * l.line + 3] = signer.signInto(fp.shingles, chunk, at) ? ++signed : 0;
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
      // Views of the grown arrays, not copies: a transfer keeps a view's bounds, and copying megabytes into fresh
      // memory costs more than sending the unused tail along.
      offsets: offsets.subarray(0, fingerprinted + 1),
      shingles: shingles.subarray(0, stored),
      meta: meta.subarray(0, 4 * fingerprinted),
      bands,
      template: signer.template ?? new Uint32Array(0),
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

/**
 * Which thread fingerprints which lines for near duplicates when both read the file: whichever reaches a chunk of
 * lines first claims it (an atomic compare-and-swap in memory both threads share). The thread ahead takes on work
 * and slows down, the other catches up: both finish reading at about the same time whatever their speeds (a cold
 * first call, a warm one, a busy core), with no split to tune. Lines past the claims' end are the caller's.
 */
export class NearClaims {
  static readonly CALLER = 1;
  static readonly WORKER = 2;
  readonly claims: Int8Array;
  readonly shift: number;

  /** Claims for a file of `bytes` (it has at most bytes + 1 lines): at most 2^20 chunks, of 64 lines or more. */
  static forFile(bytes: number): NearClaims {
    let shift = 6;
    while ((bytes + 1) / 2 ** shift > 1 << 20) shift++;
    const chunks = Math.ceil((bytes + 1) / 2 ** shift) + 1;
    return new NearClaims(new Int8Array(new SharedArrayBuffer(chunks)), shift);
  }

  constructor(claims: Int8Array, shift: number) {
    this.claims = claims;
    this.shift = shift;
  }

  /** Whether `me` fingerprints 0-based `line`: it claims the line's chunk unless the other thread has. */
  take(line: number, me: number): boolean {
    const chunk = line >>> this.shift;
    if (chunk >= this.claims.length) return me === NearClaims.CALLER;
    const owner = Atomics.compareExchange(this.claims, chunk, 0, me);
    return owner === 0 || owner === me;
  }
}

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
        if (warmScript !== undefined)
          setTimeout(() => spare ?? adopt(warmed(spawn(warmScript!))), 1000).unref();
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

/** Asks a new worker to run its code once on made-up data (warmUp.ts), for a long-lived process's first call. */
function warmed(w: TokenWorker): TokenWorker {
  w.worker.postMessage({ warm: true });
  return w;
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
  if (!spare) adopt(warmed(spawn(script)));
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
