// The batch EvalSampler (issue #14): requests spooled into batch input files (split at the provider's limits),
// uploaded with purpose `batch`, one batch per file; polled with backoff (batches of an earlier run resumed by id);
// output and error files streamed back and every line mapped to its request by custom_id, exactly.
//
// Azure OpenAI: the same API under /openai/v1 on a Global Batch (or Data Zone Batch) deployment. What differs:
// `model` in each line is the deployment name (the candidate's model already is), the endpoint and urls are
// written without /v1 (`/chat/completions`), a file may hold 100,000 requests, batches draw on the deployment's
// enqueued-token quota (a batch over it fails with `token_limit_exceeded`: retryable), and Azure does not expire
// batches that run past 24 hours (OpenAI does; the requests not run come back as `batch_expired`).
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import OpenAI from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { Logger } from '../../log';
import { nullLogger } from '../../log';
import { parseAnswer } from '../requests';
import type { EvalRequest, EvalRequestFailure, EvalRunManifest, EvalSampled, EvalSampler } from '../types';
import type { BatchLimits, Chunk, IndexedRequest } from './batchInput';
import { BatchInputWriter, PROVIDER_BATCH_LIMITS, customIdOf } from './batchInput';

/** One batch as run.json keeps it. */
export type BatchRecord = NonNullable<EvalRunManifest['batches']>[number];

export type BatchStyle = 'openai' | 'azure';

export interface BatchProgress {
  batch: string;
  candidate: string;
  status: string;
  total: number;
  completed: number;
  failed: number;
}

export interface BatchSamplerOptions {
  /** The client a candidate samples through. */
  clientFor: (candidate: string) => OpenAI;
  /** Endpoint form and default limits; default: `azure` when the client's base URL is an Azure one. */
  styleFor?: (candidate: string) => BatchStyle;
  /** Per-file limits (default: the provider's). Tests set small ones. */
  limits?: Partial<BatchLimits>;
  /** run.json's `batches` of an earlier, interrupted run: resumed instead of submitted again. */
  resume?: readonly BatchRecord[];
  /**
   * Told when a batch is created and whenever its status changes, so the runner keeps run.json current; a promise
   * returned is awaited, so the record is stored before the sampler goes on (and before the run writes run.json).
   */
  onBatch?: (record: BatchRecord) => void | Promise<void>;
  onProgress?: (progress: BatchProgress) => void;
  /** A line that belongs to no request (unknown or duplicate custom_id): the provider broke the mapping. */
  onProblem?: (message: string) => void;
  /** Polling: first interval (default 2 s), growing by `factor` (1.5) to `maxMs` (60 s); back to the first on a change. */
  poll?: { initialMs?: number; maxMs?: number; factor?: number };
  /** Folder for the input spool (default: the OS temp folder). */
  tmpDir?: string;
  /** Cancel the provider's batches when the signal aborts (default: leave them running for a later resume). */
  cancelOnAbort?: boolean;
  metadata?: Record<string, string>;
  log?: Logger;
}

export interface BatchSamplerStats {
  batches: number;
  resumed: number;
  answered: number;
  failed: number;
  /** Requests of a batch with no line in its output or error file. */
  missing: number;
  unknownLines: number;
  duplicateLines: number;
  /** Lines of a resumed batch for requests not given this time (the runner's cache answered them since). */
  skippedLines: number;
}

interface Tracked {
  n: number;
  record: BatchRecord;
  client: OpenAI;
  resumed: boolean;
  /** Why the batch can no longer be read (gone, or the key lost access). */
  lost?: string;
}

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

