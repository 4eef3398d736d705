// Property tests of the eval statistics (src/core/evals/stats.ts) against direct computations: Wilcoxon's exact p by
// enumerating every sign assignment, its normal approximation from the textbook formula, the sign test by summing
// binomial terms exactly, and the bootstrap against the percentile of an explicit list of resamples.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  bootstrapMeanCI,
  mean,
  pairedComparison,
  passRate,
  seededIndices,
  signTest,
  wilcoxonSignedRank,
  winTieLoss,
} from '../../../src/core/evals/stats';

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} ≠ ${expected} (tolerance ${tol})`);

/** Two-sided exact p of W+ by enumerating all 2^n sign assignments of the ranks 1..n. */
function exactWilcoxonByEnumeration(diffs: number[]): number {
  const n = diffs.length;
  const order = diffs.map((d, i) => [Math.abs(d), i]).sort((x, y) => x[0] - y[0]);
  const rank = new Array<number>(n);
  order.forEach(([, i], r) => (rank[i] = r + 1));
  const w = diffs.reduce((s, d, i) => s + (d > 0 ? rank[i] : 0), 0);
  let le = 0;
  let ge = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = 0;
    for (let r = 0; r < n; r++) if (mask & (1 << r)) s += r + 1;
    if (s <= w) le++;
    if (s >= w) ge++;
  }
  const total = 2 ** n;
  return Math.min(1, 2 * Math.min(le / total, ge / total));
}

/** Φ(z) by Simpson's rule on the density: independent of any library's normal CDF. */
function normalCdf(z: number): number {
  const steps = 4000;
  const a = 0;
  const b = Math.abs(z);
  const h = (b - a) / steps;
  const phi = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let s = phi(a) + phi(b);
  for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * phi(a + i * h);
  const half = (s * h) / 3;
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

/** The normal approximation with mid-ranks, the tie correction of the variance and a continuity correction of ½. */
function normalWilcoxon(diffsWithZeros: number[]): number {
  const d = diffsWithZeros.filter((x) => x !== 0);
  const n = d.length;
  const abs = d.map(Math.abs);
  const sorted = [...abs].sort((x, y) => x - y);
  const midRank = (v: number) => {
    const first = sorted.indexOf(v);
    const last = sorted.lastIndexOf(v);
    return (first + last) / 2 + 1;
  };
  const w = d.reduce((s, x) => s + (x > 0 ? midRank(Math.abs(x)) : 0), 0);
  let tieTerm = 0;
  for (const v of new Set(abs)) {
    const t = abs.filter((x) => x === v).length;
    tieTerm += t ** 3 - t;
  }
  const mu = (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = (w - mu - 0.5 * Math.sign(w - mu)) / sigma;
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/** Exact two-sided binomial(½) p: the probability of every outcome no more likely than k, in BigInt arithmetic. */
function signTestBySum(k: number, n: number): number {
  const choose: bigint[] = [1n];
  for (let i = 1; i <= n; i++) choose.push((choose[i - 1] * BigInt(n - i + 1)) / BigInt(i));
  let sum = 0n;
  for (let i = 0; i <= n; i++) if (choose[i] <= choose[k]) sum += choose[i];
  return Math.min(1, Number((sum * 10n ** 15n) / 2n ** BigInt(n)) / 1e15);
}

/** Type-7 quantile, written out again so the test does not reuse the implementation's. */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
}

/** Distinct non-zero magnitudes with random signs: the case stdlib computes exactly. */
const distinctDiffs = (max: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 2, maxLength: max })
    .chain((mags) =>
      fc
        .array(fc.boolean(), { minLength: mags.length, maxLength: mags.length })
        .map((signs) => mags.map((m, i) => (signs[i] ? m : -m) / 100)),
    );

describe('eval statistics', () => {
  test('Wilcoxon, no ties or zeros, n ≤ 14: the exact p equals enumeration of all sign assignments', () => {
    fc.assert(
      fc.property(distinctDiffs(14), (d) => {
        const r = wilcoxonSignedRank(d);
        assert.equal(r.method, 'exact');
        close(r.p, exactWilcoxonByEnumeration(d), 1e-9, JSON.stringify(d));
      }),
      { numRuns: 200 },
    );
  });

  test('Wilcoxon: zeros are dropped before ranking (same p as without them)', () => {
    fc.assert(
      fc.property(distinctDiffs(10), fc.integer({ min: 1, max: 5 }), (d, zeros) => {
        const withZeros = [...Array<number>(zeros).fill(0), ...d];
        assert.equal(wilcoxonSignedRank(withZeros).p, wilcoxonSignedRank(d).p);
        assert.equal(wilcoxonSignedRank(withZeros).n, d.length);
      }),
      { numRuns: 100 },
    );
  });

  test('Wilcoxon with tied magnitudes (and zeros): the normal approximation with tie and continuity corrections', () => {
    const tied = fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 3, maxLength: 60 }).filter((xs) => {
      const nz = xs.filter((x) => x !== 0).map(Math.abs);
      return nz.length >= 2 && new Set(nz).size < nz.length;
    });
    fc.assert(
      fc.property(tied, (ints) => {
        const d = ints.map((x) => x / 4); // per-item means of 4 samples of 0/1 rewards differ by quarters
        const r = wilcoxonSignedRank(d);
        assert.equal(r.method, 'normal');
        close(r.p, normalWilcoxon(d), 1e-7, JSON.stringify(d));
      }),
      { numRuns: 200 },
    );
  });

  test("Wilcoxon: R's paired example (wilcox.test, V = 40, one-sided p 0.01953) gives the two-sided 0.0390625", () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]));
    assert.equal(r.statistic, 40);
    close(r.p, 0.0390625, 1e-12);
  });

  test('Wilcoxon: all differences zero, or one left, is no evidence (p = 1), never a throw; p never exceeds 1', () => {
    assert.deepEqual(wilcoxonSignedRank([0, 0, 0]), { p: 1, statistic: 0, n: 0, method: 'none' });
    assert.equal(wilcoxonSignedRank([0, 0.5]).p, 1);
    assert.equal(wilcoxonSignedRank([]).p, 1);
    // W+ = 3 at the centre of n = 3: 2·P(W ≤ 3) = 1.25 before the cap.
    assert.equal(wilcoxonSignedRank([1, 2, -3]).p, 1);
    // 0.3 − 0.1 and 0.2 are the same difference once rounded, so they tie (normal method) instead of ranking apart.
    assert.equal(wilcoxonSignedRank([0.3 - 0.1, 0.2, 0.5]).method, 'normal');
  });

  test('sign test equals the sum of binomial terms no more likely than the observed count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (wins, losses) => {
        const n = wins + losses;
        const expected = n === 0 ? 1 : signTestBySum(wins, n);
        close(signTest(wins, losses), expected, 1e-9, `${wins}/${losses}`);
        assert.equal(signTest(wins, losses), signTest(losses, wins));
      }),
      { numRuns: 300 },
    );
    close(signTest(9, 1), 22 / 1024, 1e-12);
  });

  test('bootstrap interval = percentiles of an explicit list of seeded resamples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 300 }),
        (values, seed, resamples) => {
          const draw = seededIndices(seed);
          const list: number[][] = [];
          for (let r = 0; r < resamples; r++) list.push(values.map(() => values[draw.next(values.length)]));
          const means = list.map((xs) => xs.reduce((s, x) => s + x, 0) / xs.length).sort((a, b) => a - b);
          const ci = bootstrapMeanCI(values, { seed, resamples });
          close(ci[0], quantile(means, 0.025), 1e-12, 'lo');
          close(ci[1], quantile(means, 0.975), 1e-12, 'hi');
          assert.deepEqual(
            bootstrapMeanCI(values, { seed, resamples }),
            ci,
            'same data and seed, same interval',
          );
          assert.ok(ci[0] <= ci[1]);
          assert.ok(ci[0] >= Math.min(...values) - 1e-12 && ci[1] <= Math.max(...values) + 1e-12);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('seeded indices: in range, reproducible, and uniform (chi-square over many draws)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 22 }), fc.integer(), (n, seed) => {
        const a = seededIndices(seed);
        const b = seededIndices(seed);
        for (let i = 0; i < 50; i++) {
          const x = a.next(n);
          assert.ok(Number.isInteger(x) && x >= 0 && x < n, `${x} of ${n}`);
          assert.equal(b.next(n), x);
        }
      }),
      { numRuns: 200 },
    );
    // 7 cells, 70,000 draws: chi-square with 6 degrees of freedom stays below 22.46 (p = 0.001) for a uniform draw.
    const draw = seededIndices(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[draw.next(7)]++;
    const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
    assert.ok(chi2 < 22.46, `chi-square ${chi2} for ${counts.join(', ')}`);
  });

  test('bootstrap: the seed matters, a constant sample has a zero-width interval, no data gives NaN', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 7919) % 11);
    assert.notDeepEqual(bootstrapMeanCI(values, { seed: 1 }), bootstrapMeanCI(values, { seed: 2 }));
    assert.deepEqual(bootstrapMeanCI([0.5, 0.5, 0.5]), [0.5, 0.5]);
    assert.ok(bootstrapMeanCI([]).every(Number.isNaN));
  });

  test('paired comparison: difference of means over common items, win/tie/loss, antisymmetry', () => {
    const items = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 4 }).map((x) => x / 4),
      { minKeys: 0, maxKeys: 30 },
    );
    fc.assert(
      fc.property(items, items, (ra, rb) => {
        const a = new Map(Object.entries(ra));
        const b = new Map(Object.entries(rb));
        const common = [...a.keys()].filter((k) => b.has(k));
        const r = pairedComparison(a, b, { resamples: 200 });
        assert.equal(r.items, common.length);
        assert.equal(r.wins + r.ties + r.losses, common.length);
        assert.equal(r.wins, common.filter((k) => a.get(k)! > b.get(k)!).length);
        assert.equal(r.losses, common.filter((k) => a.get(k)! < b.get(k)!).length);
        if (common.length) {
          const direct = mean(common.map((k) => a.get(k)!)) - mean(common.map((k) => b.get(k)!));
          close(r.difference, direct, 1e-12);
        } else assert.ok(Number.isNaN(r.difference));
        const s = pairedComparison(b, a, { resamples: 200 });
        assert.equal(s.wins, r.losses);
        close(s.p_value, r.p_value, 1e-12);
        close(s.sign_test_p_value, r.sign_test_p_value, 1e-12);
        assert.ok(r.p_value >= 0 && r.p_value <= 1);
      }),
      { numRuns: 150 },
    );
  });

  test('win/tie/loss counts and pass rate against direct counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true })),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (xs, t) => {
          const w = winTieLoss(xs);
          assert.equal(w.wins + w.ties + w.losses, xs.length);
          if (xs.length) assert.equal(passRate(xs, t), xs.filter((x) => x >= t).length / xs.length);
        },
      ),
    );
    assert.deepEqual(winTieLoss([0.5, 0, -0.25, 1e-15]), { wins: 1, ties: 2, losses: 1 });
    assert.ok(Number.isNaN(passRate([], 0.5)));
  });
});
