// Result shapes of a Grader Lab run, shared with the webview (type-only: no runtime imports).
import type { Comparison, Histogram, ItemSpread, SignalReport } from './analysis';
import type { ProbeId } from './probes';

export interface LabRow {
  graderId: string;
  itemIndex: number;
  itemKey: string;
  line: number;
  sampleIndex: number;
  /** The output as text, cut to OUTPUT_PREVIEW characters. */
  output: string;
  reward: number;
  subRewards: Record<string, number>;
  /** Names of the error flags that were raised. */
  errors: string[];
  traceback: string | null;
  executionMs: number;
}

export interface GraderAnalysis {
  graderId: string;
  label: string;
  histogram: Histogram;
  signal: SignalReport;
  spreads: ItemSpread[];
  /** Mean of each sub-reward (multi graders), e.g. precision and recall. */
  subRewardMeans: Record<string, number>;
}

export interface LabComparison extends Comparison {
  a: string;
  b: string;
  /** For the largest disagreements: which row of the results they are. */
  rows: Array<{ itemKey: string; line: number; sampleIndex: number; output: string; a: number; b: number }>;
}

export interface LabAnalysis {
  graders: GraderAnalysis[];
  comparisons: LabComparison[];
}

export interface ProbeResult {
  graderId: string;
  probe: ProbeId;
  title: string;
  description: string;
  /** Mean reward of the probe over the probed items. */
  meanReward: number;
  /** Mean reward of the real samples, for reference. */
  baseline: number;
  /** The grader pays this probe as much as, or more than, half the real samples' mean (and at least 0.2). */
  exploitable: boolean;
  items: number;
}

/** Where a run's sample outputs come from; declared once, the protocol's check reads the same list. */
export const SAMPLES_MODES = ['file', 'pasted', 'model'] as const;
export type SamplesMode = (typeof SAMPLES_MODES)[number];

export interface LabGraderRef {
  path: string;
  label: string;
  type: string;
}

export interface LabSetup {
  dataset?: string;
  graders: LabGraderRef[];
  samplesMode: SamplesMode;
  samplesFile?: string;
  pasted: { itemIndex: number; text: string };
  model: { model: string; k: number };
  responseFormat?: string;
  threshold: number;
}

export interface LabItemSummary {
  index: number;
  key: string;
  line: number;
  preview: string;
}

export type LabPhase = 'idle' | 'sampling' | 'grading' | 'probing' | 'done' | 'cancelled' | 'error';

export interface LabStatus {
  phase: LabPhase;
  done: number;
  total: number;
  message?: string;
}

export interface RemoteDiff {
  graderId: string;
  itemKey: string;
  sampleIndex: number;
  local: number;
  remote: number | null;
  /** Fields that differ (reward, sub_rewards.x, errors.flag) or the error the provider returned. */
  differences: string[];
}

export const NOTICE_LEVELS = ['info', 'warning', 'error'] as const;
export type NoticeLevel = (typeof NOTICE_LEVELS)[number];

/**
 * What a Lab session tells its view, in the order it happens. The webview protocol sends these as they are:
 * one shape from the session to the screen.
 */
export type LabEvent =
  | {
      type: 'setup';
      setup: LabSetup;
      items: LabItemSummary[];
      samplingPlan?: string;
      provider?: { label: string; graderRun: boolean };
      trusted: boolean;
    }
  | { type: 'status'; status: LabStatus }
  | { type: 'rows'; rows: LabRow[]; reset?: boolean }
  | {
      type: 'analysis';
      analysis: LabAnalysis;
      probes: ProbeResult[];
      recommendation: { best?: string; text: string };
    }
  | { type: 'remote'; checked: number; diffs: RemoteDiff[] }
  | { type: 'notice'; level: NoticeLevel; message: string };
