// "Evaluate against base model": turns a fine-tuning job (the API object, plus the local files this workspace
// knows it was launched from) into an eval spec comparing the base model with the fine-tuned model or one of its
// checkpoints, and writes it under `evals/` without ever overwriting an existing spec.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Grader } from '../graders/types';
import type { ResolvedJobSpec } from '../jobs/jobSpec';
import type { EvalCandidateSpec, EvalSpecFile } from './types';

/** The parts of a fine-tuning job (OpenAI or Azure API object) the spec is built from. */
export interface JobForEval {
  id: string;
  model: string;
  fine_tuned_model?: string | null;
  user_provided_suffix?: string | null;
  training_file?: string | null;
  validation_file?: string | null;
  seed?: number | null;
  method?: {
    type?: string;
    reinforcement?: {
      grader?: unknown;
      response_format?: unknown;
      hyperparameters?: Record<string, unknown>;
    } | null;
  } | null;
}

/** A checkpoint to evaluate instead of the final model. */
export interface CheckpointForEval {
  model: string;
  step: number;
}

/** What this workspace knows locally about the job: absolute paths, with the parsed content of the JSON files so
 * the spec only points at them while they still hold what the job was trained with. */
export interface LocalJobFiles {
  /** The `*.rftjob.json` the job was launched from (the eval spec goes to `evals/` beside it). */
  jobSpecPath?: string;
  /** A local copy of the job's validation file (or, without one, of its training file). */
  dataset?: string;
  grader?: { path: string; content: unknown };
  responseFormat?: { path: string; content: unknown };
}

/** The local files of the job spec a job was launched from (its grader and response format as resolved now). */
export function localFilesOf(resolved: ResolvedJobSpec): LocalJobFiles {
  return {
    jobSpecPath: resolved.specPath,
    dataset: resolved.validationFile,
    ...(resolved.graderPath ? { grader: { path: resolved.graderPath, content: resolved.grader } } : {}),
    ...(resolved.responseFormatPath && resolved.responseFormat
      ? { responseFormat: { path: resolved.responseFormatPath, content: resolved.responseFormat } }
      : {}),
  };
}

export interface SpecFromJobOptions {
  checkpoint?: CheckpointForEval;
  local?: LocalJobFiles;
  /** Where the spec goes when no job spec is known: usually `<workspace>/evals`. */
  fallbackDir: string;
  /** K samples per item (at least 2, so per-item means are less noisy than single samples); see samplesPerItemFor. */
  samplesPerItem?: number;
  seed?: number;
}

/** Stands in for the dataset path when no local copy of the job's data is known; it names no real file, so
 * loading the spec reports it on the `dataset` field until the user puts the path in. */
export const DATASET_PLACEHOLDER_PREFIX = 'CHOOSE-A-LOCAL-COPY-OF-';

export interface SpecFromJob {
  spec: EvalSpecFile;
  /** Absolute directory the spec is meant for; relative paths in the spec are relative to it. */
  dir: string;
  /** File name stem, before `-2`, `-3`… and `.rfteval.json`. */
  stem: string;
  /** Things the user should know (dataset placeholder, training file used, inlined grader). */
  notes: string[];
  /** The dataset could not be located: the spec holds a placeholder. */
  needsDataset: boolean;
}

/** K when the item count is unknown: enough that the demo's 15 items show its difference as significant. */
export const DEFAULT_SAMPLES_PER_ITEM = 8;
/** Samples per candidate the default K aims at: small datasets get more samples per item, large ones 2. */
const TARGET_SAMPLES = 120;

/** K for a dataset of `items` items: 2 to 8, about 120 samples per candidate (15 items → 8, 60 or more → 2). */
export function samplesPerItemFor(items: number | undefined): number {
  if (!items || items < 1) return DEFAULT_SAMPLES_PER_ITEM;
  return Math.max(2, Math.min(DEFAULT_SAMPLES_PER_ITEM, Math.ceil(TARGET_SAMPLES / items)));
}
export const DEFAULT_EVAL_SEED = 42;
const EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

export class SpecFromJobError extends Error {}

