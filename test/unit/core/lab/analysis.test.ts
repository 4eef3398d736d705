import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareGraders,
  histogram,
  learningSignal,
  ranks,
  saturation,
  spearman,
  spreadPerItem,
  stddev,
} from '../../../../src/core/lab/analysis';

test('histogram puts 0 in the first bin and 1 in the last, and counts every finite value', () => {
  const h = histogram([0, 0.05, 0.5, 0.999, 1, NaN], 10);
  assert.equal(h.counts.length, 10);
  assert.equal(h.counts[0], 2);
  assert.equal(h.counts[5], 1);
  assert.equal(h.counts[9], 2);
  assert.equal(
    h.counts.reduce((a, b) => a + b),
    5,
  );
  assert.equal(h.edges[10], 1);
});

test('spreadPerItem flags items whose samples all score the same', () => {
  const s = spreadPerItem([
    { itemKey: 'a', reward: 1 },
    { itemKey: 'a', reward: 1 },
    { itemKey: 'b', reward: 0 },
    { itemKey: 'b', reward: 1 },
    { itemKey: 'c', reward: 0.3 },
  ]);
  const byKey = Object.fromEntries(s.map((x) => [x.itemKey, x]));
  assert.equal(byKey.a.flat, true);
  assert.equal(byKey.b.flat, false);
  assert.equal(byKey.b.std, 0.5);
  assert.equal(byKey.c.flat, false, 'a single sample is not "flat": nothing to compare');
  assert.equal(byKey.c.n, 1);
});

test('saturation: ≥ 90% of rewards at 0 or at 1', () => {
  assert.equal(saturation([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]).saturated, 'all-one');
  assert.equal(saturation(new Array(19).fill(0).concat([0.5])).saturated, 'all-zero');
  assert.equal(saturation([0, 1, 0.5, 1]).saturated, false);
  assert.equal(saturation([]).saturated, false);
});

test('learningSignal verdicts', () => {
  const rows = (spec: Record<string, number[]>) =>
    Object.entries(spec).flatMap(([k, rs]) => rs.map((reward) => ({ itemKey: k, reward })));
  assert.equal(learningSignal(rows({ a: [0, 0.5, 1, 0.5], b: [0.2, 0.8, 0.4, 0.6] })).verdict, 'promising');
  const weak = learningSignal(rows({ a: [0.5, 0.5], b: [0.3, 0.3], c: [0, 1] }));
  assert.equal(weak.verdict, 'weak');
  assert.equal(weak.flatItems, 2);
  assert.match(weak.explanation, /2 of 3 items/);
  assert.equal(
    learningSignal(rows({ a: [1, 1, 1, 1], b: [1, 1, 1, 1], c: [1, 1, 0.5, 1] })).verdict,
    'no-signal',
  );
  assert.equal(learningSignal(rows({ a: [0.4], b: [0.6] })).verdict, 'unknown');
  const broken = learningSignal([
    { itemKey: 'a', reward: 0, error: true },
    { itemKey: 'a', reward: 1 },
  ]);
  assert.equal(broken.verdict, 'no-signal');
  assert.match(broken.explanation, /errors/);
});

test('ranks average ties; spearman matches hand values', () => {
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // Hand computation: ranks a = [1,2,3,4,5], b = [2,1,4,3,5]; d² = 1+1+1+1+0 = 4; ρ = 1 − 6·4/(5·24) = 0.8
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) - 0.8) < 1e-12);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});

test('compareGraders: agreement at the threshold, largest disagreements first', () => {
  const c = compareGraders([0.9, 0.2, 0.6, 0.5], [0.8, 0.7, 0.6, 0.1], 0.5);
  assert.equal(c.agreement, 0.5); // rows 0 and 2 agree; row 1 (0.2 vs 0.7) and row 3 (0.5 vs 0.1) do not
  assert.deepEqual(
    c.largestDisagreements.map((d) => d.index),
    [1, 3, 0],
  );
  assert.ok(Math.abs(c.meanAbsDiff - (0.1 + 0.5 + 0 + 0.4) / 4) < 1e-12);
  assert.throws(() => compareGraders([1], [1, 2]));
});

test('property: spearman is within [-1, 1] and symmetric; a grader agrees fully with itself', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        { minLength: 2, maxLength: 50 },
      ),
      (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const r = spearman(a, b);
        if (!Number.isNaN(r)) {
          assert.ok(r >= -1 - 1e-12 && r <= 1 + 1e-12);
          assert.ok(Math.abs(r - spearman(b, a)) < 1e-12);
        }
        const self = compareGraders(a, a);
        assert.equal(self.agreement, 1);
        assert.equal(self.largestDisagreements.length, 0);
        assert.ok(stddev(a) >= 0);
      },
    ),
  );
});

test('recommendGrader prefers the grader that is not gameable, and says why', async () => {
  const { recommendGrader } = await import('../../../../src/core/lab/recommend');
  const rows = (k: string, rs: number[]) => rs.map((reward) => ({ itemKey: k, reward }));
  const g = (id: string) => ({
    graderId: id,
    label: id,
    histogram: histogram([]),
    signal: learningSignal([...rows('a', [0, 0.5, 1]), ...rows('b', [0.2, 0.4, 0.9])]),
    spreads: [],
    subRewardMeans: {},
  });
  const probe = (graderId: string, meanReward: number, exploitable: boolean) => ({
    graderId,
    probe: 'all-labels' as const,
    title: 'Every label at once',
    description: '',
    meanReward,
    baseline: 0.7,
    exploitable,
    items: 10,
  });
  const analysis = { graders: [g('f1'), g('f2')], comparisons: [] };
  const r = recommendGrader(analysis, [probe('f1', 0.2, false), probe('f2', 0.42, true)], (id) =>
    id.toUpperCase(),
  );
  assert.equal(r.best, 'f1');
  assert.match(r.text, /^Prefer F1: F1 gives a learning signal/);
  assert.match(r.text, /F2 .*pays "Every label at once" 0\.420/);
  assert.match(r.text, /Reward hacking is the deciding difference/);
  const tie = recommendGrader(analysis, [], (id) => id);
  assert.equal(tie.best, undefined);
  assert.match(tie.text, /No clear winner/);
});
