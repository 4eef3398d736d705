// Fine-tuning jobs: create (with the platform's checks of files, grader, hyperparameters, suffix and
// metadata), list with metadata filters, retrieve, pause/resume/cancel, events and checkpoints.
import { randomBytes } from 'node:crypto';
import type { EmulatorContext, Reply, RouteRequest, StoredFile, Style } from '../context';
import { HttpError, isObj, newId, paginate, paginateWithIds, requireJob } from '../context';
import type { WireJob } from '../jobSim';
import { JobSim } from '../jobSim';
import type { Route } from '../router';
import { addGeneratedFile } from './files';
import { graderProblem } from './graders';

function jobFile(ctx: EmulatorContext, id: unknown, param: 'training_file' | 'validation_file'): StoredFile {
  if (typeof id !== 'string' || !id) throw new HttpError(400, `Missing ${param}.`, 'invalid_request', param);
  const f = ctx.files.get(id);
  if (!f || f.deleted)
    throw new HttpError(400, `Invalid file id: ${id} (${param}) does not exist.`, 'invalid_file_id', param);
  if (f.obj.purpose !== 'fine-tune')
    throw new HttpError(
      400,
      `File ${id} has purpose "${f.obj.purpose}"; fine-tuning needs purpose "fine-tune".`,
      'invalid_file_purpose',
      param,
    );
  if (ctx.now() < f.processedAt)
    throw new HttpError(
      400,
      `File '${id}' is still being processed and is not ready to be used for fine-tuning. Please try again later.`,
      'file_not_ready',
      param,
    );
  if (f.check?.formatError)
    throw new HttpError(
      400,
      `File ${id} failed processing: ${f.check.formatError}`,
      'invalid_file_format',
      param,
    );
  return f;
}

function checkHyperparameters(hp: unknown): void {
  if (hp === undefined) return;
  if (!isObj(hp))
    throw new HttpError(
      400,
      'hyperparameters must be an object.',
      'invalid_hyperparameters',
      'method.reinforcement.hyperparameters',
    );
  const range = (k: string, ok: (v: number) => boolean, desc: string) => {
    const v = hp[k];
    if (v === undefined || v === 'auto') return;
    if (typeof v !== 'number' || !ok(v))
      throw new HttpError(
        400,
        `Invalid hyperparameter ${k}=${JSON.stringify(v)}: expected "auto" or ${desc}.`,
        'invalid_hyperparameters',
        `method.reinforcement.hyperparameters.${k}`,
      );
  };
  range('n_epochs', (v) => Number.isInteger(v) && v >= 1 && v <= 50, 'an integer 1–50');
  range('batch_size', (v) => Number.isInteger(v) && v >= 1 && v <= 256, 'an integer 1–256');
  range('learning_rate_multiplier', (v) => v > 0, 'a number > 0');
  range('eval_interval', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  range('eval_samples', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  range('compute_multiplier', (v) => v > 0.00001 && v <= 10, 'a number in (0.00001, 10]');
  const re = hp.reasoning_effort;
  if (re !== undefined && !['default', 'low', 'medium', 'high'].includes(re as string))
    throw new HttpError(
      400,
      `Invalid reasoning_effort ${JSON.stringify(re)}: expected default, low, medium or high.`,
      'invalid_hyperparameters',
      'method.reinforcement.hyperparameters.reasoning_effort',
    );
}

function createJob(ctx: EmulatorContext, body: Record<string, unknown>, style: Style): WireJob {
  if (typeof body.model !== 'string' || !body.model)
    throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
  const method = isObj(body.method) ? body.method : { type: 'supervised', supervised: {} };
  const type = method.type;
  if (type !== 'reinforcement' && type !== 'supervised' && type !== 'dpo')
    throw new HttpError(400, `Invalid method.type ${JSON.stringify(type)}.`, 'invalid_method', 'method.type');
  const training = jobFile(ctx, body.training_file, 'training_file');
  let validation: StoredFile | undefined;
  if (body.validation_file !== undefined && body.validation_file !== null)
    validation = jobFile(ctx, body.validation_file, 'validation_file');
  if (type === 'reinforcement') {
    const rl = method.reinforcement;
    if (!isObj(rl))
      throw new HttpError(
        400,
        'method.reinforcement is required for reinforcement fine-tuning.',
        'invalid_method',
        'method.reinforcement',
      );
    const problem = graderProblem(rl.grader);
    if (problem)
      throw new HttpError(400, `Invalid grader: ${problem}`, 'invalid_grader', 'method.reinforcement.grader');
    if (!validation)
      throw new HttpError(
        400,
        'Reinforcement fine-tuning requires a validation_file.',
        'missing_required_parameter',
        'validation_file',
      );
    checkHyperparameters(rl.hyperparameters);
  }
  const suffix = body.suffix;
  if (suffix !== undefined && suffix !== null) {
    if (typeof suffix !== 'string' || suffix.length < 1 || suffix.length > (style === 'azure' ? 40 : 64))
      throw new HttpError(
        400,
        `suffix must be 1–${style === 'azure' ? 40 : 64} characters.`,
        'invalid_suffix',
        'suffix',
      );
    if (style === 'azure' && !/^[A-Za-z0-9_-]+$/.test(suffix))
      throw new HttpError(
        400,
        'suffix may only contain letters, digits, "-" and "_".',
        'invalid_suffix',
        'suffix',
      );
  }
  let metadata: Record<string, string> | null = null;
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isObj(body.metadata))
      throw new HttpError(400, 'metadata must be an object of strings.', 'invalid_metadata', 'metadata');
    const entries = Object.entries(body.metadata);
    if (entries.length > 16)
      throw new HttpError(400, 'metadata may have at most 16 keys.', 'invalid_metadata', 'metadata');
    for (const [k, v] of entries) {
      if (k.length > 64)
        throw new HttpError(
          400,
          `metadata key "${k.slice(0, 20)}…" is longer than 64 characters.`,
          'invalid_metadata',
          'metadata',
        );
      if (typeof v !== 'string' || v.length > 512)
        throw new HttpError(
          400,
          `metadata value of "${k}" must be a string of at most 512 characters.`,
          'invalid_metadata',
          'metadata',
        );
    }
    metadata = Object.fromEntries(entries) as Record<string, string>;
  }
  if (body.seed !== undefined && body.seed !== null && !Number.isInteger(body.seed))
    throw new HttpError(400, 'seed must be an integer.', 'invalid_seed', 'seed');
  const seed = typeof body.seed === 'number' ? body.seed : randomBytes(4).readUInt32LE(0) >>> 1;
  const id = newId('ftjob-');
  const sub = isObj(method[type]) ? (method[type] as Record<string, unknown>) : {};
  const hp = isObj(sub.hyperparameters) ? sub.hyperparameters : {};
  const job: WireJob = {
    object: 'fine_tuning.job',
    id,
    created_at: ctx.sec(),
    error: null,
    fine_tuned_model: null,
    finished_at: null,
    hyperparameters: {
      n_epochs: hp.n_epochs ?? 'auto',
      batch_size: hp.batch_size ?? 'auto',
      learning_rate_multiplier: hp.learning_rate_multiplier ?? 'auto',
    },
    model: body.model,
    organization_id: 'org-emulator',
    result_files: [],
    seed,
    status: 'validating_files',
    trained_tokens: null,
    training_file: training.obj.id,
    validation_file: validation?.obj.id ?? null,
    integrations: Array.isArray(body.integrations) ? body.integrations : null,
    estimated_finish: null,
    method: { ...method, [type]: { ...sub, hyperparameters: { ...hp } } },
    metadata,
    user_provided_suffix: typeof suffix === 'string' ? suffix : null,
    shared_with_openai: false,
    eval_id: newId('eval_'),
  };
  const sim = new JobSim({
    id,
    job,
    createdAtMs: ctx.now(),
    speed: ctx.speed,
    newId,
    training: training.check ?? { examples: 0 },
    validation: validation?.check,
    writeResults: (csv) => addGeneratedFile(ctx, csv, 'step_metrics.csv', 'fine-tune-results').obj.id,
  });
  ctx.jobs.set(id, sim);
  ctx.jobOrder.push(id);
  return job;
}

