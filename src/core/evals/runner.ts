// runEval: one eval run, the same code path in the editor and the CLI. It opens a new run folder (or resumes the
// newest unfinished one of the spec), answers what it can from the request cache, hands the rest to a sampler
// (online by default), grades every sample locally, appends each results row as it finishes, keeps spend under
// the spec's limit, and writes the summary when the run ends — completed, cancelled or stopped by the limit.
import { setMaxListeners } from 'node:events';
import * as path from 'node:path';
import type OpenAI from 'openai';
import type { GraderEngineOptions } from '../graders/engine';
import { GraderEngine } from '../graders/engine';
import { buildSample } from '../graders/sample';
import type { Logger } from '../log';
import { nullLogger } from '../log';
import { batchSamplerFor } from './batch/batchMode';
import { EvalCache } from './cache';
import { BATCH_PRICE_FACTOR, promptTokensOf, requestCostUsd, usageCostUsd } from './estimate';
import { OnlineSampler } from './onlineSampler';
import { writeRunSummary } from './report';
import { buildRequests } from './requests';
import {
  ResultsWriter,
  createRunFolder,
  findResumableRun,
  readFinishedRows,
  readManifest,
  rowId,
  writeManifest,
} from './runFolder';
import type { ResolvedEvalSpec } from './spec';
import type {
  EvalCandidateSpec,
  EvalGraderScore,
  EvalReport,
  EvalRequest,
  EvalRequestFailure,
  EvalResultRow,
  EvalRunManifest,
  EvalSampled,
  EvalSampler,
} from './types';

/** How a candidate reaches its model. */
export interface EvalCandidateClient {
  client: OpenAI;
  /** Provider kind for the manifest (`openai`, `azure`, `emulator`…). */
  kind: string;
  /** Default: the client's baseURL. Part of every request key. */
  baseUrl?: string;
}

export interface EvalRunDeps {
  clientFor: (candidate: EvalCandidateSpec) => EvalCandidateClient | Promise<EvalCandidateClient>;
  /** The grader engine's options (python allowed, sandbox, text_similarity…); model graders use the candidate's client. */
  grading?: Omit<GraderEngineOptions, 'modelClient' | 'log' | 'cacheDir'>;
  log?: Logger;
}

export interface EvalProgress {
  /** Samples of the whole run (items × K × candidates). */
  total: number;
  /** Rows written (including those of the run being resumed). */
  done: number;
  cached: number;
  failed: number;
  /** Model requests answered in this run (not from the cache). */
  requests: number;
  spentUsd: number;
}

/** What a custom sampler (batch mode) may use besides the requests. */
export interface EvalSamplerContext {
  spec: ResolvedEvalSpec;
  dir: string;
  clients: ReadonlyMap<string, EvalCandidateClient>;
  log: Logger;
  manifest: () => EvalRunManifest;
  /** Merges into run.json and writes it (e.g. the batch ids in flight). */
  updateManifest: (patch: Partial<EvalRunManifest>) => Promise<void>;
}

export interface EvalRunOptions {
  /** Workspace root (or cwd): runs go under `<root>/.rft/evals/`, the cache under `<root>/.rft/cache/evals/`. */
  root: string;
  /** The spec file as recorded in run.json; default: relative to root. */
  specPath?: string;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
  /** Resume the newest unfinished run of this spec when its hashes match (default true); false forces a new run. */
  resume?: boolean;
  /** Replaces the sampler the spec's mode picks (online, or the Batch API for `mode: "batch"`). */
  sampler?: EvalSampler | ((ctx: EvalSamplerContext) => EvalSampler);
  /** Online sampler tuning (tests use short back-offs). */
  online?: { maxAttempts?: number; backoffMs?: number };
  now?: () => Date;
}

export interface EvalRunResult {
  dir: string;
  manifest: EvalRunManifest;
  resumed: boolean;
  /** Undefined when the summary could not be written (e.g. a run cancelled before its first row). */
  report?: EvalReport;
  /** Online sampling only: 429s waited out and server errors retried. */
  retries?: { rateLimited: number; serverErrors: number };
}

/** Rows graded at once: python graders batch well with many rows queued; sync graders do not care. */
const GRADE_POOL = 64;

function errorNames(flags: Record<string, unknown>): string[] {
  return Object.entries(flags)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}

