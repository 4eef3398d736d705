// One emulated Batch API batch over (sped-up) time — validating → in_progress → finalizing → completed, or failed
// (invalid input), expired (the window ran out) and cancelling → cancelled — and the knobs tests set for new
// batches (partial failures, expiry, per-batch limits). The input file is read and the output written as streams.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { HttpError, isObj, newId } from './context';
import { seedOf } from './fakeModel';

/** OpenAI's per-batch limits (the emulator's defaults; Azure allows 100,000 requests per file). */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const;

/** Durations at speed 1 (ms): a small batch takes about half a minute. */
export const BATCH_DURATIONS = { validating: 3000, inProgress: 20_000, finalizing: 2000, cancelling: 2000 };

/** What the admin endpoint (or the emulator's options) sets for the batches created afterwards. */
export interface BatchKnobs {
  /** Fraction of requests answered with a 500 in the error file, chosen by a hash of the custom_id (stable). */
  fail_fraction?: number;
  /** These custom_ids are answered with a 500 in the error file. */
  fail_custom_ids?: string[];
  /** The window runs out after this many requests: the rest are `batch_expired` in the error file. */
  expire_after?: number;
  /** Requests per input file (default 50,000). */
  max_requests?: number;
  /** Input file size in bytes (default 200 MB). */
  max_bytes?: number;
}

export function parseBatchKnobs(v: unknown): BatchKnobs {
  if (!isObj(v)) throw new Error('batch knobs must be a JSON object');
  const out: BatchKnobs = {};
  const num = (k: keyof BatchKnobs, min: number, max: number, int: boolean) => {
    const x = v[k];
    if (x === undefined) return;
    if (typeof x !== 'number' || !(x >= min && x <= max) || (int && !Number.isInteger(x)))
      throw new Error(`${k} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}`);
    (out as Record<string, number>)[k] = x;
  };
  num('fail_fraction', 0, 1, false);
  num('expire_after', 0, Number.MAX_SAFE_INTEGER, true);
  num('max_requests', 1, Number.MAX_SAFE_INTEGER, true);
  num('max_bytes', 1, Number.MAX_SAFE_INTEGER, true);
  if (v.fail_custom_ids !== undefined) {
    if (!Array.isArray(v.fail_custom_ids) || v.fail_custom_ids.some((x) => typeof x !== 'string'))
      throw new Error('fail_custom_ids must be a list of strings');
    out.fail_custom_ids = v.fail_custom_ids as string[];
  }
  const unknown = Object.keys(v).filter(
    (k) => !['fail_fraction', 'fail_custom_ids', 'expire_after', 'max_requests', 'max_bytes'].includes(k),
  );
  if (unknown.length) throw new Error(`unknown batch knob(s): ${unknown.join(', ')}`);
  return out;
}

