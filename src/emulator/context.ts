// What every emulator route module shares: the per-instance state (files, uploads, jobs, idempotency cache),
// the clock, the reply and error shapes (OpenAI's error envelope), ids, pagination and JSON-body helpers.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraderEngine } from '../core/graders/engine';
import type { Logger } from '../core/log';
import type { FaultInjector } from './faults';
import type { BatchStore } from './routes/batches';
import type { FileCheck } from './jobSim';
import type { JobSim } from './jobSim';
import type { RateLimiter } from './rateLimits';
import type { FileStorage } from './storage';

export type Style = 'openai' | 'azure';

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; raw: Buffer | string; contentType: string; headers?: Record<string, string> }
  /** A file on disk, streamed to the client. */
  | { status: number; filePath: string; contentType: string; headers?: Record<string, string> }
  | { status: number; sse: unknown[] };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

export function errorBody(message: string, type: string, code: string | null, param: string | null) {
  return { error: { message, type, param, code } };
}

export function newId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(24);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}${s}`;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Cursor pagination over newest-first items: `after` is an item id; items after it are older. */
export function paginate<T extends { id: string }>(items: T[], query: URLSearchParams, defaultLimit: number) {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new HttpError(
      400,
      `Invalid limit: ${rawLimit}. Expected an integer between 1 and 10000.`,
      'invalid_limit',
      'limit',
    );
  const after = query.get('after');
  let start = 0;
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    start = i < 0 ? items.length : i + 1;
  }
  const data = items.slice(start, start + limit);
  return { object: 'list' as const, data, has_more: start + limit < items.length };
}

/** `paginate` plus the `first_id`/`last_id` cursors that the files and checkpoints lists carry. */
export function paginateWithIds<T extends { id: string }>(
  items: T[],
  query: URLSearchParams,
  defaultLimit: number,
) {
  const page = paginate(items, query, defaultLimit);
  return {
    ...page,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data[page.data.length - 1]?.id ?? null,
  };
}

export interface StoredFile {
  obj: Record<string, unknown> & {
    id: string;
    bytes: number;
    filename: string;
    purpose: string;
    created_at: number;
  };
  /** The content, on disk in the instance's temporary folder. */
  path: string;
  processedAt: number;
  check?: FileCheck & { formatError?: string };
  deleted?: boolean;
}

export interface StoredPart {
  path: string;
  bytes: number;
}

export interface StoredUpload {
  obj: Record<string, unknown> & {
    id: string;
    bytes: number;
    filename: string;
    purpose: string;
    status: string;
  };
  parts: Map<string, StoredPart>;
  mimeType: string;
}

/** One emulator instance: its state and services, handed to every route handler. */
export interface EmulatorContext {
  readonly speed: number;
  readonly log: Logger;
  now(): number;
  /** now() in whole seconds, as the API's timestamps. */
  sec(): number;
  readonly faults: FaultInjector;
  readonly storage: FileStorage;
  /** Per-model request/token limits of the model endpoints. */
  readonly rateLimiter: RateLimiter;
  readonly files: Map<string, StoredFile>;
  readonly uploads: Map<string, StoredUpload>;
  readonly jobs: Map<string, JobSim>;
  /** Job ids, oldest first. */
  readonly jobOrder: string[];
  readonly idempotent: Map<string, Reply>;
  /** Batch API batches and the knobs new ones take. */
  readonly batches: BatchStore;
  /** Requests seen so far (for the admin state view). */
  requestCount(): number;
  /** The grader engine; model graders call this emulator's own fake model. */
  graderEngine(): GraderEngine;
}

/** One request as a route handler sees it. */
export interface RouteRequest {
  method: string;
  /** The path without its /v1, /openai/v1 or /openai prefix (admin routes: the whole path). */
  apiPath: string;
  params: Record<string, string>;
  query: URLSearchParams;
  style: Style;
  req: IncomingMessage;
  /** The buffered body (empty for routes that stream their body). */
  body: Buffer;
  /** The body as a JSON object (400 in the OpenAI error shape otherwise); {} when empty. */
  json(): Record<string, unknown>;
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(
      400,
      `We could not parse the JSON body of your request: ${(e as Error).message}`,
      'invalid_json',
    );
  }
  if (!isObj(v)) throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_json');
  return v;
}

export function requireFile(ctx: EmulatorContext, id: string): StoredFile {
  const f = ctx.files.get(id);
  if (!f || f.deleted) throw new HttpError(404, `No such File object: ${id}`, null, 'id');
  return f;
}

export function requireJob(ctx: EmulatorContext, id: string): JobSim {
  const j = ctx.jobs.get(id);
  if (!j)
    throw new HttpError(
      404,
      `Could not find fine-tuning job ${id}.`,
      'fine_tune_not_found',
      'fine_tuning_job_id',
    );
  j.advance(ctx.now());
  return j;
}
