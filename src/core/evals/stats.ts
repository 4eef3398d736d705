// The statistics of an eval comparison (issue #13): mean with a seeded 95% bootstrap interval, the paired difference
// of two candidates over their common items, the sign test, Wilcoxon signed-rank, win/tie/loss and pass rate. Pure.
//
// Libraries, and why these: the two tests come from stdlib (`@stdlib/stats-wilcoxon`, `@stdlib/stats-binomial-test`),
// which compute the exact signed-rank and binomial distributions and R's normal approximation with the tie
// correction. `simple-statistics` was considered and has neither test (only a rank-sum). stdlib's wilcoxon is used
// through `wilcoxonSignedRank` below because it needs three guards for our data: it throws when every difference is
// zero (common: two candidates that agree on every item), throws below two differences, and its exact two-sided p can
// exceed 1 when the statistic sits at the centre (2·P(T ≤ centre) > 1), so p is capped at 1 as R and SciPy do.
// The resampling generator is pure-rand's Mersenne Twister (seeded, identical on every platform).
import wilcoxon from '@stdlib/stats-wilcoxon';
import binomialTest from '@stdlib/stats-binomial-test';
import { mersenne } from 'pure-rand/generator/mersenne';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** Default number of bootstrap resamples. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** Default seed, so two reports of the same results show the same intervals. */
export const BOOTSTRAP_SEED = 20261130;

/**
 * Per-item means are averages of K rewards, so one value computed in two orders can differ in the last bits
 * (0.3 − 0.1 ≠ 0.2). Differences are rounded to this many decimals before they are compared, ranked or called
 * ties, so that equal-looking items are equal.
 */
const DECIMALS = 1e12;

function roundDiff(d: number): number {
  const r = Math.round(d * DECIMALS) / DECIMALS;
  return r === 0 ? 0 : r; // no -0
}

export interface BootstrapOptions {
  seed?: number;
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/** The arithmetic mean; NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

const TWO_32 = 4294967296;

/**
 * A seeded source of resample indices: `next(n)` is uniform over 0…n−1. Shared by the bootstrap and its tests.
 * Lemire's multiply-and-reject on the generator's 32-bit output: exact (no modulo bias) and about four times
 * faster than pure-rand's uniformInt, which matters at 2,000 resamples of 50,000 items. The product of a 32-bit
 * value and n ≤ 2^21 stays below 2^53, so the double arithmetic is exact; larger n go through uniformInt.
 */
export function seededIndices(seed: number): { next(n: number): number } {
  const rng = mersenne(seed | 0);
  return {
    next(n) {
      if (n > 2 ** 21) return uniformInt(rng, 0, n - 1);
      let m = (rng.next() >>> 0) * n;
      let low = m % TWO_32;
      if (low < n) {
        const threshold = (TWO_32 - n) % n;
        while (low < threshold) {
          m = (rng.next() >>> 0) * n;
          low = m % TWO_32;
        }
      }
      return Math.floor(m / TWO_32);
    },
  };
}

/** Quantile of sorted values by linear interpolation between order statistics (R type 7, NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap interval of the mean: `resamples` resamples of `values` with replacement, drawn with a
 * Mersenne Twister seeded with `seed` (resample r takes its n indices in order), their means sorted, and the
 * (1−level)/2 and (1+level)/2 quantiles. Same values, seed and count give the same interval. [NaN, NaN] for
 * no values; a single value gives [v, v].
 */
export function bootstrapMeanCI(values: ArrayLike<number>, opts: BootstrapOptions = {}): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = opts.level ?? 0.95;
  const draw = seededIndices(opts.seed ?? BOOTSTRAP_SEED);
  const dense = Float64Array.from(values);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += dense[draw.next(n)];
    means[r] = s / n;
  }
  means.sort();
  return [quantileSorted(means, (1 - level) / 2), quantileSorted(means, (1 + level) / 2)];
}

/** Mean with its bootstrap interval. */
export function meanWithCI(
  values: ArrayLike<number>,
  opts: BootstrapOptions = {},
): { mean: number; ci: [number, number] } {
  return { mean: mean(values), ci: bootstrapMeanCI(values, opts) };
}

