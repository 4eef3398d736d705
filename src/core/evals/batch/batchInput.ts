// Batch input files: each request becomes one line (`custom_id` derived from its cache key) streamed into a temp
// JSONL per batch group (candidate, endpoint, model), split before a file would pass the provider's per-batch
// limits; and the index that maps a `custom_id` back to its request (read back from the spool, never kept whole).
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { closeSync, createWriteStream, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalRequest } from '../types';

/** Per-batch limits of the input file. */
export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

/**
 * OpenAI: 50,000 requests and 200 MB per input file. Azure OpenAI global batch: 100,000 requests and 200 MB per
 * file (Microsoft's published limits), within the deployment's enqueued-token quota.
 */
export const PROVIDER_BATCH_LIMITS: Record<'openai' | 'azure', BatchLimits> = {
  openai: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
  azure: { maxRequests: 100_000, maxBytes: 200 * 1024 * 1024 },
};

const CUSTOM_ID_PREFIX = 'eval-';

/** Stable across runs and restarts: the same request content is the same custom_id. */
export function customIdOf(key: string): string {
  return `${CUSTOM_ID_PREFIX}${key}`;
}

export function keyOfCustomId(customId: string): string | undefined {
  return customId.startsWith(CUSTOM_ID_PREFIX) ? customId.slice(CUSTOM_ID_PREFIX.length) : undefined;
}

/** Where a request's line lives, and what the runner needs of it without its body. */
export interface IndexedRequest {
  candidate: string;
  item: number;
  sample: number;
  endpoint: EvalRequest['endpoint'];
  spool: number;
  offset: number;
  length: number;
  /** Held lines: the resumed batch (sampler-wide number) that holds it; otherwise -1 (its spool file's batch counts). */
  batch: number;
  /** The same request given more than once: answered once, reported for each. */
  copies: number;
  answered: boolean;
}

/** One open input file of a group, filling up until a limit would be passed. */
export interface Chunk {
  group: string;
  /** Lines of requests an earlier batch (being resumed) already holds: kept for the mapping, never submitted. */
  held: boolean;
  candidate: string;
  endpoint: EvalRequest['endpoint'];
  spool: number;
  path: string;
  requests: number;
  bytes: number;
}

/**
 * Spools request lines into chunk files and indexes them. `onFull` receives a chunk that cannot take the next line
 * (the line then starts a new chunk of the same group); `drain` returns the partly filled ones at the end.
 */
export class BatchInputWriter {
  readonly index = new Map<string, IndexedRequest>();
  private readonly open = new Map<string, { chunk: Chunk; out: WriteStream }>();
  private readonly paths: string[] = [];
  private readonly fds = new Map<number, number>();

  constructor(
    private readonly dir: string,
    /** The limits of the provider a request goes to. */
    private readonly limitsOf: (request: EvalRequest) => BatchLimits,
    /** The `url` every line of a group carries (`/v1/chat/completions`, or Azure's form without /v1). */
    private readonly urlOf: (request: EvalRequest) => string,
  ) {}

  /**
   * Adds a request. Returns the chunk that was closed to make room (to be submitted), or a message when the one
   * line alone is beyond the byte limit. A request already indexed only counts one more copy.
   */
  async add(request: EvalRequest, held = false): Promise<{ full?: Chunk; tooLarge?: string }> {
    const customId = customIdOf(request.key);
    const known = this.index.get(customId);
    if (known) {
      known.copies++;
      return {};
    }
    const model = typeof request.body.model === 'string' ? request.body.model : '';
    const group = `${held ? 'held' : ''}\u0000${request.candidate}\u0000${request.endpoint}\u0000${model}`;
    const line = `${JSON.stringify({ custom_id: customId, method: 'POST', url: this.urlOf(request), body: request.body })}\n`;
    const bytes = Buffer.byteLength(line);
    const limits = this.limitsOf(request);
    if (bytes > limits.maxBytes && !held)
      return {
        tooLarge: `The request is ${bytes} bytes as a batch line, more than the ${limits.maxBytes}-byte limit of a batch input file.`,
      };
    let full: Chunk | undefined;
    let current = this.open.get(group);
    if (
      current &&
      !held &&
      (current.chunk.requests + 1 > limits.maxRequests || current.chunk.bytes + bytes > limits.maxBytes)
    ) {
      full = await this.close(group);
      current = undefined;
    }
    if (!current) {
      const spool = this.paths.length;
      const path = join(this.dir, `batch-input-${spool}.jsonl`);
      this.paths.push(path);
      current = {
        chunk: {
          group,
          held,
          candidate: request.candidate,
          endpoint: request.endpoint,
          spool,
          path,
          requests: 0,
          bytes: 0,
        },
        out: createWriteStream(path),
      };
      this.open.set(group, current);
    }
    const { chunk, out } = current;
    this.index.set(customId, {
      candidate: request.candidate,
      item: request.item,
      sample: request.sample,
      endpoint: request.endpoint,
      spool: chunk.spool,
      offset: chunk.bytes,
      length: bytes,
      batch: -1,
      copies: 1,
      answered: false,
    });
    chunk.requests++;
    chunk.bytes += bytes;
    if (!out.write(line)) await once(out, 'drain');
    return full ? { full } : {};
  }

  private async close(group: string): Promise<Chunk> {
    const { chunk, out } = this.open.get(group)!;
    this.open.delete(group);
    out.end();
    await once(out, 'close');
    return chunk;
  }

  /** Closes and returns every partly filled chunk. */
  async drain(): Promise<Chunk[]> {
    const out: Chunk[] = [];
    for (const group of [...this.open.keys()]) out.push(await this.close(group));
    return out;
  }

  /** The request a custom_id stands for, its body read back from the spool file. */
  request(customId: string): EvalRequest {
    const e = this.index.get(customId);
    if (!e) throw new Error(`unknown custom_id ${customId}`);
    let fd = this.fds.get(e.spool);
    if (fd === undefined) this.fds.set(e.spool, (fd = openSync(this.paths[e.spool]!, 'r')));
    const buf = Buffer.alloc(e.length);
    readSync(fd, buf, 0, e.length, e.offset);
    const line = JSON.parse(buf.toString('utf8')) as { body: Record<string, unknown> };
    return {
      key: keyOfCustomId(customId)!,
      candidate: e.candidate,
      item: e.item,
      sample: e.sample,
      endpoint: e.endpoint,
      body: line.body,
    };
  }

  /** Closes what is open (the folder itself is the caller's). */
  async dispose(): Promise<void> {
    for (const { out } of this.open.values()) out.destroy();
    this.open.clear();
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