function listJobs(ctx: EmulatorContext, query: URLSearchParams) {
  const filters: Array<[string, string]> = [];
  for (const [k, v] of query) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m) filters.push([m[1]!, v]);
  }
  if (query.get('metadata') === 'null') filters.push(['\u0000none', '']);
  const all = [...ctx.jobOrder]
    .reverse()
    .map((id) => requireJob(ctx, id).job)
    .filter((j) =>
      filters.every(([k, v]) =>
        k === '\u0000none' ? !j.metadata || Object.keys(j.metadata).length === 0 : j.metadata?.[k] === v,
      ),
    );
  return paginate(all, query, 20);
}

function jobAction(action: 'cancel' | 'pause' | 'resume') {
  return (ctx: EmulatorContext, rq: RouteRequest): Reply => {
    const sim = requireJob(ctx, rq.params.id!);
    const problem =
      action === 'cancel'
        ? sim.cancel(ctx.now())
        : action === 'pause'
          ? sim.pause(ctx.now())
          : sim.resume(ctx.now());
    if (problem) throw new HttpError(400, problem, 'invalid_job_state', 'fine_tuning_job_id');
    return { status: 200, json: sim.job };
  };
}

function events(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const sim = requireJob(ctx, rq.params.id!);
  return { status: 200, json: paginate([...sim.events].reverse(), rq.query, 20) };
}

function checkpoints(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const sim = requireJob(ctx, rq.params.id!);
  return { status: 200, json: paginateWithIds([...sim.checkpoints].reverse(), rq.query, 10) };
}

export const fineTuningRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/fine_tuning/jobs',
    handler: (ctx, rq) => ({ status: 200, json: createJob(ctx, rq.json(), rq.style) }),
  },
  {
    method: 'GET',
    path: '/fine_tuning/jobs',
    handler: (ctx, rq) => ({ status: 200, json: listJobs(ctx, rq.query) }),
  },
  {
    method: 'GET',
    path: '/fine_tuning/jobs/:id',
    handler: (ctx, rq) => ({ status: 200, json: requireJob(ctx, rq.params.id!).job }),
  },
  { method: 'POST', path: '/fine_tuning/jobs/:id/cancel', handler: jobAction('cancel') },
  { method: 'POST', path: '/fine_tuning/jobs/:id/pause', handler: jobAction('pause') },
  { method: 'POST', path: '/fine_tuning/jobs/:id/resume', handler: jobAction('resume') },
  { method: 'GET', path: '/fine_tuning/jobs/:id/events', handler: events },
  { method: 'GET', path: '/fine_tuning/jobs/:id/checkpoints', handler: checkpoints },
  // Azure's docs show POST for events and checkpoints (a doc bug, reference §5): accept both.
  { method: 'POST', path: '/fine_tuning/jobs/:id/events', handler: events, styles: ['azure'] },
  { method: 'POST', path: '/fine_tuning/jobs/:id/checkpoints', handler: checkpoints, styles: ['azure'] },
];