function isAzureUrl(baseURL: string): boolean {
  return (
    /\/openai(\/v1)?\/?$/.test(baseURL) ||
    /\.(openai\.azure|cognitiveservices\.azure|services\.ai\.azure)\.com/.test(baseURL)
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class BatchSampler implements EvalSampler {
  private readonly log: Logger;
  private readonly tracked: Tracked[] = [];
  /** Spool file → the batch it was submitted as (requests are indexed by spool, not listed per batch). */
  private readonly spoolBatch = new Map<number, number>();
  readonly stats: BatchSamplerStats = {
    batches: 0,
    resumed: 0,
    answered: 0,
    failed: 0,
    missing: 0,
    unknownLines: 0,
    duplicateLines: 0,
    skippedLines: 0,
  };

  constructor(private readonly opts: BatchSamplerOptions) {
    this.log = opts.log ?? nullLogger;
  }

  private styleOf(candidate: string): BatchStyle {
    return (
      this.opts.styleFor?.(candidate) ??
      (isAzureUrl(this.opts.clientFor(candidate).baseURL) ? 'azure' : 'openai')
    );
  }

  private limitsOf(style: BatchStyle): BatchLimits {
    return { ...PROVIDER_BATCH_LIMITS[style], ...this.opts.limits };
  }

  /** `/v1/chat/completions`, or `/chat/completions` on Azure. */
  private urlOf(request: EvalRequest): string {
    return this.styleOf(request.candidate) === 'azure' ? request.endpoint.slice(3) : request.endpoint;
  }

  private batchOf(e: IndexedRequest): number {
    return e.batch >= 0 ? e.batch : (this.spoolBatch.get(e.spool) ?? -1);
  }

  private problem(message: string): void {
    this.log.warn(`batch: ${message}`);
    this.opts.onProblem?.(message);
  }

  private track(record: BatchRecord, client: OpenAI, resumed: boolean): Tracked {
    const t = { n: this.tracked.length, record: { ...record }, client, resumed };
    this.tracked.push(t);
    return t;
  }

  async *sample(
    requests: AsyncIterable<EvalRequest> | Iterable<EvalRequest>,
    signal?: AbortSignal,
  ): AsyncIterable<EvalSampled> {
    const dir = await mkdtemp(join(this.opts.tmpDir ?? tmpdir(), 'rft-batch-'));
    const writer = new BatchInputWriter(
      dir,
      (r) => this.limitsOf(this.styleOf(r.candidate)),
      (r) => this.urlOf(r),
    );
    try {
      const heldBy = await this.resumeBatches(signal);
      for await (const request of requests) {
        if (signal?.aborted) return;
        const customId = customIdOf(request.key);
        const held = heldBy.get(customId);
        const added = await writer.add(request, held !== undefined);
        if (held !== undefined) writer.index.get(customId)!.batch = held;
        if (added.tooLarge) {
          this.stats.failed++;
          writer.index.delete(customId);
          yield { request, failure: { message: added.tooLarge, retryable: false } };
        }
        if (added.full && !added.full.held) yield* this.submit(added.full, writer, signal);
      }
      for (const chunk of await writer.drain()) {
        if (signal?.aborted) return;
        if (!chunk.held) yield* this.submit(chunk, writer, signal);
      }
      yield* this.collect(writer, signal);
    } finally {
      await writer.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Which custom_ids the resumed batches hold (read from their input files, streaming). */
  private async resumeBatches(signal?: AbortSignal): Promise<Map<string, number>> {
    const heldBy = new Map<string, number>();
    for (const record of this.opts.resume ?? []) {
      const client = this.opts.clientFor(record.candidate);
      let batch: Batch;
      try {
        batch = await client.batches.retrieve(record.id, { signal });
      } catch (e) {
        if (e instanceof OpenAI.NotFoundError) {
          this.log.warn(
            `batch: ${record.id} of an earlier run no longer exists; its requests are submitted again`,
          );
          continue;
        }
        throw e;
      }
      const t = this.track({ ...record, status: batch.status }, client, true);
      this.stats.resumed++;
      try {
        for await (const line of this.lines(client, batch.input_file_id, signal)) {
          const id = (JSON.parse(line) as { custom_id?: unknown }).custom_id;
          if (typeof id === 'string') heldBy.set(id, t.n);
        }
      } catch (e) {
        if (!(e instanceof OpenAI.NotFoundError)) throw e;
        // Without its input file the batch's requests cannot be told apart: they are submitted again.
        this.log.warn(`batch: the input file of ${record.id} is gone; its requests are submitted again`);
      }
      this.log.info(`batch: resuming ${record.id} (${batch.status})`);
    }
    return heldBy;
  }

  /** Uploads a full input file and creates its batch; a chunk that cannot be submitted fails its requests. */
  private async *submit(
    chunk: Chunk,
    writer: BatchInputWriter,
    signal?: AbortSignal,
  ): AsyncGenerator<EvalSampled> {
    const client = this.opts.clientFor(chunk.candidate);
    const style = this.styleOf(chunk.candidate);
    const endpoint = (style === 'azure' ? chunk.endpoint.slice(3) : chunk.endpoint) as Batch['endpoint'] &
      OpenAI.BatchCreateParams['endpoint'];
    try {
      const file = await client.files.create(
        { file: createReadStream(chunk.path), purpose: 'batch' },
        { signal },
      );
      const batch = await client.batches.create(
        {
          input_file_id: file.id,
          endpoint,
          completion_window: '24h',
          ...(this.opts.metadata ? { metadata: this.opts.metadata } : {}),
        },
        { signal },
      );
      const t = this.track(
        { id: batch.id, candidate: chunk.candidate, input_file_id: file.id, status: batch.status },
        client,
        false,
      );
      this.stats.batches++;
      this.spoolBatch.set(chunk.spool, t.n);
      this.log.info(
        `batch: ${batch.id} submitted (${chunk.requests} requests of ${chunk.candidate}, ${chunk.bytes} bytes)`,
      );
      await this.opts.onBatch?.({ ...t.record });
    } catch (e) {
      if (signal?.aborted) return;
      const status = e instanceof OpenAI.APIError ? e.status : undefined;
      const failure: EvalRequestFailure = {
        message: `The batch could not be submitted: ${errorText(e)}`,
        ...(status !== undefined ? { status } : {}),
        retryable: status === undefined || status === 429 || status >= 500,
      };
      for (const [id, e] of writer.index)
        if (e.spool === chunk.spool && e.batch === -1 && !e.answered)
          yield* this.answer(writer, id, { failure });
    }
  }

  /** Reports one request (and its copies) once. */
  private *answer(
    writer: BatchInputWriter,
    customId: string,
    result: { failure: EvalRequestFailure } | { line: OutputLine },
  ): Generator<EvalSampled> {
    const e = writer.index.get(customId)!;
    e.answered = true;
    const request = writer.request(customId);
    const sampled =
      'failure' in result ? { request, failure: result.failure } : this.fromLine(request, result.line);
    for (let i = 0; i < e.copies; i++) {
      if ('failure' in sampled) this.stats.failed++;
      else this.stats.answered++;
      yield sampled;
    }
  }

  private fromLine(request: EvalRequest, line: OutputLine): EvalSampled {
    const r = line.response;
    if (r && typeof r.status_code === 'number' && r.status_code < 300)
      // A batch has no per-request latency to report.
      return { request, response: parseAnswer(request, r.body, 0), cached: false };
    if (r && typeof r.status_code === 'number') {
      const body = r.body as { error?: { message?: string } } | undefined;
      const s = r.status_code;
      return {
        request,
        failure: {
          message: body?.error?.message ?? `The request failed in the batch with HTTP ${s}.`,
          status: s,
          retryable: s === 408 || s === 429 || s >= 500,
        },
      };
    }
    const err = line.error;
    return {
      request,
      failure: {
        message: `${err?.code ?? 'batch_error'}: ${err?.message ?? 'the batch reported an error without a message'}`,
        retryable: true,
      },
    };
  }

  /** Polls every batch until it ends, mapping each one's files back as soon as it does. */
  private async *collect(writer: BatchInputWriter, signal?: AbortSignal): AsyncGenerator<EvalSampled> {
    const initial = this.opts.poll?.initialMs ?? 2000;
    const max = this.opts.poll?.maxMs ?? 60_000;
    const factor = this.opts.poll?.factor ?? 1.5;
    let pending = [...this.tracked];
    let wait = initial;
    while (pending.length && !signal?.aborted) {
      let changed = false;
      const still: Tracked[] = [];
      for (const t of pending) {
        let batch: Batch | undefined;
        try {
          batch = await t.client.batches.retrieve(t.record.id, { signal });
        } catch (e) {
          if (signal?.aborted) break;
          const status = e instanceof OpenAI.APIError ? e.status : undefined;
          if (status !== 401 && status !== 403 && status !== 404) {
            this.log.warn(`batch: polling ${t.record.id} failed (${errorText(e)}); trying again`);
            still.push(t);
            continue;
          }
          t.lost =
            status === 404
              ? `Batch ${t.record.id} no longer exists at the provider.`
              : `Batch ${t.record.id} can no longer be read (${errorText(e)}).`;
        }
        const status = batch?.status ?? 'lost';
        if (status !== t.record.status) {
          t.record.status = status;
          changed = true;
          await this.opts.onBatch?.({ ...t.record });
        }
        if (batch?.request_counts)
          this.opts.onProgress?.({
            batch: t.record.id,
            candidate: t.record.candidate,
            status,
            ...batch.request_counts,
          });
        if (batch && !TERMINAL.has(status)) still.push(t);
        else yield* this.mapBatch(t, batch, writer, signal);
      }
      pending = still;
      if (!pending.length || signal?.aborted) break;
      wait = changed ? initial : Math.min(max, wait * factor);
      await sleep(wait, signal);
    }
    if (signal?.aborted && this.opts.cancelOnAbort)
      for (const t of pending)
        await t.client.batches
          .cancel(t.record.id)
          .catch((e: unknown) => this.log.warn(`batch: cancelling ${t.record.id} failed: ${errorText(e)}`));
  }

  /** The output and error files of an ended batch, then a failure for each of its requests with no line. */
  private async *mapBatch(
    t: Tracked,
    batch: Batch | undefined,
    writer: BatchInputWriter,
    signal?: AbortSignal,
  ): AsyncGenerator<EvalSampled> {
    for (const fileId of [batch?.output_file_id, batch?.error_file_id]) {
      if (!fileId) continue;
      for await (const text of this.lines(t.client, fileId, signal)) {
        let line: OutputLine;
        try {
          line = JSON.parse(text) as OutputLine;
        } catch {
          this.stats.unknownLines++;
          this.problem(`${t.record.id}: a line of file ${fileId} is not JSON: ${text.slice(0, 80)}`);
          continue;
        }
        const id = typeof line.custom_id === 'string' ? line.custom_id : undefined;
        const e = id === undefined ? undefined : writer.index.get(id);
        if (!e || this.batchOf(e) !== t.n) {
          if (t.resumed && id !== undefined) this.stats.skippedLines++;
          else {
            this.stats.unknownLines++;
            this.problem(
              `${t.record.id}: file ${fileId} has a line for custom_id ${String(line.custom_id)}, which is not a request of this batch`,
            );
          }
          continue;
        }
        if (e.answered) {
          this.stats.duplicateLines++;
          this.problem(
            `${t.record.id}: custom_id ${id} appears more than once in its output; the first line counts`,
          );
          continue;
        }
        yield* this.answer(writer, id!, { line });
      }
    }
    const failure = this.missingFailure(t, batch);
    for (const [id, e] of writer.index) {
      if (e.answered || this.batchOf(e) !== t.n) continue;
      this.stats.missing += e.copies;
      yield* this.answer(writer, id, { failure });
    }
  }

  private missingFailure(t: Tracked, batch: Batch | undefined): EvalRequestFailure {
    const id = t.record.id;
    if (!batch) return { message: t.lost ?? `Batch ${id} could not be read.`, retryable: true };
    switch (batch.status) {
      case 'failed': {
        const errors = batch.errors?.data ?? [];
        const first = errors[0];
        const where = first?.line ? ` (line ${first.line})` : '';
        return {
          message: `Batch ${id} failed: ${first?.message ?? 'no reason given'}${where}${errors.length > 1 ? ` and ${errors.length - 1} more error(s)` : ''}.`,
          // Invalid input fails the same way again; a quota that was full may not be.
          retryable: errors.every((x) => x.code === 'token_limit_exceeded' || x.code === 'server_error'),
        };
      }
      case 'cancelled':
        return { message: `Batch ${id} was cancelled before this request ran.`, retryable: true };
      case 'expired':
        return { message: `Batch ${id} expired before this request ran.`, retryable: true };
      default:
        return {
          message: `Batch ${id} ended (${batch.status}) with no line for this request.`,
          retryable: true,
        };
    }
  }

  /** A provider file's non-empty lines, streamed. */
  private async *lines(client: OpenAI, fileId: string, signal?: AbortSignal): AsyncGenerator<string> {
    const res = await client.files.content(fileId, { signal });
    if (!res.body) return;
    const rl = createInterface({
      input: Readable.fromWeb(res.body as WebReadableStream),
      crlfDelay: Infinity,
    });
    try {
      for await (const line of rl) if (line.trim()) yield line;
    } finally {
      rl.close();
    }
  }
}
