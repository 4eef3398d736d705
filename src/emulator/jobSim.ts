// One emulated fine-tuning job: its states over (sped-up) time — validating_files → queued → running →
// succeeded — with RFT `metrics` events shaped like the platform's (reference §4.5), a rising reward curve,
// checkpoints at validation steps (best three kept), pause/resume from the last checkpoint, and cancel.
import { prng, seedOf } from './fakeModel';

export interface WireEvent {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data?: Record<string, unknown>;
}

export interface WireCheckpoint {
  object: 'fine_tuning.job.checkpoint';
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  fine_tuning_job_id: string;
  step_number: number;
  metrics: Record<string, number>;
}

export interface WireJob {
  object: 'fine_tuning.job';
  id: string;
  created_at: number;
  error: { code: string; message: string; param: string | null } | null;
  fine_tuned_model: string | null;
  finished_at: number | null;
  hyperparameters: Record<string, unknown>;
  model: string;
  organization_id: string;
  result_files: string[];
  seed: number;
  status: string;
  trained_tokens: number | null;
  training_file: string;
  validation_file: string | null;
  integrations: unknown[] | null;
  estimated_finish: number | null;
  method: Record<string, unknown>;
  metadata: Record<string, string> | null;
  user_provided_suffix: string | null;
  [k: string]: unknown;
}

/** Durations at speed 1 (ms): about a minute from creation to success. */
export const BASE_DURATIONS = { validating: 4000, queued: 4000, running: 50_000, finishing: 2000 } as const;

export interface FileCheck {
  examples: number;
  /** First problem found, if the file is not usable. */
  problem?: string;
}

export interface JobSimInit {
  id: string;
  job: WireJob;
  createdAtMs: number;
  speed: number;
  newId: (prefix: string) => string;
  training: FileCheck;
  validation?: FileCheck;
  /** Called when the job succeeds: returns the id of a results file. */
  writeResults: (csv: string) => string;
}

interface GraderInfo {
  name: string;
  type: string;
  model?: string;
}

type Phase =
  'validating_files' | 'queued' | 'running' | 'finishing' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function graderInfos(grader: unknown): GraderInfo[] {
  const g = (grader ?? {}) as Record<string, unknown>;
  if (g.type === 'multi' && g.graders && typeof g.graders === 'object') {
    return Object.entries(g.graders as Record<string, unknown>).map(([key, child]) => {
      const c = (child ?? {}) as Record<string, unknown>;
      return {
        name: typeof c.name === 'string' ? c.name : key,
        type: String(c.type ?? 'unknown'),
        model: typeof c.model === 'string' ? c.model : undefined,
      };
    });
  }
  return [
    {
      name: typeof g.name === 'string' ? g.name : 'grader',
      type: String(g.type ?? 'unknown'),
      model: typeof g.model === 'string' ? g.model : undefined,
    },
  ];
}

function intOrAuto(v: unknown, auto: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : auto;
}

export class JobSim {
  readonly id: string;
  readonly job: WireJob;
  /** Chronological. */
  readonly events: WireEvent[] = [];
  /** Chronological; only the kept ones. */
  checkpoints: WireCheckpoint[] = [];
  private phase: Phase = 'validating_files';
  private phaseStart: number;
  private step = 0;
  /** Step the current running phase started from (after a resume, the paused step). */
  private runFrom = 0;
  readonly totalSteps: number;
  private readonly evalInterval: number;
  private readonly graders: GraderInfo[];
  private readonly rewards: { base: number; peak: number; gap: number };
  private readonly scenario: string;
  private readonly hasResponseFormat: boolean;
  private readonly rows: Array<{ step: number; train: number; valid?: number }> = [];
  private trainedTokens = 0;

  constructor(private readonly init: JobSimInit) {
    this.id = init.id;
    this.job = init.job;
    this.phaseStart = init.createdAtMs;
    const method = (init.job.method ?? {}) as Record<string, unknown>;
    const rl = (method.reinforcement ?? method[String(method.type)] ?? {}) as Record<string, unknown>;
    const hp = (rl.hyperparameters ?? {}) as Record<string, unknown>;
    const examples = Math.max(1, init.training.examples);
    const epochs = intOrAuto(hp.n_epochs, 2, 1, 50);
    const batch = intOrAuto(hp.batch_size, Math.min(8, examples), 1, 256);
    this.totalSteps = Math.min(200, Math.max(8, epochs * Math.ceil(examples / batch)));
    this.evalInterval = intOrAuto(hp.eval_interval, Math.max(1, Math.round(this.totalSteps / 10)), 1, 10_000);
    this.graders = graderInfos(rl.grader);
    this.hasResponseFormat = rl.response_format !== undefined && rl.response_format !== null;
    const rand = prng(seedOf('curve', init.job.seed, init.job.training_file, init.job.model));
    this.rewards = { base: 0.15 + rand() * 0.15, peak: 0.7 + rand() * 0.2, gap: 0.02 + rand() * 0.04 };
    this.scenario = init.job.metadata?.emulator_scenario ?? '';
    this.event(init.createdAtMs, `Validating training file: ${init.job.training_file}`);
    if (init.job.validation_file)
      this.event(init.createdAtMs, `Validating validation file: ${init.job.validation_file}`);
  }