/** Builds the spec; reads nothing (the caller gathers the local files). */
export function specFromJob(job: JobForEval, opts: SpecFromJobOptions): SpecFromJob {
  const tuned = opts.checkpoint?.model || job.fine_tuned_model || undefined;
  if (!tuned)
    throw new SpecFromJobError(
      `Job ${job.id} has no fine-tuned model yet: only a succeeded job or one of its checkpoints can be evaluated.`,
    );
  const rl = job.method?.reinforcement ?? undefined;
  const jobGrader = rl?.grader;
  if (!jobGrader || typeof jobGrader !== 'object' || Array.isArray(jobGrader))
    throw new SpecFromJobError(
      `Job ${job.id} is not a reinforcement fine-tuning job with a grader: there is nothing to grade the outputs with.`,
    );
  const local = opts.local ?? {};
  const dir = local.jobSpecPath ? path.join(path.dirname(local.jobSpecPath), 'evals') : opts.fallbackDir;
  const rel = (p: string) => path.relative(dir, p).split(path.sep).join('/') || '.';
  const notes: string[] = [];

  const dataFileId = job.validation_file || job.training_file || 'the job data';
  if (!job.validation_file && job.training_file)
    notes.push(
      'The job had no validation file, so the eval uses its training file: it measures fit, not generalisation.',
    );
  const dataset = local.dataset ? rel(local.dataset) : `${DATASET_PLACEHOLDER_PREFIX}${dataFileId}.jsonl`;
  if (!local.dataset)
    notes.push(
      `No local copy of ${dataFileId} is known: put its path in "dataset" (an RFT JSONL, relative to the spec).`,
    );

  // The job object is the truth about what was trained; a local file that has changed since is not it.
  let grader: string | Grader;
  if (local.grader && isDeepStrictEqual(local.grader.content, jobGrader)) grader = rel(local.grader.path);
  else {
    grader = jobGrader as Grader;
    if (local.grader)
      notes.push(
        `${path.basename(local.grader.path)} no longer matches the job's grader, so the job's grader is inlined.`,
      );
  }
  const jobFormat = rl?.response_format;
  let responseFormat: EvalSpecFile['response_format'];
  if (jobFormat && typeof jobFormat === 'object' && !Array.isArray(jobFormat)) {
    responseFormat =
      local.responseFormat && sameResponseFormat(local.responseFormat.content, jobFormat)
        ? rel(local.responseFormat.path)
        : (jobFormat as Record<string, unknown>);
  }

  const seed = opts.seed ?? DEFAULT_EVAL_SEED;
  const effort = rl?.hyperparameters?.reasoning_effort;
  const sampling: Partial<EvalCandidateSpec> = {
    seed,
    // The tuned model learnt at this effort; the base model gets the same, so the comparison is like for like.
    ...(EFFORTS.includes(effort as (typeof EFFORTS)[number])
      ? { reasoning_effort: effort as EvalCandidateSpec['reasoning_effort'] }
      : {}),
  };
  const passThreshold = (jobGrader as { pass_threshold?: unknown }).pass_threshold;
  const name = nameOf(job, opts.checkpoint);
  const spec: EvalSpecFile = {
    name: `${name}-vs-base`,
    description: `Base ${job.model} against ${opts.checkpoint ? `the step ${opts.checkpoint.step} checkpoint` : 'the fine-tuned model'} of job ${job.id}, on its ${job.validation_file ? 'validation' : 'training'} data.`,
    dataset,
    graders: [grader],
    ...(responseFormat ? { response_format: responseFormat } : {}),
    samples_per_item: Math.max(2, Math.floor(opts.samplesPerItem ?? DEFAULT_SAMPLES_PER_ITEM)),
    // The grader's own bar for a good answer (countdown: 5 of 5) makes a more telling pass rate than the default.
    ...(typeof passThreshold === 'number' && Number.isFinite(passThreshold)
      ? { pass_threshold: passThreshold }
      : {}),
    candidates: [
      { label: 'base', model: job.model, ...sampling },
      { label: 'tuned', model: tuned, ...sampling },
    ],
  };
  return { spec, dir, stem: spec.name, notes, needsDataset: !local.dataset };
}

function nameOf(job: JobForEval, checkpoint?: CheckpointForEval): string {
  const base = (job.user_provided_suffix || job.id).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return checkpoint ? `${base || 'job'}-step-${checkpoint.step}` : base || 'job';
}

/** A response format file may hold the whole `{type, json_schema}`, its json_schema part, or the bare schema. */
function sameResponseFormat(local: unknown, job: unknown): boolean {
  if (isDeepStrictEqual(local, job)) return true;
  const js = (job as { json_schema?: { schema?: unknown } }).json_schema;
  return !!js && (isDeepStrictEqual(local, js) || isDeepStrictEqual(local, js.schema));
}

/** Writes the spec as `<dir>/<stem>.rfteval.json`, or `-2`, `-3`… when taken: an existing spec is never replaced
 * (the exclusive create also holds when two windows write at once). Returns the absolute path written. */
export async function writeSpecFromJob(made: Pick<SpecFromJob, 'spec' | 'dir' | 'stem'>): Promise<string> {
  await fs.mkdir(made.dir, { recursive: true });
  const text = `${JSON.stringify(made.spec, null, 2)}\n`;
  for (let n = 1; n < 1000; n++) {
    const file = path.join(made.dir, `${made.stem}${n === 1 ? '' : `-${n}`}.rfteval.json`);
    try {
      await fs.writeFile(file, text, { flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new SpecFromJobError(`${made.dir} already holds 999 specs named ${made.stem}; remove some.`);
}
