// A local OpenAI / Azure OpenAI API emulator: a real node:http server that answers through a route table
// (one module per resource under routes/), with both path/auth styles, idempotency, fault injection and file
// content kept on disk. This file owns the request pipeline: auth, faults, idempotency, body, reply.
import { createReadStream } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import OpenAI from 'openai';
import { GraderEngine } from '../core/graders/engine';
import type { Logger } from '../core/log';
import { nullLogger } from '../core/log';
import type { EmulatorContext, Reply, RouteRequest, StoredFile, StoredUpload, Style } from './context';
import { HttpError, errorBody, newId, parseJsonObject } from './context';
import type { FaultRule } from './faults';
import { FaultInjector, apiPathOf, parseFaultHeader, parseFaultRule } from './faults';
import type { JobSim } from './jobSim';
import type { RouteMatch } from './router';
import type { RateLimitOptions } from './rateLimits';
import { RateLimiter } from './rateLimits';
import { RouteTable } from './router';
import { adminRoutes } from './routes/admin';
import type { BatchKnobs } from './batchSim';
import { BatchStore, batchAdminRoutes, batchRoutes } from './routes/batches';
import { fileRoutes } from './routes/files';
import { fineTuningRoutes } from './routes/fineTuning';
import { graderRoutes } from './routes/graders';
import { modelRoutes } from './routes/models';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_STORAGE_BYTES, FileStorage, formatBytes } from './storage';

export interface EmulatorOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** N× faster than real time (default 1: a job takes about a minute). */
  speed?: number;
  log?: Logger;
  /** Accept only these keys (default: any non-empty key). API and admin routes alike. */
  keys?: string[];
  /** Clock (ms), for tests. */
  now?: () => number;
  /** Run python graders in graders/run (off by default: they execute code from the request). */
  allowPython?: boolean;
  /** Largest file (an upload or an Upload's total) in bytes (default 512 MiB). */
  maxFileBytes?: number;
  /** All stored files and upload parts together, in bytes (default 2 GiB). */
  maxStorageBytes?: number;
  /** Per-model limits of chat completions, responses and embeddings (defaults: 10,000 RPM, 10M TPM). */
  rateLimits?: RateLimitOptions;
  /** Knobs of new batches until an admin request changes them (partial failures, expiry, limits). */
  batches?: BatchKnobs;
}

export interface Emulator {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Azure-style base URL, e.g. http://127.0.0.1:PORT/openai/v1 */
  azureUrl: string;
  port: number;
  /** Adds a fault rule (same as POST /__emulator/faults). */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Requests seen so far (method, API path, style, status), oldest first. */
  requests(): ReadonlyArray<RequestRecord>;
  close(): Promise<void>;
}

