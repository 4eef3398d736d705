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

export function parseMetricsEvents(events: readonly FineTuningJobEvent[]): MetricsSeries {
  void events;
  throw new Error('parseMetricsEvents: not implemented yet');
}

export function detectAlerts(series: MetricsSeries, opts: AlertOptions): MetricsAlert[] {
  void series;
  void opts;
  throw new Error('detectAlerts: not implemented yet');
}
