// The emulator's own admin endpoints under /__emulator/ (fault rules, a state summary, reset). They need the
// emulator's API key like the API routes: a local process without it cannot clear another session's state.
import type { EmulatorContext, Reply, RouteRequest } from '../context';
import { HttpError, requireJob } from '../context';
import { parseFaultRule } from '../faults';
import type { Route } from '../router';

function adminBody(rq: RouteRequest): unknown {
  try {
    return rq.body.length ? (JSON.parse(rq.body.toString('utf8')) as unknown) : {};
  } catch (e) {
    throw new HttpError(400, `Invalid JSON: ${(e as Error).message}`);
  }
}

function addFaults(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const b = adminBody(rq);
  try {
    for (const r of Array.isArray(b) ? b : [b]) ctx.faults.add(parseFaultRule(r));
  } catch (e) {
    throw new HttpError(400, (e as Error).message);
  }
  return { status: 200, json: { faults: ctx.faults.list() } };
}

function state(ctx: EmulatorContext): Reply {
  return {
    status: 200,
    json: {
      speed: ctx.speed,
      files: [...ctx.files.values()].filter((f) => !f.deleted).length,
      jobs: ctx.jobOrder.map((id) => {
        const j = requireJob(ctx, id).job;
        return { id, status: j.status, metadata: j.metadata };
      }),
      batches: ctx.batches.byId.size,
      requests: ctx.requestCount(),
      storage_bytes: ctx.storage.usedBytes,
      storage_dir: ctx.storage.dir,
    },
  };
}

export async function resetState(ctx: EmulatorContext): Promise<void> {
  const removals: Array<Promise<void>> = [];
  for (const f of ctx.files.values()) if (!f.deleted) removals.push(ctx.storage.remove(f.path, f.obj.bytes));
  for (const u of ctx.uploads.values())
    for (const p of u.parts.values()) removals.push(ctx.storage.remove(p.path, p.bytes));
  ctx.files.clear();
  ctx.uploads.clear();
  ctx.jobs.clear();
  ctx.jobOrder.length = 0;
  ctx.idempotent.clear();
  ctx.faults.clear();
  removals.push(ctx.batches.clear());
  await Promise.all(removals);
}

export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/__emulator/faults',
    handler: (ctx) => ({ status: 200, json: { faults: ctx.faults.list() } }),
  },
  {
    method: 'DELETE',
    path: '/__emulator/faults',
    handler: (ctx) => {
      ctx.faults.clear();
      return { status: 200, json: { faults: [] } };
    },
  },
  { method: 'POST', path: '/__emulator/faults', handler: addFaults },
  { method: 'GET', path: '/__emulator/state', handler: state },
  {
    method: 'POST',
    path: '/__emulator/reset',
    handler: async (ctx) => {
      await resetState(ctx);
      return { status: 200, json: { reset: true } };
    },
  },
];
