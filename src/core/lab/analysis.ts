// Grader Lab analyses: does a grader give a learning signal (spread per item, saturation), and how do two
// candidate graders compare (agreement, rank correlation, largest disagreements). Pure functions over rewards.

export interface GradedRow {
  /** Key of the dataset item the sample belongs to (its `id`, or its line). */
  itemKey: string;
  reward: number;
  /** True when the grader raised an error flag for this row. */
  error?: boolean;
}

export interface Histogram {
  /** Bin edges: bins[i] covers [edges[i], edges[i+1]) — the last bin is closed. */
  edges: number[];
  counts: number[];
}

/** Histogram of rewards over [min(0, lo), max(1, hi)] in `bins` equal bins. */
export function histogram(values: readonly number[], bins = 10): Histogram {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(1, ...finite);
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const i = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[i]++;
  }
  return { edges, counts };
}

export function mean(values: readonly number[]): number {
  if (!values.length) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Population standard deviation. */
export function stddev(values: readonly number[]): number {
  if (!values.length) return NaN;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / values.length);
}

export interface ItemSpread {
  itemKey: string;
  n: number;
  mean: number;
  min: number;
  max: number;
  std: number;
  /** Every sample of this item scored the same: RFT learns nothing from this prompt. */
  flat: boolean;
}

/** Rewards that differ by less than this are "the same" for the flat-item check. */
export const FLAT_EPSILON = 1e-9;

export function spreadPerItem(rows: readonly GradedRow[]): ItemSpread[] {
  const byItem = new Map<string, number[]>();
  for (const r of rows) {
    let list = byItem.get(r.itemKey);
    if (!list) byItem.set(r.itemKey, (list = []));
    list.push(r.reward);
  }
  return [...byItem.entries()].map(([itemKey, rewards]) => {
    const min = Math.min(...rewards);
    const max = Math.max(...rewards);
    return {
      itemKey,
      n: rewards.length,
      mean: mean(rewards),
      min,
      max,
      std: stddev(rewards),
      flat: rewards.length > 1 && max - min < FLAT_EPSILON,
    };
  });
}

export interface Saturation {
  n: number;
  zeros: number;
  ones: number;
  /** Share of rewards at (or within 1e-9 of) 0 and 1. */
  zeroShare: number;
  oneShare: number;
  /** Nearly every reward is 0, or nearly every reward is 1. */
  saturated: 'all-zero' | 'all-one' | false;
}

/** A grader whose rewards are ≥ this share all-0 or all-1 is "saturated". */
export const SATURATION_SHARE = 0.9;

export function saturation(rewards: readonly number[]): Saturation {
  const n = rewards.length;
  const zeros = rewards.filter((r) => Math.abs(r) < FLAT_EPSILON).length;
  const ones = rewards.filter((r) => Math.abs(r - 1) < FLAT_EPSILON).length;
  const zeroShare = n ? zeros / n : 0;
  const oneShare = n ? ones / n : 0;
  const saturated =
    n === 0
      ? false
      : zeroShare >= SATURATION_SHARE
        ? 'all-zero'
        : oneShare >= SATURATION_SHARE
          ? 'all-one'
          : false;
  return { n, zeros, ones, zeroShare, oneShare, saturated };
}

export interface SignalReport {
  samples: number;
  items: number;
  meanReward: number;
  errorRate: number;
  /** Items graded with more than one sample. */
  multiSampleItems: number;
  flatItems: number;
  flatShare: number;
  meanWithinItemStd: number;
  saturation: Saturation;
  verdict: 'promising' | 'weak' | 'no-signal' | 'unknown';
  explanation: string;
}

/**
 * Plain-language verdict on whether the grader gives RFT something to learn from: the policy improves only on
 * prompts whose samples score differently, and only if the grader is neither saturated nor broken.
 */