  private get speed(): number {
    return this.init.speed;
  }

  private dur(kind: keyof typeof BASE_DURATIONS): number {
    return BASE_DURATIONS[kind] / this.speed;
  }

  private get stepMs(): number {
    return this.dur('running') / this.totalSteps;
  }

  private event(atMs: number, message: string, extra: Partial<WireEvent> = {}): void {
    this.events.push({
      object: 'fine_tuning.job.event',
      id: this.init.newId('ftevent-'),
      created_at: Math.floor(atMs / 1000),
      level: 'info',
      message,
      type: 'message',
      ...extra,
    });
  }

  private setPhase(phase: Phase, atMs: number): void {
    this.phase = phase;
    this.phaseStart = atMs;
    this.job.status = phase === 'finishing' ? 'running' : phase;
  }

  private fail(atMs: number, code: string, message: string, param: string | null): void {
    this.job.error = { code, message, param };
    this.job.finished_at = Math.floor(atMs / 1000);
    this.job.estimated_finish = null;
    this.setPhase('failed', atMs);
    this.event(atMs, message, { level: 'error' });
  }

  /** Brings the job up to `now` (events are stamped with the time they happened). */
  advance(now: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      switch (this.phase) {
        case 'validating_files': {
          const at = this.phaseStart + this.dur('validating');
          if (now < at) return;
          const bad = this.init.training.problem
            ? { param: 'training_file', problem: this.init.training.problem, code: 'invalid_training_file' }
            : this.init.validation?.problem
              ? {
                  param: 'validation_file',
                  problem: this.init.validation.problem,
                  code: 'invalid_validation_file',
                }
              : undefined;
          if (bad) {
            this.fail(
              at,
              bad.code,
              `The job failed due to an invalid ${bad.param.replace('_', ' ')}. ${bad.problem}`,
              bad.param,
            );
            return;
          }
          this.event(at, 'Files validated, moving job to queued state');
          this.setPhase('queued', at);
          break;
        }
        case 'queued': {
          const at = this.phaseStart + this.dur('queued');
          if (now < at) return;
          this.event(
            at,
            this.step > 0 ? `Fine-tuning job resumed from step ${this.step}` : 'Fine-tuning job started',
          );
          this.runFrom = this.step;
          this.setPhase('running', at);
          this.job.estimated_finish = Math.floor(
            (at + (this.totalSteps - this.step) * this.stepMs + this.dur('finishing')) / 1000,
          );
          break;
        }
        case 'running': {
          const next = this.step + 1;
          const at = this.phaseStart + (next - this.runFrom) * this.stepMs;
          if (now < at) return;
          this.step = next;
          if (this.scenario === 'fail' && this.step === Math.ceil(this.totalSteps * 0.6)) {
            this.fail(
              at,
              'server_error',
              `Training failed at step ${this.step} due to an internal error (emulated).`,
              null,
            );
            return;
          }
          this.emitMetrics(at);
          if (this.step >= this.totalSteps) {
            this.event(at, 'Training completed, running safety evaluations');
            this.setPhase('finishing', at);
          }
          break;
        }
        case 'finishing': {
          const at = this.phaseStart + this.dur('finishing');
          if (now < at) return;
          const suffix = this.job.user_provided_suffix ? `:${this.job.user_provided_suffix}` : '';
          this.job.fine_tuned_model = `ft:${this.job.model}:emulator${suffix}:${this.id.slice(-8)}`;
          this.job.finished_at = Math.floor(at / 1000);
          this.job.trained_tokens = this.trainedTokens;
          this.job.estimated_finish = null;
          const csv = [
            'step,train_reward_mean,valid_reward_mean',
            ...this.rows.map((r) => `${r.step},${r.train},${r.valid ?? ''}`),
          ].join('\n');
          this.job.result_files = [this.init.writeResults(`${csv}\n`)];
          this.event(at, `New fine-tuned model created: ${this.job.fine_tuned_model}`);
          this.event(at, 'The job has successfully completed');
          this.setPhase('succeeded', at);
          return;
        }
        default:
          return;
      }
    }
  }

  private curve(p: number, offset: number): number {
    const { base, peak } = this.rewards;
    return base + (peak - base) * (1 - Math.exp(-3.2 * p)) + offset;
  }

  private emitMetrics(atMs: number): void {
    const step = this.step;
    const total = this.totalSteps;
    const p = step / total;
    // The curve starts at the base reward on step 1 and approaches the peak on the last step.
    const progress = total > 1 ? (step - 1) / (total - 1) : 1;
    const rand = prng(seedOf('step', this.id, step));
    const noise = () => (rand() - 0.5) * 0.05;
    const train = clamp01(this.curve(progress, noise()));
    const isEval = step % this.evalInterval === 0 || step === total;
    let valid: number | undefined;
    if (isEval) {
      // Scenario `valid-gap`: validation stalls while training keeps rising (overfitting/reward hacking).
      const v =
        this.scenario === 'valid-gap' && progress > 0.4
          ? this.curve(0.4, -this.rewards.gap) - (progress - 0.4) * 0.3
          : this.curve(progress, -this.rewards.gap + noise());
      valid = clamp01(v);
    }
    // Parse errors fall as the model learns the format; scenario `parse-errors` makes them climb instead.
    const parseBase = this.hasResponseFormat ? 0.08 : 0;
    const parse =
      this.scenario === 'parse-errors' ? clamp01(0.01 + p * 0.4) : clamp01(parseBase * Math.exp(-4 * p));
    const invalidVar = this.scenario === 'parse-errors' ? clamp01(p * 0.05) : 0;
    const trainCount = 8 * 4;
    const validCount = 10;
    const reasoningTrain = 1200 + 2000 * Math.exp(-1.5 * p) + rand() * 100;
    const reasoningValid = reasoningTrain * 0.6;
    const completion = reasoningTrain + 60;
    this.trainedTokens += Math.round(completion * trainCount);
    const graderRewards = this.graders.map((g, i) => {
      const shift = (i - (this.graders.length - 1) / 2) * 0.08;
      return {
        g,
        train: clamp01(train + shift + noise() * 0.5),
        valid: valid === undefined ? undefined : clamp01(valid + shift),
      };
    });
    const modelGraders = this.graders.filter((g) => g.type === 'score_model' || g.type === 'label_model');
    const tokenUsage: Record<string, Record<string, number>> = {};
    for (const g of modelGraders) {
      const m = g.model ?? 'gpt-4o-2024-08-06';
      tokenUsage[m] = {
        eval_cached_tokens: 0,
        eval_prompt_tokens: 241 * validCount * step,
        train_cached_tokens: 0,
        train_prompt_tokens: 241 * trainCount * step,
        eval_completion_tokens: 140 * validCount * step,
        train_completion_tokens: 138 * trainCount * step,
      };
    }
    const scoresGraders = graderRewards.map(({ g, train: t, valid: v }) => ({
      name: g.name,
      type: g.type,
      train_reward_mean: r4(t),
      ...(v === undefined ? {} : { valid_reward_mean: r4(v) }),
    }));
    const errorsGraders = this.graders.map((g) => {
      const o: Record<string, unknown> = { name: g.name, type: g.type };
      for (const fam of ['other_error', 'sample_parse_error', 'invalid_variable_error']) {
        const rate = fam === 'sample_parse_error' ? parse : fam === 'invalid_variable_error' ? invalidVar : 0;
        o[`train_${fam}_mean`] = r4(rate);
        o[`train_${fam}_count`] = Math.round(rate * trainCount);
        o[`valid_${fam}_mean`] = r4(isEval ? rate : 0);
        o[`valid_${fam}_count`] = Math.round((isEval ? rate : 0) * validCount);
      }
      return o;
    });
    const data: Record<string, unknown> = {
      step,
      usage: {
        graders: modelGraders.map((g) => ({
          name: g.name,
          type: g.type,
          model: g.model ?? 'gpt-4o-2024-08-06',
          train_prompt_tokens_mean: 241.0,
          valid_prompt_tokens_mean: 241.0,
          train_prompt_tokens_count: 241 * trainCount,
          valid_prompt_tokens_count: 241 * validCount,
          train_completion_tokens_mean: 138.5,
          valid_completion_tokens_mean: 140.5,
          train_completion_tokens_count: 138 * trainCount,
          valid_completion_tokens_count: 140 * validCount,
        })),
        samples: {
          train_reasoning_tokens_mean: r4(reasoningTrain),
          valid_reasoning_tokens_mean: r4(reasoningValid),
          train_reasoning_tokens_count: Math.round(reasoningTrain * trainCount),
          valid_reasoning_tokens_count: Math.round(reasoningValid * validCount),
        },
      },
      errors: { graders: errorsGraders },
      scores: {
        graders: scoresGraders,
        train_reward_mean: r4(train),
        ...(valid === undefined ? {} : { valid_reward_mean: r4(valid) }),
      },
      timing: {
        step: {
          eval: isEval ? r4(90 + rand() * 20) : 0,
          sampling: r4(210 + rand() * 30),
          training: r4(390 + rand() * 30),
          full_iteration: 0,
        },
        graders: this.graders.map((g) => ({
          name: g.name,
          type: g.type,
          train_execution_latency_mean: r4(0.5 + rand() * 2.5),
          valid_execution_latency_mean: r4(0.5 + rand() * 3.5),
        })),
      },
      total_steps: total,
      train_mean_reward: r4(train),
      reasoning_tokens_mean: r4(reasoningTrain),
      completion_tokens_mean: r4(completion),
      mean_unresponsive_rewards: 0.0,
      model_graders_token_usage: tokenUsage,
      ...(isEval
        ? {
            full_valid_mean_reward: r4(valid!),
            full_valid_mean_parse_error: r4(parse),
            valid_reasoning_tokens_mean: r4(reasoningValid),
          }
        : {}),
    };
    const timing = (data.timing as { step: Record<string, number> }).step;
    timing.full_iteration = r4(timing.eval! + timing.sampling! + timing.training!);
    const msg = isEval
      ? `Step ${step}/${total} , train mean reward=${train.toFixed(2)}, full validation mean reward=${valid!.toFixed(2)}, full validation mean parse error=${parse.toFixed(2)}`
      : `Step ${step}/${total} , train mean reward=${train.toFixed(2)}`;
    this.event(atMs, msg, { type: 'metrics', data });
    this.rows.push({ step, train: r4(train), valid: valid === undefined ? undefined : r4(valid) });
    if (isEval)
      this.checkpoint(atMs, {
        step,
        train_reward_mean: r4(train),
        valid_reward_mean: r4(valid!),
        full_valid_mean_reward: r4(valid!),
      });
  }

  private checkpoint(atMs: number, metrics: Record<string, number>, keep = false): void {
    const suffix = this.job.user_provided_suffix ? `:${this.job.user_provided_suffix}` : '';
    this.checkpoints.push({
      object: 'fine_tuning.job.checkpoint',
      id: this.init.newId('ftckpt_'),
      created_at: Math.floor(atMs / 1000),
      fine_tuned_model_checkpoint: `ft:${this.job.model}:emulator${suffix}:${this.id.slice(-8)}:ckpt-step-${this.step}`,
      fine_tuning_job_id: this.id,
      step_number: this.step,
      metrics,
    });
    // "keeps the three with the highest valid_reward_mean" (pause snapshots are always kept).
    if (!keep) {
      const ranked = this.checkpoints.filter(
        (c) => c.metrics.valid_reward_mean !== undefined && !c.metrics.paused,
      );
      if (ranked.length > 3) {
        const worst = ranked.reduce((a, b) =>
          b.metrics.valid_reward_mean! < a.metrics.valid_reward_mean! ? b : a,
        );
        this.checkpoints = this.checkpoints.filter((c) => c !== worst);
      }
    }
  }

  get isTerminal(): boolean {
    return this.phase === 'succeeded' || this.phase === 'failed' || this.phase === 'cancelled';
  }

  cancel(now: number): string | undefined {
    this.advance(now);
    if (this.isTerminal)
      return `Job ${this.id} has already ${this.phase === 'succeeded' ? 'completed' : this.phase}; it cannot be cancelled.`;
    this.job.finished_at = Math.floor(now / 1000);
    this.job.estimated_finish = null;
    this.setPhase('cancelled', now);
    this.event(now, 'Fine-tuning job cancelled');
    return undefined;
  }

  pause(now: number): string | undefined {
    this.advance(now);
    if (this.phase !== 'running')
      return `Job ${this.id} is ${this.job.status}; only running jobs can be paused.`;
    if (this.step < 1)
      return `Job ${this.id} has not completed a training step yet; a job can be paused after at least one step.`;
    this.event(now, `Pausing job: creating a checkpoint at step ${this.step}`);
    this.checkpoint(now, { step: this.step, paused: 1 }, true);
    this.job.estimated_finish = null;
    this.setPhase('paused', now);
    this.event(now, 'Fine-tuning job paused');
    return undefined;
  }

  resume(now: number): string | undefined {
    this.advance(now);
    if (this.phase !== 'paused')
      return `Job ${this.id} is ${this.job.status}; only paused jobs can be resumed.`;
    this.event(now, `Resuming job from the checkpoint at step ${this.step}`);
    this.setPhase('queued', now);
    return undefined;
  }
}
