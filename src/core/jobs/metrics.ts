// RFT `metrics` events → per-step series for charts, and alerts on them (validation falling behind
// training, parse errors rising). Lenient: missing keys stay undefined.
import type { FineTuningJobEvent } from './jobsService';

export interface StepTiming {
  eval?: number;
  sampling?: number;
  training?: number;
  fullIteration?: number;
}

export interface MetricsPoint {
  step: number;
  totalSteps?: number;
  /** Unix seconds of the event. */
  createdAt: number;
  trainRewardMean?: number;
  /** Absent on steps without validation (eval_interval). */
  validRewardMean?: number;
  /** Per grader name: train/valid reward means. */
  graders: Record<string, { train?: number; valid?: number }>;
  /** Mean over graders of sample_parse_error_mean. */
  trainParseErrorRate?: number;
  validParseErrorRate?: number;
  trainInvalidVariableRate?: number;
  validInvalidVariableRate?: number;
  trainReasoningTokensMean?: number;
  validReasoningTokensMean?: number;
  timing: StepTiming;
}

export interface MetricsSeries {
  /** Sorted by step, one point per step (a later event for the same step wins). */
  points: MetricsPoint[];
  graderNames: string[];
  totalSteps?: number;
}

export interface MetricsAlert {
  kind: 'valid-gap' | 'parse-error-rise';
  step: number;
  message: string;
}

export interface AlertOptions {
  /** Alert when train reward − valid reward exceeds this (e.g. 0.15). */
  validGap: number;
  /** Alert when the parse-error rate rose by more than this over the recent steps (e.g. 0.05). */
  parseErrorRise: number;
}

type Obj = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => !!obj(x)) : []);