export function learningSignal(rows: readonly GradedRow[]): SignalReport {
  const rewards = rows.map((r) => r.reward);
  const spreads = spreadPerItem(rows);
  const multi = spreads.filter((s) => s.n > 1);
  const flatItems = multi.filter((s) => s.flat).length;
  const flatShare = multi.length ? flatItems / multi.length : 0;
  const sat = saturation(rewards);
  const errorRate = rows.length ? rows.filter((r) => r.error).length / rows.length : 0;
  const meanWithinItemStd = multi.length ? mean(multi.map((s) => s.std)) : NaN;
  const meanReward = mean(rewards);
  const base = {
    samples: rows.length,
    items: spreads.length,
    meanReward,
    errorRate,
    multiSampleItems: multi.length,
    flatItems,
    flatShare,
    meanWithinItemStd,
    saturation: sat,
  };
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (!rows.length) return { ...base, verdict: 'unknown', explanation: 'Nothing graded yet.' };
  if (errorRate >= 0.2) {
    return {
      ...base,
      verdict: 'no-signal',
      explanation: `${pct(errorRate)} of samples raised grader errors: fix the grader (or the response format) before training — errors score 0 and teach the model nothing about the task.`,
    };
  }
  if (sat.saturated === 'all-one') {
    return {
      ...base,
      verdict: 'no-signal',
      explanation: `${pct(sat.oneShare)} of samples already score 1: the task is too easy for this grader, so RFT has almost nothing to improve. Use harder prompts or a stricter grader.`,
    };
  }
  if (sat.saturated === 'all-zero') {
    return {
      ...base,
      verdict: 'no-signal',
      explanation: `${pct(sat.zeroShare)} of samples score 0: the model almost never succeeds, so there is no better reasoning to reinforce. Give partial credit, or start from easier prompts.`,
    };
  }
  if (!multi.length) {
    return {
      ...base,
      verdict: 'unknown',
      explanation: `Only one sample per item: grade several samples per prompt (K ≥ 4) to see whether the grader separates better answers from worse ones. Mean reward ${meanReward.toFixed(3)}.`,
    };
  }
  if (flatShare >= 0.5) {
    return {
      ...base,
      verdict: 'weak',
      explanation: `${flatItems} of ${multi.length} items (${pct(flatShare)}) got the same reward for every sample: RFT learns nothing from those prompts. The rest do vary (mean spread σ=${meanWithinItemStd.toFixed(3)}).`,
    };
  }
  return {
    ...base,
    verdict: 'promising',
    explanation: `Rewards vary within ${multi.length - flatItems} of ${multi.length} items (mean spread σ=${meanWithinItemStd.toFixed(3)}) and the grader is not saturated (mean ${meanReward.toFixed(3)}): the task looks likely to benefit from RFT.${flatItems ? ` ${flatItems} item(s) scored the same for every sample and teach nothing.` : ''}`,
  };
}

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = avg;
    i = j + 1;
  }
  return out;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) return NaN;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? NaN : num / Math.sqrt(da * db);
}

/** Spearman's rank correlation with average ranks for ties (NaN when either side is constant). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

export interface Comparison {
  n: number;
  meanA: number;
  meanB: number;
  meanAbsDiff: number;
  /** Share of rows where both graders land on the same side of the threshold. */
  agreement: number;
  threshold: number;
  spearman: number;
  pearson: number;
  /** Row indices sorted by |a − b|, largest first (only rows that differ). */
  largestDisagreements: Array<{ index: number; a: number; b: number; diff: number }>;
}

/** Compares two graders' rewards on the same rows (same order). */
export function compareGraders(
  a: readonly number[],
  b: readonly number[],
  threshold = 0.5,
  top = 10,
): Comparison {
  if (a.length !== b.length) throw new Error(`compareGraders: ${a.length} vs ${b.length} rewards`);
  const n = a.length;
  let same = 0;
  let absDiff = 0;
  const diffs: Comparison['largestDisagreements'] = [];
  for (let i = 0; i < n; i++) {
    if (a[i] >= threshold === b[i] >= threshold) same++;
    const d = Math.abs(a[i] - b[i]);
    absDiff += d;
    if (d > FLAT_EPSILON) diffs.push({ index: i, a: a[i], b: b[i], diff: b[i] - a[i] });
  }
  diffs.sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff) || x.index - y.index);
  return {
    n,
    meanA: mean(a),
    meanB: mean(b),
    meanAbsDiff: n ? absDiff / n : NaN,
    agreement: n ? same / n : NaN,
    threshold,
    spearman: spearman(a, b),
    pearson: pearson(a, b),
    largestDisagreements: diffs.slice(0, top),
  };
}
