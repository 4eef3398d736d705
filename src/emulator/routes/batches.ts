// The Batch API: create (from a file uploaded with purpose `batch`), retrieve, list (cursor pagination) and cancel,
// answered by the same fake model as the online endpoints; and the admin knobs (/__emulator/batches/knobs) that
// make the next batches fail requests, expire or use smaller limits.
import type { EmulatorContext, Reply, RouteRequest } from '../context';
import { HttpError, isObj, newId, paginate, requireFile } from '../context';
import type { BatchAnswer, BatchKnobs } from '../batchSim';
import { BATCH_ENDPOINTS, BatchSim, batchEndpointOf, parseBatchKnobs } from '../batchSim';
import type { Route } from '../router';
import { addStoredFile } from './files';
import { BATCH_MODEL_ANSWERS } from './models';

/** The emulator's batches (creation order) and the knobs new batches take. */
export class BatchStore {
  readonly byId = new Map<string, BatchSim>();
  knobs: BatchKnobs;

  constructor(private readonly initialKnobs: BatchKnobs = {}) {
    this.knobs = { ...initialKnobs };
  }

  async clear(): Promise<void> {
    const sims = [...this.byId.values()];
    this.byId.clear();
    this.knobs = { ...this.initialKnobs };
    await Promise.all(sims.map((b) => b.dispose()));
  }
}

function requireBatch(ctx: EmulatorContext, id: string): BatchSim {
  const b = ctx.batches.byId.get(id);
  if (!b) throw new HttpError(404, `No batch found with id '${id}'.`, 'batch_not_found', 'batch_id');
  return b;
}

function answerWith(ctx: EmulatorContext): BatchAnswer {
  return (endpoint, body) => {
    const reply = BATCH_MODEL_ANSWERS[endpoint](ctx, body);
    return { status: reply.status, body: 'json' in reply ? reply.json : null };
  };
}

function createBatch(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const body = rq.json();
  const { input_file_id, endpoint, completion_window, metadata } = body;
  for (const [k, v] of Object.entries({ input_file_id, endpoint, completion_window }))
    if (typeof v !== 'string' || !v)
      throw new HttpError(400, `Missing required parameter: '${k}'.`, 'missing_required_parameter', k);
  const ep = batchEndpointOf(endpoint);
  // Azure's v1 API also takes the endpoint without /v1 (`/chat/completions`); OpenAI wants the /v1 form.
  if (!ep || (rq.style === 'openai' && !(endpoint as string).startsWith('/v1/')))
    throw new HttpError(
      400,
      `Invalid endpoint '${String(endpoint)}'. The emulator runs batches on ${BATCH_ENDPOINTS.map((e) => `/v1${e}`).join(', ')}.`,
      'invalid_value',
      'endpoint',
    );
  if (completion_window !== '24h')
    throw new HttpError(
      400,
      `Invalid completion_window '${String(completion_window)}'. Only '24h' is supported.`,
      'invalid_value',
      'completion_window',
    );
  if (metadata !== undefined && metadata !== null && !isObj(metadata))
    throw new HttpError(400, "'metadata' must be an object of strings.", 'invalid_type', 'metadata');
  const file = requireFile(ctx, input_file_id as string);
  if (file.obj.purpose !== 'batch')
    throw new HttpError(
      400,
      `File ${file.obj.id} was uploaded with purpose '${file.obj.purpose}'; a batch input file must have purpose 'batch'.`,
      'invalid_file_purpose',
      'input_file_id',
    );
  const id = newId('batch_');
  const sim = new BatchSim({
    id,
    endpoint: ep,
    endpointAsGiven: endpoint as string,
    inputFileId: file.obj.id,
    inputPath: file.path,
    completionWindow: '24h',
    metadata: isObj(metadata) ? metadata : null,
    createdAtMs: ctx.now(),
    speed: ctx.speed,
    knobs: { ...ctx.batches.knobs },
    workDir: ctx.storage.dir,
    answer: answerWith(ctx),
    addFile: async (path, bytes, filename) => {
      ctx.storage.reserve(bytes);
      return (await addStoredFile(ctx, path, bytes, filename, 'batch_output')).obj.id;
    },
    now: () => ctx.now(),
    log: (m) => ctx.log.warn(m),
  });
  ctx.batches.byId.set(id, sim);
  return { status: 200, json: sim.view(ctx.now()) };
}

function listBatches(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const raw = rq.query.get('limit');
  if (raw !== null && !(Number.isInteger(Number(raw)) && Number(raw) >= 1 && Number(raw) <= 100))
    throw new HttpError(
      400,
      `Invalid limit: ${raw}. Expected an integer between 1 and 100.`,
      'invalid_limit',
      'limit',
    );
  const now = ctx.now();
  const newestFirst = [...ctx.batches.byId.values()].reverse().map((b) => b.view(now) as { id: string });
  const page = paginate(newestFirst, rq.query, 20);
  // The schema types first_id/last_id as strings: an empty page leaves them out.
  const ends = page.data.length
    ? { first_id: page.data[0]!.id, last_id: page.data[page.data.length - 1]!.id }
    : {};
  return { status: 200, json: { ...page, ...ends } };
}

export const batchRoutes: readonly Route[] = [
  { method: 'POST', path: '/batches', handler: createBatch },
  { method: 'GET', path: '/batches', handler: listBatches },
  {
    method: 'GET',
    path: '/batches/:id',
    handler: (ctx, rq) => ({ status: 200, json: requireBatch(ctx, rq.params.id!).view(ctx.now()) }),
  },
  {
    method: 'POST',
    path: '/batches/:id/cancel',
    handler: (ctx, rq) => {
      const b = requireBatch(ctx, rq.params.id!);
      b.cancel(ctx.now());
      return { status: 200, json: b.view(ctx.now()) };
    },
  },
];

function setKnobs(ctx: EmulatorContext, rq: RouteRequest): Reply {
  let body: unknown;
  try {
    body = rq.body.length ? JSON.parse(rq.body.toString('utf8')) : {};
    ctx.batches.knobs = parseBatchKnobs(body);
  } catch (e) {
    throw new HttpError(400, (e as Error).message);
  }
  return { status: 200, json: { knobs: ctx.batches.knobs } };
}

export const batchAdminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/__emulator/batches/knobs',
    handler: (ctx) => ({ status: 200, json: { knobs: ctx.batches.knobs } }),
  },
  { method: 'POST', path: '/__emulator/batches/knobs', handler: setKnobs },
  {
    method: 'DELETE',
    path: '/__emulator/batches/knobs',
    handler: (ctx) => {
      ctx.batches.knobs = {};
      return { status: 200, json: { knobs: {} } };
    },
  },
];
