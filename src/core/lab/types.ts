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