/** The batch endpoints the emulator runs, as written in `endpoint` and in each line's `url` (without /v1). */
export const BATCH_ENDPOINTS = ['/chat/completions', '/responses', '/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** `/v1/chat/completions` (OpenAI) or `/chat/completions` (Azure also accepts it) → `/chat/completions`. */
export function batchEndpointOf(url: unknown): BatchEndpoint | undefined {
  if (typeof url !== 'string') return undefined;
  const p = url.startsWith('/v1/') ? url.slice(3) : url;
  return (BATCH_ENDPOINTS as readonly string[]).includes(p) ? (p as BatchEndpoint) : undefined;
}

/** The fake model's answer to one line's body: status and JSON body, as the online endpoint would answer. */
export type BatchAnswer = (
  endpoint: BatchEndpoint,
  body: Record<string, unknown>,
) => {
  status: number;
  body: unknown;
};

export interface BatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

type Phase =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'expiring'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

export interface BatchSimInit {
  id: string;
  endpoint: BatchEndpoint;
  /** As given at creation (`/v1/chat/completions` or `/chat/completions`). */
  endpointAsGiven: string;
  inputFileId: string;
  inputPath: string;
  completionWindow: string;
  metadata: Record<string, unknown> | null;
  createdAtMs: number;
  speed: number;
  knobs: BatchKnobs;
  /** A folder for the results being written. */
  workDir: string;
  answer: BatchAnswer;
  /** Registers a finished output or error file; returns its id. */
  addFile: (path: string, bytes: number, filename: string) => Promise<string>;
  now: () => number;
  log: (message: string) => void;
}

const WINDOW_MS = 24 * 3600 * 1000;

function lineOf(customId: string, response: unknown, error: unknown): string {
  return `${JSON.stringify({ id: newId('batch_req_'), custom_id: customId, response, error })}\n`;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

async function closeStream(out: Writable): Promise<void> {
  out.end();
  await once(out, 'close');
}

function usageOf(body: unknown): Usage {
  const u = isObj(body) && isObj(body.usage) ? body.usage : {};
  const n = (x: unknown) => (typeof x === 'number' ? x : 0);
  const details = isObj(u.completion_tokens_details)
    ? u.completion_tokens_details
    : isObj(u.output_tokens_details)
      ? u.output_tokens_details
      : {};
  return {
    input_tokens: n(u.input_tokens ?? u.prompt_tokens),
    output_tokens: n(u.output_tokens ?? u.completion_tokens),
    reasoning_tokens: n(details.reasoning_tokens),
  };
}

export class BatchSim {
  readonly id: string;
  private phase: Phase = 'validating';
  private readonly createdAt: number;
  private readonly times: Partial<Record<Phase, number>> = {};
  private readonly expiresAt: number;
  private errors: BatchError[] = [];
  private validated?: { at: number };
  private processed?: { at: number };
  private finalized?: { at: number };
  private model: string | undefined;
  private total = 0;
  /** Requests answered so far (success or error line), in input order. */
  private done = 0;
  private okCount = 0;
  /** Cut: only the first `cut` requests count (cancel, expiry). */
  private cut: number | undefined;
  private expiredCut = false;
  private outputFileId: string | undefined;
  private errorFileId: string | undefined;
  /** What the output and error files hold, counted as they are written. */
  private readonly final = {
    ok: 0,
    failed: 0,
    usage: { input_tokens: 0, output_tokens: 0, reasoning_tokens: 0 },
  };
  private readonly resultsPath: string;
  private readonly running: Promise<void>;

  constructor(private readonly init: BatchSimInit) {
    this.id = init.id;
    this.createdAt = init.createdAtMs;
    this.expiresAt = init.createdAtMs + WINDOW_MS;
    this.resultsPath = join(init.workDir, `${randomUUID()}.results`);
    this.running = this.run().catch((e: unknown) =>
      this.fail('server_error', `The batch failed: ${(e as Error).message}`),
    );
  }

  private dur(kind: keyof typeof BATCH_DURATIONS): number {
    return BATCH_DURATIONS[kind] / this.init.speed;
  }

  private fail(code: string, message: string): void {
    this.init.log(`emulator: batch ${this.id}: ${message}`);
    this.errors = [{ code, message, param: null, line: null }];
    if (this.phase !== 'validating' && this.phase !== 'in_progress') return;
    this.times.failed = this.init.now();
    this.phase = 'failed';
  }

  /** Validation, then the answers in input order into one scratch file (hidden until finalization). */
  private async run(): Promise<void> {
    await this.validate();
    this.validated = { at: this.init.now() };
    if (this.errors.length) return;
    await this.process();
    this.processed = { at: this.init.now() };
  }

  private async validate(): Promise<void> {
    const maxRequests = this.init.knobs.max_requests ?? OPENAI_BATCH_LIMITS.maxRequests;
    const maxBytes = this.init.knobs.max_bytes ?? OPENAI_BATCH_LIMITS.maxBytes;
    const err = (code: string, message: string, line: number | null, param: string | null = null) => {
      if (this.errors.length < 10) this.errors.push({ code, message, param, line });
    };
    const bytes = (await stat(this.init.inputPath)).size;
    if (bytes > maxBytes) {
      err(
        'file_too_large',
        `The input file is ${bytes} bytes; a batch input file may be at most ${maxBytes} bytes.`,
        null,
      );
      return;
    }
    const seen = new Set<string>();
    let n = 0;
    const lines = createInterface({
      input: createReadStream(this.init.inputPath, 'utf8'),
      crlfDelay: Infinity,
    });
    for await (const raw of lines) {
      n++;
      const text = (n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
      if (!text) continue;
      this.total++;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        err('invalid_json_line', `Line ${n} is not valid JSON.`, n);
        continue;
      }
      if (!isObj(v)) {
        err('invalid_json_line', `Line ${n} is not a JSON object.`, n);
        continue;
      }
      if (typeof v.custom_id !== 'string' || !v.custom_id)
        err('missing_required_parameter', `Line ${n} has no custom_id.`, n, 'custom_id');
      else if (seen.has(v.custom_id))
        err(
          'duplicate_custom_id',
          `The custom_id '${v.custom_id}' on line ${n} is not unique: every request of a batch needs its own.`,
          n,
          'custom_id',
        );
      else seen.add(v.custom_id);
      if (v.method !== 'POST')
        err(
          'invalid_method',
          `Line ${n}: method must be POST (got ${JSON.stringify(v.method)}).`,
          n,
          'method',
        );
      if (batchEndpointOf(v.url) !== this.init.endpoint)
        err(
          'invalid_url',
          `Line ${n}: url ${JSON.stringify(v.url)} does not match the batch's endpoint ${this.init.endpointAsGiven}; every line must use it.`,
          n,
          'url',
        );
      if (!isObj(v.body)) {
        err('missing_required_parameter', `Line ${n} has no body object.`, n, 'body');
        continue;
      }
      const model = v.body.model;
      if (typeof model !== 'string' || !model)
        err('missing_required_parameter', `Line ${n}: the body has no model.`, n, 'body.model');
      else if (this.model === undefined) this.model = model;
      else if (model !== this.model)
        err(
          'mismatched_model',
          `Line ${n} uses model '${model}' but earlier lines use '${this.model}': a batch runs one model.`,
          n,
          'body.model',
        );
    }
    if (this.total === 0) err('empty_file', 'The input file has no requests.', null);
    if (this.total > maxRequests)
      err(
        'too_many_requests',
        `The input file holds ${this.total} requests; a batch may hold at most ${maxRequests}.`,
        null,
      );
  }

  private failsOnPurpose(customId: string): boolean {
    const k = this.init.knobs;
    if (k.fail_custom_ids?.includes(customId)) return true;
    return !!k.fail_fraction && seedOf('batch-fail', customId) / 2 ** 32 < k.fail_fraction;
  }

  private async process(): Promise<void> {
    const out = createWriteStream(this.resultsPath);
    const lines = createInterface({
      input: createReadStream(this.init.inputPath, 'utf8'),
      crlfDelay: Infinity,
    });
    const expireAfter = this.init.knobs.expire_after;
    try {
      for await (const raw of lines) {
        const text = raw.replace(/^\uFEFF/, '').trim();
        if (!text) continue;
        if (this.cut !== undefined && this.done >= this.cut) break;
        if (expireAfter !== undefined && this.done >= expireAfter) {
          this.cut = expireAfter;
          this.expiredCut = true;
          break;
        }
        const v = JSON.parse(text) as { custom_id: string; body: Record<string, unknown> };
        const requestId = newId('req_');
        let status: number;
        let body: unknown;
        if (this.failsOnPurpose(v.custom_id)) {
          status = 500;
          body = {
            error: {
              message: 'The server had an error while processing your request (emulated).',
              type: 'server_error',
              param: null,
              code: null,
            },
          };
        } else if (v.body.stream === true) {
          status = 400;
          body = {
            error: {
              message: 'Streaming is not supported in the Batch API.',
              type: 'invalid_request_error',
              param: 'stream',
              code: 'unsupported_parameter',
            },
          };
        } else {
          try {
            ({ status, body } = this.init.answer(this.init.endpoint, v.body));
          } catch (e) {
            if (!(e instanceof HttpError)) throw e;
            status = e.status;
            body = { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
          }
        }
        if (status < 400) this.okCount++;
        await write(out, lineOf(v.custom_id, { status_code: status, request_id: requestId, body }, null));
        this.done++;
      }
    } finally {
      lines.close();
      await closeStream(out);
    }
  }

  /** Splits the first `limit` answers into the output and error files; requests past an expiry cut become `batch_expired` errors. */
  private async finalize(limit: number, expired: boolean): Promise<void> {
    const okPath = join(this.init.workDir, `${randomUUID()}.jsonl`);
    const errPath = join(this.init.workDir, `${randomUUID()}.jsonl`);
    const ok = createWriteStream(okPath);
    const bad = createWriteStream(errPath);
    let okBytes = 0;
    let badBytes = 0;
    let i = 0;
    try {
      const results = createInterface({
        input: createReadStream(this.resultsPath, 'utf8'),
        crlfDelay: Infinity,
      });
      for await (const line of results) {
        if (i >= limit) break;
        i++;
        const s = `${line}\n`;
        const { response } = JSON.parse(line) as { response: { status_code: number; body: unknown } };
        if (response.status_code < 400) {
          const u = usageOf(response.body);
          this.final.ok++;
          this.final.usage.input_tokens += u.input_tokens;
          this.final.usage.output_tokens += u.output_tokens;
          this.final.usage.reasoning_tokens += u.reasoning_tokens;
          okBytes += Buffer.byteLength(s);
          await write(ok, s);
        } else {
          this.final.failed++;
          badBytes += Buffer.byteLength(s);
          await write(bad, s);
        }
      }
      results.close();
      if (expired) {
        let n = 0;
        const input = createInterface({
          input: createReadStream(this.init.inputPath, 'utf8'),
          crlfDelay: Infinity,
        });
        for await (const raw of input) {
          const text = raw.replace(/^\uFEFF/, '').trim();
          if (!text) continue;
          if (n++ < limit) continue;
          const { custom_id } = JSON.parse(text) as { custom_id: string };
          const s = lineOf(custom_id, null, {
            code: 'batch_expired',
            message: 'This request could not be executed before the completion window expired.',
          });
          this.final.failed++;
          badBytes += Buffer.byteLength(s);
          await write(bad, s);
        }
        input.close();
      }
    } finally {
      await Promise.all([closeStream(ok), closeStream(bad)]);
      await rm(this.resultsPath, { force: true });
    }
    if (okBytes) this.outputFileId = await this.init.addFile(okPath, okBytes, `${this.id}_output.jsonl`);
    else await rm(okPath, { force: true });
    if (badBytes) this.errorFileId = await this.init.addFile(errPath, badBytes, `${this.id}_error.jsonl`);
    else await rm(errPath, { force: true });
  }

  private startFinalize(expired: boolean): void {
    // Cancelled while validating, or invalid input: nothing ran, so there is nothing to write.
    if (this.errors.length || (this.cut === 0 && !expired)) {
      void rm(this.resultsPath, { force: true }).finally(() => {
        this.finalized = { at: this.init.now() };
      });
      return;
    }
    const limit = this.cut ?? this.done;
    this.finalize(limit, expired).then(
      () => {
        this.finalized = { at: this.init.now() };
      },
      (e: unknown) => {
        this.init.log(`emulator: finalizing batch ${this.id} failed: ${(e as Error).message}`);
        this.finalized = { at: this.init.now() };
      },
    );
  }

  /** Requests the outside world sees as done at `now` (the scratch file may be further along). */
  private visibleDone(now: number): number {
    const done = this.cut !== undefined ? Math.min(this.done, this.cut) : this.done;
    if (this.phase !== 'in_progress') return done;
    const started = this.times.in_progress!;
    const share = Math.min(1, (now - started) / this.dur('inProgress'));
    return Math.min(done, Math.floor(this.total * share));
  }

  /** Brings the batch up to `now`; every transition happens at the exact time it was due. */
  advance(now: number): void {
    for (;;) {
      switch (this.phase) {
        case 'validating': {
          if (!this.validated) return;
          const at = Math.max(this.createdAt + this.dur('validating'), this.validated.at);
          if (now < at) return;
          if (this.errors.length) {
            this.times.failed = at;
            this.phase = 'failed';
            return;
          }
          this.times.in_progress = at;
          this.phase = 'in_progress';
          continue;
        }
        case 'in_progress': {
          if (now >= this.expiresAt && !this.processed) {
            // The window ran out (at speed 1, after 24 hours): whatever is done by now is kept.
            this.cut = this.visibleDone(this.expiresAt);
            this.expiredCut = true;
          }
          if (!this.processed && !this.expiredCut) return;
          const at = Math.max(this.times.in_progress! + this.dur('inProgress'), this.processed?.at ?? 0);
          if (!this.expiredCut && now < at) return;
          if (this.expiredCut) {
            this.phase = 'expiring';
            this.startFinalize(true);
            return;
          }
          this.times.finalizing = at;
          this.phase = 'finalizing';
          this.startFinalize(false);
          return;
        }
        case 'finalizing':
        case 'expiring':
        case 'cancelling': {
          if (!this.finalized) return;
          const start = this.times[this.phase === 'cancelling' ? 'cancelling' : 'finalizing'] ?? 0;
          const at = Math.max(
            start + this.dur(this.phase === 'cancelling' ? 'cancelling' : 'finalizing'),
            this.finalized.at,
          );
          if (now < at) return;
          const next =
            this.phase === 'finalizing' ? 'completed' : this.phase === 'expiring' ? 'expired' : 'cancelled';
          this.times[next] = at;
          this.phase = next;
          return;
        }
        default:
          return;
      }
    }
  }

  /** POST /batches/:id/cancel: the requests done so far are kept; the rest never run. */
  cancel(now: number): void {
    this.advance(now);
    if (this.phase !== 'validating' && this.phase !== 'in_progress')
      throw new HttpError(
        409,
        `Cannot cancel a batch with status '${this.status()}'.`,
        'batch_not_cancellable',
        'batch_id',
      );
    this.cut = this.phase === 'validating' ? 0 : this.visibleDone(now);
    this.times.cancelling = now;
    this.phase = 'cancelling';
    // Validation or processing may still be reading the input; the cut stops them wherever they are.
    void this.running.then(() => this.startFinalize(false));
  }

  private status(): string {
    return this.phase === 'expiring' ? 'in_progress' : this.phase;
  }

  /** The Batch object; absent times are left out (the OpenAPI schema types them as integers). */
  view(now: number): Record<string, unknown> {
    this.advance(now);
    const s = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
    const counted = this.phase === 'validating' || this.phase === 'failed' ? 0 : this.visibleDone(now);
    const terminal = ['completed', 'expired', 'cancelled'].includes(this.phase);
    const completed = terminal
      ? this.final.ok
      : Math.round((counted * this.okCount) / Math.max(1, this.done));
    const usage = this.final.usage;
    const obj: Record<string, unknown> = {
      id: this.id,
      object: 'batch',
      endpoint: this.init.endpointAsGiven,
      ...(this.model ? { model: this.model } : {}),
      ...(this.phase === 'failed' ? { errors: { object: 'list', data: this.errors } } : {}),
      input_file_id: this.init.inputFileId,
      completion_window: this.init.completionWindow,
      status: this.status(),
      ...(this.outputFileId && terminal ? { output_file_id: this.outputFileId } : {}),
      ...(this.errorFileId && terminal ? { error_file_id: this.errorFileId } : {}),
      created_at: s(this.createdAt),
      in_progress_at: s(this.times.in_progress),
      expires_at: s(this.expiresAt),
      finalizing_at: s(this.times.finalizing),
      completed_at: s(this.times.completed),
      failed_at: s(this.times.failed),
      expired_at: s(this.times.expired),
      cancelling_at: s(this.times.cancelling),
      cancelled_at: s(this.times.cancelled),
      request_counts: {
        total: this.phase === 'validating' || this.phase === 'failed' ? 0 : this.total,
        completed,
        failed: terminal ? this.final.failed : counted - completed,
      },
      ...(terminal
        ? {
            usage: {
              input_tokens: usage.input_tokens,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: usage.output_tokens,
              output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
              total_tokens: usage.input_tokens + usage.output_tokens,
            },
          }
        : {}),
      metadata: this.init.metadata,
    };
    for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
    return obj;
  }

  /** Scratch files left when the emulator resets or closes mid-batch. */
  async dispose(): Promise<void> {
    this.cut = 0;
    await rm(this.resultsPath, { force: true });
  }
}