function meanOf(values: Array<number | undefined>): number | undefined {
  const xs = values.filter((x): x is number => x !== undefined);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** `Step 10/20 , train mean reward=0.42, …` when `data` lacks the figures. */
function fromMessage(message: string): {
  step?: number;
  total?: number;
  train?: number;
  valid?: number;
  parse?: number;
} {
  const m = /Step\s+(\d+)\s*\/\s*(\d+)/i.exec(message);
  const f = (re: RegExp) => {
    const x = re.exec(message);
    return x ? Number(x[1]) : undefined;
  };
  return {
    step: m ? Number(m[1]) : undefined,
    total: m ? Number(m[2]) : undefined,
    train: f(/train mean reward\s*=\s*(-?[\d.]+)/i),
    valid: f(/validation mean reward\s*=\s*(-?[\d.]+)/i),
    parse: f(/validation mean parse error\s*=\s*(-?[\d.]+)/i),
  };
}

function pointOf(ev: FineTuningJobEvent): MetricsPoint | undefined {
  const data = obj(ev.data) ?? {};
  // The message is a fallback for events without structured scores (it rounds to two decimals).
  const msg = obj(data.scores) ? {} : fromMessage(typeof ev.message === 'string' ? ev.message : '');
  const stepFromMessage = fromMessage(typeof ev.message === 'string' ? ev.message : '');
  const step = num(data.step) ?? stepFromMessage.step;
  if (step === undefined) return undefined;
  const scores = obj(data.scores) ?? {};
  const errors = obj(data.errors) ?? {};
  const usage = obj(data.usage) ?? {};
  const samples = obj(usage.samples) ?? {};
  const timing = obj(obj(data.timing)?.step) ?? {};
  const graders: MetricsPoint['graders'] = {};
  for (const g of arr(scores.graders)) {
    const name = typeof g.name === 'string' ? g.name : String(g.type ?? 'grader');
    graders[name] = { train: num(g.train_reward_mean), valid: num(g.valid_reward_mean) };
  }
  const errorGraders = arr(errors.graders);
  const rate = (split: 'train' | 'valid', family: string) =>
    meanOf(errorGraders.map((g) => num(g[`${split}_${family}_mean`])));
  return {
    step,
    totalSteps: num(data.total_steps) ?? stepFromMessage.total,
    createdAt: ev.created_at,
    trainRewardMean: num(scores.train_reward_mean) ?? num(data.train_mean_reward) ?? msg.train,
    validRewardMean: num(scores.valid_reward_mean) ?? num(data.full_valid_mean_reward) ?? msg.valid,
    graders,
    trainParseErrorRate: rate('train', 'sample_parse_error'),
    validParseErrorRate:
      rate('valid', 'sample_parse_error') ?? num(data.full_valid_mean_parse_error) ?? msg.parse,
    trainInvalidVariableRate: rate('train', 'invalid_variable_error'),
    validInvalidVariableRate: rate('valid', 'invalid_variable_error'),
    trainReasoningTokensMean: num(samples.train_reasoning_tokens_mean) ?? num(data.reasoning_tokens_mean),
    validReasoningTokensMean:
      num(samples.valid_reasoning_tokens_mean) ?? num(data.valid_reasoning_tokens_mean),
    timing: {
      eval: num(timing.eval),
      sampling: num(timing.sampling),
      training: num(timing.training),
      fullIteration: num(timing.full_iteration),
    },
  };
}

export function parseMetricsEvents(events: readonly FineTuningJobEvent[]): MetricsSeries {
  const bySteps = new Map<number, { point: MetricsPoint; order: number }>();
  let order = 0;
  for (const ev of events) {
    order++;
    if (!ev || typeof ev !== 'object') continue;
    const type = (ev as { type?: unknown }).type;
    if (type !== undefined && type !== 'metrics') continue;
    if (type === undefined && !obj(ev.data)) continue;
    const p = pointOf(ev);
    if (!p) continue;
    const prev = bySteps.get(p.step);
    // Within a step, the later event wins (by time, then by arrival).
    if (
      !prev ||
      p.createdAt > prev.point.createdAt ||
      (p.createdAt === prev.point.createdAt && order > prev.order)
    )
      bySteps.set(p.step, { point: p, order });
  }
  const points = [...bySteps.values()].map((x) => x.point).sort((a, b) => a.step - b.step);
  const names = new Set<string>();
  for (const p of points) for (const n of Object.keys(p.graders)) names.add(n);
  const totalSteps = points.reduce<number | undefined>((a, p) => p.totalSteps ?? a, undefined);
  return { points, graderNames: [...names], totalSteps };
}

/** How many recent points the parse-error trend looks back over. */
const TREND_WINDOW = 5;

export function detectAlerts(series: MetricsSeries, opts: AlertOptions): MetricsAlert[] {
  const alerts: MetricsAlert[] = [];
  const pts = series.points;
  // Validation falling behind training: the latest step that has both.
  const withValid = pts.filter((p) => p.validRewardMean !== undefined && p.trainRewardMean !== undefined);
  const last = withValid[withValid.length - 1];
  if (last && opts.validGap > 0) {
    const train = last.trainRewardMean!;
    const gap = train - last.validRewardMean!;
    if (gap > opts.validGap) {
      alerts.push({
        kind: 'valid-gap',
        step: last.step,
        message: `Validation reward (${last.validRewardMean!.toFixed(2)}) is ${gap.toFixed(2)} below training reward (${train.toFixed(2)}) at step ${last.step}: the model may be overfitting or gaming the grader.`,
      });
    }
  }
  // Parse errors rising: the latest rate against the lowest rate in the window before it.
  const parseOf = (p: MetricsPoint) => p.validParseErrorRate ?? p.trainParseErrorRate;
  const withParse = pts.filter((p) => parseOf(p) !== undefined);
  if (withParse.length >= 2 && opts.parseErrorRise > 0) {
    const latest = withParse[withParse.length - 1]!;
    const window = withParse.slice(-TREND_WINDOW - 1, -1);
    const low = Math.min(...window.map((p) => parseOf(p)!));
    const rise = parseOf(latest)! - low;
    if (rise > opts.parseErrorRise) {
      alerts.push({
        kind: 'parse-error-rise',
        step: latest.step,
        message: `Parse errors rose from ${(low * 100).toFixed(1)}% to ${(parseOf(latest)! * 100).toFixed(1)}% by step ${latest.step}: outputs no longer match the response format.`,
      });
    }
  }
  return alerts;
}