/** Share of values at or above `threshold`; NaN for no values. */
export function passRate(values: ArrayLike<number>, threshold: number): number {
  if (values.length === 0) return Number.NaN;
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= threshold) k++;
  return k / values.length;
}

export interface WinTieLoss {
  wins: number;
  ties: number;
  losses: number;
}

/** Items where a is better (difference > 0), equal (after rounding), or worse. */
export function winTieLoss(differences: ArrayLike<number>): WinTieLoss {
  const out = { wins: 0, ties: 0, losses: 0 };
  for (let i = 0; i < differences.length; i++) {
    const d = roundDiff(differences[i]);
    if (d > 0) out.wins++;
    else if (d < 0) out.losses++;
    else out.ties++;
  }
  return out;
}

/**
 * Two-sided exact sign test of wins against losses (ties dropped, as the sign test does): the binomial
 * probability, under p = ½, of an outcome no more likely than the one seen. 1 when nothing was won or lost.
 */
export function signTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  return Math.min(1, binomialTest(wins, n, { p: 0.5, alternative: 'two-sided' }).pValue);
}

export interface WilcoxonResult {
  /** Two-sided p-value. */
  p: number;
  /** W+, the sum of the ranks of the positive differences. */
  statistic: number;
  /** Differences left after zeros are dropped. */
  n: number;
  method: 'exact' | 'normal' | 'none';
}

/**
 * Wilcoxon signed-rank test, two-sided, of paired differences against 0.
 * Zeros: dropped before ranking (Wilcoxon's original "wilcox" method, R's wilcox.test and SciPy's default).
 * Exact distribution of W+ when at most 50 non-zero differences remain and their absolute values have no ties;
 * otherwise the normal approximation with the tie correction of the variance and a continuity correction of ½.
 * Fewer than two non-zero differences: no evidence either way, p = 1 (method "none").
 */
export function wilcoxonSignedRank(differences: ArrayLike<number>): WilcoxonResult {
  const d: number[] = [];
  for (let i = 0; i < differences.length; i++) {
    const v = roundDiff(differences[i]);
    if (v !== 0) d.push(v);
  }
  if (d.length < 2) {
    let w = 0;
    for (const v of d) if (v > 0) w += 1;
    return { p: 1, statistic: w, n: d.length, method: 'none' };
  }
  const r = wilcoxon(d, { alternative: 'two-sided', zeroMethod: 'wilcox', correction: true });
  const abs = d.map(Math.abs).sort((x, y) => x - y);
  let tied = false;
  for (let i = 1; i < abs.length && !tied; i++) tied = abs[i] === abs[i - 1];
  return {
    p: Math.min(1, r.pValue),
    statistic: r.statistic,
    n: d.length,
    method: d.length <= 50 && !tied ? 'exact' : 'normal',
  };
}

export interface PairedComparison extends WinTieLoss {
  /** mean(a) − mean(b) over the paired items. */
  difference: number;
  /** Bootstrap interval of the mean per-item difference. */
  ci: [number, number];
  /** Wilcoxon signed-rank two-sided p. */
  p_value: number;
  sign_test_p_value: number;
  /** Items both candidates have. */
  items: number;
}

/**
 * Paired comparison of two candidates: `a` and `b` map an item key to that candidate's mean reward on the item
 * (mean over its samples). Only items both have are paired, in `a`'s key order (so the resampling is
 * reproducible for the same inputs).
 */
export function pairedComparison(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  opts: BootstrapOptions = {},
): PairedComparison {
  const diffs: number[] = [];
  for (const [key, va] of a) {
    const vb = b.get(key);
    if (vb !== undefined) diffs.push(va - vb);
  }
  const wtl = winTieLoss(diffs);
  return {
    difference: diffs.length ? mean(diffs) : Number.NaN,
    ci: bootstrapMeanCI(diffs, opts),
    p_value: diffs.length ? wilcoxonSignedRank(diffs).p : 1,
    sign_test_p_value: signTest(wtl.wins, wtl.losses),
    items: diffs.length,
    ...wtl,
  };
}