export interface RequestRecord {
  method: string;
  path: string;
  style: 'openai' | 'azure' | 'admin';
  status: number;
  fault?: string;
  /** Which credential the request carried (never its value). */
  auth: 'bearer' | 'api-key' | 'none';
  /** The Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

/** Bodies read whole (JSON); file uploads stream to disk instead and have their own caps. */
const MAX_BUFFERED_BODY = 32 * 1024 * 1024;

export const TRAINING_NOT_AVAILABLE_BODY = errorBody(
  'OpenAI is winding down the fine-tuning platform and your organization is no longer able to create new fine-tuning training jobs. Learn more https://developers.openai.com/api/docs/deprecations#update-to-openais-self-serve-fine-tuning',
  'invalid_request_error',
  'training_not_available',
  null,
);

const API_ROUTES = new RouteTable(fileRoutes, fineTuningRoutes, graderRoutes, modelRoutes, batchRoutes);
const ADMIN_ROUTES = new RouteTable(adminRoutes, batchAdminRoutes);

function positiveOr(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the cap the rest is read and dropped, so the client gets the 413 instead of a reset.
      if (size <= MAX_BUFFERED_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BUFFERED_BODY)
        reject(
          new HttpError(
            413,
            `The request body is larger than ${formatBytes(MAX_BUFFERED_BODY)}.`,
            'request_too_large',
          ),
        );
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const log = opts.log ?? nullLogger;
  const now = opts.now ?? (() => Date.now());
  const host = opts.host ?? '127.0.0.1';
  const requestLog: RequestRecord[] = [];
  let selfUrl = '';
  let engine: GraderEngine | undefined;
  const sockets = new Set<Socket>();
  const storage = new FileStorage(
    positiveOr(opts.maxFileBytes, DEFAULT_MAX_FILE_BYTES),
    positiveOr(opts.maxStorageBytes, DEFAULT_MAX_STORAGE_BYTES),
  );
  const ctx: EmulatorContext = {
    speed,
    log,
    now,
    sec: () => Math.floor(now() / 1000),
    faults: new FaultInjector(),
    storage,
    rateLimiter: new RateLimiter(opts.rateLimits ?? {}, now),
    files: new Map<string, StoredFile>(),
    uploads: new Map<string, StoredUpload>(),
    jobs: new Map<string, JobSim>(),
    jobOrder: [],
    idempotent: new Map<string, Reply>(),
    batches: new BatchStore(opts.batches),
    requestCount: () => requestLog.length,
    graderEngine: () =>
      (engine ??= new GraderEngine({
        python: { allow: opts.allowPython === true },
        log,
        // Model graders call this emulator's own fake model, with a key it accepts.
        modelClient: new OpenAI({
          baseURL: selfUrl,
          apiKey: opts.keys?.[0] ?? 'emulator-internal',
          maxRetries: 0,
        }),
      })),
  };

  function checkAuth(req: http.IncomingMessage, style: Style | 'admin'): void {
    const authz = req.headers.authorization;
    const bearer =
      typeof authz === 'string' && /^bearer\s+/i.test(authz)
        ? authz.replace(/^bearer\s+/i, '').trim()
        : undefined;
    const apiKey = typeof req.headers['api-key'] === 'string' ? req.headers['api-key'].trim() : undefined;
    const key = style === 'openai' ? bearer : (apiKey ?? bearer);
    if (!key) {
      throw new HttpError(
        401,
        style === 'azure'
          ? 'Access denied due to missing subscription key or token. Send an api-key header or an Authorization: Bearer token.'
          : style === 'admin'
            ? "The emulator's admin endpoints need its API key: send an Authorization: Bearer KEY or api-key: KEY header."
            : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        style === 'azure' ? '401' : 'invalid_api_key',
      );
    }
    if (opts.keys && !opts.keys.includes(key))
      throw new HttpError(401, 'Incorrect API key provided.', 'invalid_api_key');
  }

  function send(res: http.ServerResponse, reply: Reply, requestId: string): void {
    const headers: Record<string, string> = {
      'x-request-id': requestId,
      'openai-processing-ms': '1',
      ...(reply as { headers?: Record<string, string> }).headers,
    };
    if ('sse' in reply) {
      res.writeHead(reply.status, {
        ...headers,
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
      });
      for (const chunk of reply.sse) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    if ('filePath' in reply) {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType });
      pipeline(createReadStream(reply.filePath), res).catch((e: unknown) =>
        log.warn(`emulator: streaming ${reply.filePath} failed: ${(e as Error).message}`),
      );
      return;
    }
    if ('raw' in reply) {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType });
      res.end(reply.raw);
      return;
    }
    const text = JSON.stringify(reply.json);
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json' });
    res.end(text);
  }

  async function dispatch(
    m: RouteMatch,
    method: string,
    apiPath: string,
    url: URL,
    req: http.IncomingMessage,
    style: Style,
  ): Promise<Reply> {
    const body = m.route.streamsBody ? Buffer.alloc(0) : await readBody(req);
    let parsed: Record<string, unknown> | undefined;
    const rq: RouteRequest = {
      method,
      apiPath,
      params: m.params,
      query: url.searchParams,
      style,
      req,
      body,
      json: () => (parsed ??= parseJsonObject(body)),
    };
    return m.route.handler(ctx, rq);
  }

  function faultReply(fault: FaultRule): Reply | undefined {
    if (fault.kind === '429') {
      const secs =
        fault.retryAfter ?? (fault.retryAfterMs !== undefined ? Math.ceil(fault.retryAfterMs / 1000) : 1);
      const headers: Record<string, string> = { 'retry-after': String(secs) };
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return {
        status: 429,
        json: errorBody(
          'Rate limit reached (emulated). Please retry after a short wait.',
          'requests',
          'rate_limit_exceeded',
          null,
        ),
        headers,
      };
    }
    if (fault.kind === '500')
      return {
        status: 500,
        json: errorBody(
          'The server had an error while processing your request (emulated).',
          'server_error',
          null,
          null,
        ),
        // The SDK honours retry-after-ms on any retryable answer: lets tests retry without waiting.
        ...(fault.retryAfterMs !== undefined
          ? { headers: { 'retry-after-ms': String(fault.retryAfterMs) } }
          : {}),
      };
    if (fault.kind === 'training_not_available') return { status: 403, json: TRAINING_NOT_AVAILABLE_BODY };
    return undefined;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const path = url.pathname;
    const requestId = newId('req_');
    const isAdmin = path.startsWith('/__emulator/');
    const style: Style | 'admin' = isAdmin ? 'admin' : path.startsWith('/openai/') ? 'azure' : 'openai';
    const apiPath = isAdmin ? path : apiPathOf(path);
    const idem = req.headers['idempotency-key'];
    const record: RequestRecord = {
      method,
      path: apiPath,
      style,
      status: 0,
      auth: req.headers['api-key'] ? 'api-key' : req.headers.authorization ? 'bearer' : 'none',
      ...(typeof idem === 'string' ? { idempotencyKey: idem } : {}),
    };
    requestLog.push(record);
    if (requestLog.length > 10_000) requestLog.splice(0, requestLog.length - 10_000);
    const finish = (status: number) => {
      record.status = status;
      log.info(
        `${method} ${path} → ${status}${record.fault ? ` [fault ${record.fault}]` : ''} (${now() - started} ms)`,
      );
    };
    let reply: Reply;
    let fault: FaultRule | undefined;
    try {
      if (style === 'admin') {
        checkAuth(req, 'admin');
        const m = ADMIN_ROUTES.match(method, path, 'openai');
        if (!m) throw new HttpError(404, `Unknown admin endpoint ${method} ${path}`);
        reply = await dispatch(m, method, path, url, req, 'openai');
      } else {
        if (style === 'openai' && !path.startsWith('/v1/'))
          throw new HttpError(
            404,
            `Unknown request URL: ${method} ${path}. Use the /v1/ (OpenAI) or /openai/v1/ (Azure) prefix.`,
            'unknown_url',
          );
        const header = req.headers['x-emulator-fault'];
        if (typeof header === 'string' && header) {
          try {
            fault = parseFaultHeader(header);
          } catch (e) {
            throw new HttpError(400, `x-emulator-fault: ${(e as Error).message}`);
          }
        } else fault = ctx.faults.take(method, path);
        if (fault) record.fault = fault.kind;
        if (fault?.kind === 'reset') {
          finish(0);
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault!.delayMs ?? 3000));
        const injected = fault ? faultReply(fault) : undefined;
        if (injected) reply = injected;
        else {
          checkAuth(req, style);
          const idemKey = method === 'POST' ? req.headers['idempotency-key'] : undefined;
          const idemId =
            typeof idemKey === 'string' && idemKey ? `${method} ${apiPath} ${idemKey}` : undefined;
          const replay = idemId ? ctx.idempotent.get(idemId) : undefined;
          if (replay) {
            reply = {
              ...replay,
              headers: {
                ...(replay as { headers?: Record<string, string> }).headers,
                'idempotent-replayed': 'true',
              },
            } as Reply;
          } else {
            const m = API_ROUTES.match(method, apiPath, style);
            if (!m)
              throw new HttpError(
                404,
                `Unknown request URL: ${method} ${apiPath}. (The RFT Studio emulator implements files, uploads, fine_tuning, batches, chat/completions, responses, embeddings and models.)`,
                'unknown_url',
              );
            reply = await dispatch(m, method, apiPath, url, req, style);
            if (idemId && reply.status < 500) ctx.idempotent.set(idemId, reply);
          }
        }
      }
    } catch (e) {
      if (e instanceof HttpError)
        reply = { status: e.status, json: errorBody(e.message, e.type, e.code, e.param) };
      else {
        log.error(`emulator: ${method} ${path} failed`, e as Error);
        reply = {
          status: 500,
          json: errorBody(
            `Internal emulator error: ${(e as Error)?.message ?? String(e)}`,
            'server_error',
            null,
            null,
          ),
        };
      }
    }
    if (fault?.kind === 'drop') {
      // The request was processed but the response is lost: the nastiest case for retries.
      finish(0);
      req.socket.destroy();
      return;
    }
    finish(reply.status);
    if (!res.destroyed) send(res, reply, requestId);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('emulator: request failed', e as Error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await storage.dispose();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  selfUrl = `${origin}/v1`;
  log.info(`RFT Studio emulator listening on ${origin} (speed ${speed}×)`);
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/v1`,
    azureUrl: `${origin}/openai/v1`,
    port,
    addFault: (rule) => ctx.faults.add(parseFaultRule(rule)),
    clearFaults: () => ctx.faults.clear(),
    requests: () => requestLog,
    close() {
      closed ??= new Promise<void>((resolve) => {
        engine?.dispose();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })
        .then(() => ctx.batches.clear())
        .then(() => storage.dispose());
      return closed;
    },
  };
}