export async function runEval(
  spec: ResolvedEvalSpec,
  deps: EvalRunDeps,
  opts: EvalRunOptions,
): Promise<EvalRunResult> {
  const log = deps.log ?? nullLogger;
  // One inner signal that every request and grade listens to (hundreds at once), following the caller's.
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  if (opts.signal?.aborted) inner.abort(opts.signal.reason);
  else opts.signal?.addEventListener('abort', () => inner.abort(opts.signal?.reason), { once: true });
  const signal = inner.signal;
  const now = opts.now ?? (() => new Date());
  const root = path.resolve(opts.root);
  const specPath = (opts.specPath ?? path.relative(root, spec.specPath)).split(path.sep).join('/');
  const clients = new Map<string, EvalCandidateClient>();
  for (const c of spec.candidates) clients.set(c.label, await deps.clientFor(c));
  const baseUrlOf = (label: string) => {
    const c = clients.get(label)!;
    return c.baseUrl ?? c.client.baseURL;
  };
  const candidateOf = new Map(spec.candidates.map((c) => [c.label, c]));
  const cache = EvalCache.forWorkspace(root);

  // ── the run folder: resume or new ──
  let dir = opts.resume === false ? undefined : await findResumableRun(root, spec, specPath);
  const resumed = dir !== undefined;
  const counts = { requests: 0, cached: 0, failed: 0, spent_usd: 0 };
  // The Batch API bills half the list price; spend and its limit count what is billed.
  const priceFactor = spec.mode === 'batch' ? BATCH_PRICE_FACTOR : 1;
  let finished = new Set<string>();
  let manifest: EvalRunManifest;
  if (dir) {
    manifest = (await readManifest(dir))!;
    finished = await readFinishedRows(dir, (row) => {
      if (row.error?.stage === 'sample') counts.failed++;
      else if (row.cached) counts.cached++;
      else {
        counts.requests++;
        counts.spent_usd +=
          priceFactor *
          ((row.usage && usageCostUsd(candidateOf.get(row.candidate)?.model ?? '', row.usage)) || 0);
      }
    });
    manifest = { ...manifest, status: 'running', finished: undefined };
    await writeManifest(dir, manifest);
    log.info(`eval ${spec.name}: resuming ${dir} (${finished.size} sample(s) already done)`);
  } else {
    manifest = {
      name: spec.name,
      spec_path: specPath,
      created: now().toISOString(),
      status: 'running',
      hashes: spec.hashes,
      providers: Object.fromEntries(
        spec.candidates.map((c) => [
          c.label,
          { kind: clients.get(c.label)!.kind, base_url: baseUrlOf(c.label) },
        ]),
      ),
      counts: { requests: 0, cached: 0, failed: 0, spent_usd: 0 },
    };
    dir = await createRunFolder(root, spec, manifest, now());
    log.info(`eval ${spec.name}: new run ${dir}`);
  }
  const runDir = dir;

  const total = spec.items.length * spec.samplesPerItem * spec.candidates.length;
  let done = finished.size;
  const progress = () =>
    opts.onProgress?.({
      total,
      done,
      cached: counts.cached,
      failed: counts.failed,
      requests: counts.requests,
      spentUsd: counts.spent_usd,
    });
  progress();

  const engines = new Map<string, GraderEngine>();
  for (const c of spec.candidates)
    engines.set(
      c.label,
      new GraderEngine({
        ...deps.grading,
        log,
        modelClient: clients.get(c.label)!.client,
        cacheDir: path.join(root, '.rft', 'cache', 'eval-graders'),
      }),
    );
  const writer = await ResultsWriter.open(runDir);

  // ── spend: each request's worst case is reserved before it goes; actual usage replaces it when it answers ──
  let reserved = 0;
  const reservations = new Map<string, number>();
  let spendStopped = false;
  const unpricedWarned = new Set<string>();
  // A candidate whose key, access or model is refused gets its remaining samples failed without asking again.
  const blocked = new Map<string, EvalRequestFailure>();

  const grade = async (s: EvalSampled): Promise<void> => {
    const { request } = s;
    const item = spec.items[request.item]!;
    const row: EvalResultRow = {
      item: item.index,
      item_key: item.key,
      line: item.line,
      candidate: request.candidate,
      sample: request.sample,
      reward: null,
      graders: {},
      output: '',
      cached: 'response' in s ? s.cached : false,
      request: request.key,
    };
    const r = reservations.get(request.key);
    if (r !== undefined) {
      reserved -= r;
      reservations.delete(request.key);
    }
    if ('failure' in s) {
      counts.failed++;
      const st = s.failure.status;
      if ((st === 401 || st === 403 || st === 404) && !blocked.has(request.candidate)) {
        blocked.set(request.candidate, s.failure);
        log.warn(`eval ${spec.name}: candidate ${request.candidate} stopped: ${s.failure.message}`);
      }
      row.error = {
        stage: 'sample',
        message: s.failure.message,
        ...(s.failure.status ? { status: s.failure.status } : {}),
      };
    } else {
      const { response } = s;
      if (s.cached) counts.cached++;
      else {
        counts.requests++;
        // Counted before any await: the reservation was just released, so the spend check must see this at once.
        counts.spent_usd += priceFactor * (usageCostUsd(String(request.body.model), response.usage) ?? 0);
        // Cached before the row is written: a kill between the two costs nothing on resume.
        await cache.put(request.key, response);
      }
      row.output = response.output_text;
      row.usage = response.usage;
      row.latency_ms = response.latency_ms;
      try {
        const engine = engines.get(request.candidate)!;
        const sample = buildSample(
          {
            output_text: response.output_text,
            ...(response.output_json !== undefined ? { output_json: response.output_json } : {}),
          },
          { responseFormat: spec.responseFormat },
        );
        for (const g of spec.graders) {
          const result = await engine.grade(g.grader, item.item, sample, signal);
          const score: EvalGraderScore = {
            reward: result.reward,
            errors: errorNames(result.metadata.errors as unknown as Record<string, unknown>),
          };
          if (Object.keys(result.sub_rewards).length) score.sub_rewards = result.sub_rewards;
          row.graders[g.name] = score;
        }
        row.reward = row.graders[spec.graders[0]!.name]!.reward;
      } catch (e) {
        if (signal?.aborted) return; // not finished: the cache makes it free on resume
        row.error = { stage: 'grade', message: (e as Error).message ?? String(e) };
      }
    }
    await writer.append(row);
    done++;
    progress();
  };

  const grading = new Set<Promise<void>>();
  let gradeFailure: unknown;
  const track = (p: Promise<void>) => {
    const t = p.catch((e: unknown) => {
      gradeFailure ??= e;
    });
    grading.add(t);
    void t.finally(() => grading.delete(t));
  };
  const gradeSlot = async () => {
    while (grading.size >= GRADE_POOL) await Promise.race(grading);
    if (gradeFailure) throw gradeFailure;
  };

  async function* toSample(): AsyncGenerator<EvalRequest> {
    for (const request of buildRequests(spec, baseUrlOf)) {
      if (signal?.aborted) return;
      if (finished.has(rowId(request.candidate, request.item, request.sample))) continue;
      const hit = await cache.get(request.key);
      if (hit) {
        await gradeSlot();
        track(grade({ request, response: hit, cached: true }));
        continue;
      }
      const refused = blocked.get(request.candidate);
      if (refused) {
        await gradeSlot();
        track(grade({ request, failure: { ...refused, message: `not sent: ${refused.message}` } }));
        continue;
      }
      if (spec.maxSpendUsd !== undefined) {
        const c = candidateOf.get(request.candidate)!;
        const listWorst = requestCostUsd(
          c.model,
          promptTokensOf(spec.items[request.item]!.item),
          c.max_output_tokens,
        );
        const worst = listWorst === undefined ? undefined : priceFactor * listWorst;
        if (worst === undefined) {
          if (!unpricedWarned.has(c.label)) {
            unpricedWarned.add(c.label);
            log.warn(
              `eval ${spec.name}: no price known for ${c.model}; max_spend_usd cannot bound candidate ${c.label}`,
            );
          }
        } else {
          if (counts.spent_usd + reserved + worst > spec.maxSpendUsd) {
            spendStopped = true;
            return;
          }
          reserved += worst;
          reservations.set(request.key, worst);
        }
      }
      yield request;
    }
  }

  const ctx: EvalSamplerContext = {
    spec,
    dir: runDir,
    clients,
    log,
    manifest: () => manifest,
    updateManifest: async (patch) => {
      manifest = { ...manifest, ...patch };
      await writeManifest(runDir, manifest);
    },
  };
  // Batch mode (spec `mode: "batch"`, CLI --batch) hands sampling to the provider's Batch API.
  const custom = opts.sampler ?? (spec.mode === 'batch' ? batchSamplerFor() : undefined);
  const online =
    custom === undefined
      ? new OnlineSampler({
          clientFor: (label) => clients.get(label)!.client,
          maxConcurrency: spec.maxConcurrency,
          log,
          ...opts.online,
        })
      : undefined;
  const sampler = online ?? (typeof custom === 'function' ? custom(ctx) : custom!);

  let status: EvalRunManifest['status'] = 'completed';
  try {
    for await (const s of sampler.sample(toSample(), signal)) {
      await gradeSlot();
      track(grade(s));
    }
    await Promise.all(grading);
    if (gradeFailure) throw gradeFailure;
    if (signal?.aborted) status = 'cancelled';
    else if (spendStopped) status = 'spend_limit';
  } catch (e) {
    await Promise.allSettled(grading);
    status = signal?.aborted ? 'cancelled' : 'failed';
    if (status === 'failed') {
      await writer.close().catch(() => undefined);
      await finish();
      throw e;
    }
  } finally {
    for (const e of engines.values()) e.dispose();
  }
  await writer.close();
  await finish();

  async function finish(): Promise<void> {
    manifest = {
      ...manifest,
      status,
      finished: now().toISOString(),
      counts: { ...counts, spent_usd: Math.round(counts.spent_usd * 1e6) / 1e6 },
    };
    await writeManifest(runDir, manifest);
  }

  let report: EvalReport | undefined;
  try {
    report = await writeRunSummary(runDir);
  } catch (e) {
    log.warn(`eval ${spec.name}: no summary for ${runDir}: ${(e as Error).message}`);
  }
  log.info(
    `eval ${spec.name}: ${status}, ${done}/${total} sample(s), ${counts.requests} request(s), ${counts.cached} cached, ${counts.failed} failed`,
  );
  return {
    dir: runDir,
    manifest,
    resumed,
    report,
    ...(online
      ? { retries: { rateLimited: online.stats.rateLimited, serverErrors: online.stats.serverErrors } }
      : {}),
  };
}
