import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countLabels } from '../../../../src/core/prep/labelCounts';
import { stratifiedSplit, type SplitItem } from '../../../../src/core/prep/split';
import { EUROVOC_LABELS, skewedEurovoc } from './skewedEurovoc';

const LABELS = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Items whose equal keys carry equal labels (a key stands for the line's content). */
const itemsArb = fc
  .array(
    fc.record({
      labels: fc.uniqueArray(fc.constantFrom(...LABELS), { maxLength: 3 }),
      key: fc.integer({ min: 0, max: 40 }).map(String),
    }),
    { minLength: 2, maxLength: 90 },
  )
  .map((items) => items.map((it) => ({ ...it, labels: items.find((o) => o.key === it.key)!.labels })));
const caseArb = itemsArb.chain((items) =>
  fc.record({
    items: fc.constant(items),
    v: fc.integer({ min: 1, max: items.length - 1 }),
    seed: fc.string(),
  }),
);

test('property: every example lands in exactly one file — nothing lost, nothing duplicated', () => {
  fc.assert(
    fc.property(caseArb, ({ items, v, seed }) => {
      const r = stratifiedSplit(items, v, seed);
      assert.equal(r.valid.length, items.length);
      assert.ok(r.valid.every((x) => typeof x === 'boolean'));
      assert.equal(r.trainCount + r.validCount, items.length);
      assert.equal(r.valid.filter(Boolean).length, r.validCount);
    }),
  );
});

test('property: deterministic for a seed', () => {
  fc.assert(
    fc.property(caseArb, ({ items, v, seed }) => {
      assert.deepEqual(stratifiedSplit(items, v, seed), stratifiedSplit(items, v, seed));
    }),
  );
});

test('property: exact duplicates never straddle the split', () => {
  fc.assert(
    fc.property(caseArb, ({ items, v, seed }) => {
      const r = stratifiedSplit(items, v, seed);
      const side = new Map<string, boolean>();
      items.forEach((it, i) => {
        if (side.has(it.key)) assert.equal(r.valid[i], side.get(it.key), `key ${it.key}`);
        side.set(it.key, r.valid[i]);
      });
    }),
  );
});

function coverageCase(maxLabels: number) {
  return fc
    .array(fc.uniqueArray(fc.constantFrom(...LABELS), { maxLength: maxLabels }), {
      minLength: 2 * LABELS.length,
      maxLength: 90,
    })
    .chain((ls) =>
      fc.record({
        items: fc.constant(ls.map((labels, i) => ({ labels, key: String(i) }))),
        // Room for coverage: at least as many slots on each side as there are labels.
        v: fc.integer({ min: LABELS.length, max: ls.length - LABELS.length }),
        seed: fc.string(),
      }),
    );
}

function sides(items: SplitItem[], valid: boolean[]) {
  return {
    total: countLabels(items),
    valid: countLabels(items.filter((_, i) => valid[i])),
    train: countLabels(items.filter((_, i) => !valid[i])),
  };
}

test('property: single-label data without duplicates — exact sizes, and every label with ≥2 examples in both files', () => {
  fc.assert(
    fc.property(coverageCase(1), ({ items, v, seed }) => {
      const r = stratifiedSplit(items, v, seed);
      assert.equal(r.validCount, v);
      const { total, valid, train } = sides(items, r.valid);
      for (const [l, c] of total) {
        if (c >= 2)
          assert.ok(
            (valid.get(l) ?? 0) > 0 && (train.get(l) ?? 0) > 0,
            `label ${l} (${c} examples) in both files`,
          );
      }
      assert.deepEqual(r.uncovered, []);
    }),
  );
});

test('property: multi-label data — every label with ≥2 examples is in both files or reported as not coverable', () => {
  fc.assert(
    fc.property(coverageCase(3), ({ items, v, seed }) => {
      const r = stratifiedSplit(items, v, seed);
      const { total, valid, train } = sides(items, r.valid);
      const reported = new Set(r.uncovered.map((u) => u.label));
      for (const [l, c] of total) {
        if (c < 2) continue;
        const both = (valid.get(l) ?? 0) > 0 && (train.get(l) ?? 0) > 0;
        assert.equal(
          both,
          !reported.has(l),
          `label ${l}: in both files = ${both}, reported = ${reported.has(l)}`,
        );
      }
    }),
  );
});

test('coverage can be impossible with multi-label data, and is then reported: {c,f} {c,a} {f,a}', () => {
  const items: SplitItem[] = [
    ...[
      ['c', 'f'],
      ['c', 'a'],
      ['f', 'a'],
    ].map((labels, i) => ({ labels, key: `m${i}` })),
    ...Array.from({ length: 9 }, (_, i) => ({ labels: [], key: `u${i}` })),
  ];
  const r = stratifiedSplit(items, 6, '');
  assert.equal(r.uncovered.length, 1, JSON.stringify(r.uncovered));
  assert.match(r.uncovered[0].reason, /without leaving another label out/);
});

test('a label whose examples are all one duplicate group is reported, not silently split', () => {
  const items: SplitItem[] = [
    { labels: ['rare'], key: 'same' },
    { labels: ['rare'], key: 'same' },
    ...Array.from({ length: 10 }, (_, i) => ({ labels: ['common'], key: `c${i}` })),
  ];
  const r = stratifiedSplit(items, 4, 's');
  assert.equal(r.valid[0], r.valid[1]);
  assert.deepEqual(
    r.uncovered.map((u) => u.label),
    ['rare'],
  );
  assert.match(r.uncovered[0].reason, /exact duplicates/);
});

test('when the sizes leave too little room, coverage wins over the exact size (and the result says so)', () => {
  const items: SplitItem[] = ['e', 'd', 'd', 'x', 'e'].map((l, i) => ({ labels: [l], key: String(i) }));
  const r = stratifiedSplit(items, 4, '');
  const train = countLabels(items.filter((_, i) => !r.valid[i]));
  assert.ok(train.has('d') && train.has('e'));
  assert.equal(r.validCount, 3);
});

test('duplicate groups larger than the validation size: the file gets one group rather than none', () => {
  // Two pairs of identical, unlabelled lines and a validation size of 1: a pair cannot be split, so the
  // validation file takes one pair (2 examples) instead of staying empty.
  const items: SplitItem[] = ['p', 'p', 'q', 'q'].map((key) => ({ labels: [], key }));
  for (const seed of ['', '1', 'abc']) {
    const r = stratifiedSplit(items, 1, seed);
    assert.equal(r.validCount, 2);
    assert.equal(r.trainCount, 2);
    assert.equal(r.valid[0], r.valid[1], 'duplicates stay together');
    assert.equal(r.valid[2], r.valid[3], 'duplicates stay together');
  }
});

test('a rare label gets one example in each file even when its proportional share rounds to zero', () => {
  const items: SplitItem[] = [
    { labels: ['rare'], key: 'r1' },
    { labels: ['rare'], key: 'r2' },
    ...Array.from({ length: 98 }, (_, i) => ({ labels: ['common'], key: `c${i}` })),
  ];
  for (const seed of ['1', '2', '3', '4']) {
    const r = stratifiedSplit(items, 5, seed);
    assert.notEqual(r.valid[0], r.valid[1], `seed ${seed}`);
    assert.equal(r.validCount, 5);
  }
});

test('EuroVoc: 2,000 skewed multi-label examples, 25% validation — coverage and balance', () => {
  // Zipf-like labels (s = 1.3) with 1–6 labels each, and an exact duplicate every 50 lines.
  const items = skewedEurovoc(2000, 'eurovoc-split', 1.3, 50);
  const total = countLabels(items);
  assert.equal(total.size, 21);
  const V = 500;
  const r = stratifiedSplit(items, V, '42');
  assert.equal(r.validCount, V);
  const valid = countLabels(items.filter((_, i) => r.valid[i]));
  const train = countLabels(items.filter((_, i) => !r.valid[i]));
  for (const label of EUROVOC_LABELS) {
    const c = total.get(label)!;
    const v = valid.get(label) ?? 0;
    const t = train.get(label) ?? 0;
    assert.ok(v >= 1 && t >= 1, `${label} in both files`);
    // Balance bound: each label's validation count is within ONE example of its proportional share c·V/n.
    // Rounding alone forces up to 0.5; the extra 0.5 leaves room for the coverage minimum and for duplicate
    // groups, which only move whole. One example off means a share difference of at most 100·(1/V + 1/T) points.
    const ideal = (c * V) / items.length;
    assert.ok(Math.abs(v - ideal) <= 1, `${label}: ${v} validation examples, ideal ${ideal.toFixed(2)}`);
    const points = Math.abs((100 * t) / r.trainCount - (100 * v) / r.validCount);
    assert.ok(
      points <= 100 * (1 / r.validCount + 1 / r.trainCount),
      `${label}: share difference ${points.toFixed(2)} points`,
    );
  }
});

test('EuroVoc: 150 examples, 50 validation (the Build Hour sizes) — all 21 labels in both files', () => {
  const items = skewedEurovoc(150, 'eurovoc-150', 1.3);
  const total = countLabels(items);
  const r = stratifiedSplit(items, 50, '1');
  const valid = countLabels(items.filter((_, i) => r.valid[i]));
  const train = countLabels(items.filter((_, i) => !r.valid[i]));
  for (const [label, c] of total) {
    if (c >= 2) assert.ok((valid.get(label) ?? 0) >= 1 && (train.get(label) ?? 0) >= 1, label);
    assert.ok(Math.abs((valid.get(label) ?? 0) - (c * 50) / 150) <= 1, label);
  }
});
