import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countLabels } from '../../../../src/core/prep/labelCounts';
import { balancedSample, type SampleItem } from '../../../../src/core/prep/sample';
import { EUROVOC_LABELS, skewedEurovoc } from './skewedEurovoc';

const itemArb = fc.record({
  labels: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 4 }),
  key: fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11', 'k12'),
});
const itemsArb = fc.array(itemArb, { maxLength: 80 }).map((items) =>
  // Keys stand for line content, so equal keys must carry equal labels.
  items.map((it) => ({ ...it, labels: items.find((o) => o.key === it.key)!.labels })),
);
const uniqueItemsArb = fc
  .array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 4 }), {
    maxLength: 80,
  })
  .map((ls) => ls.map((labels, i) => ({ labels, key: `u${i}` })));

test('property: a sample loses and duplicates nothing — distinct, in-range indices, exactly min(n, total)', () => {
  fc.assert(
    fc.property(itemsArb, fc.nat(100), fc.string(), (items, n, seed) => {
      const { selected } = balancedSample(items, n, seed);
      assert.equal(selected.length, Math.min(n, items.length));
      assert.equal(new Set(selected).size, selected.length, 'no index twice');
      assert.ok(
        selected.every(
          (i, k) => Number.isInteger(i) && i >= 0 && i < items.length && (k === 0 || selected[k - 1] < i),
        ),
      );
    }),
  );
});

test('property: the same seed gives the same sample', () => {
  fc.assert(
    fc.property(itemsArb, fc.nat(100), fc.string(), (items, n, seed) => {
      assert.deepEqual(balancedSample(items, n, seed), balancedSample(items, n, seed));
    }),
  );
});

test('property: exact duplicates are only picked when distinct examples run out', () => {
  fc.assert(
    fc.property(itemsArb, fc.nat(100), fc.string(), (items, n, seed) => {
      const { selected, duplicatesPicked } = balancedSample(items, n, seed);
      const distinct = new Set(items.map((i) => i.key)).size;
      const keys = new Set(selected.map((i) => items[i].key));
      assert.equal(keys.size, Math.min(selected.length, distinct));
      assert.equal(duplicatesPicked, selected.length - keys.size);
    }),
  );
});

test('property: every label is in the sample when n allows one example per label', () => {
  fc.assert(
    fc.property(uniqueItemsArb, fc.string(), (items, seed) => {
      const labels = new Set(items.flatMap((i) => i.labels));
      const n = Math.min(items.length, labels.size);
      const got = countLabels(balancedSample(items, n, seed).selected.map((i) => items[i]));
      // Greedy covers every label with at most one pick per label; each pick covers at least one new label.
      assert.equal(got.size, labels.size);
    }),
  );
});

test('different seeds give different samples (the seed is used)', () => {
  const items = skewedEurovoc(500, 'seeds');
  const a = balancedSample(items, 100, '1').selected;
  const b = balancedSample(items, 100, '2').selected;
  assert.notDeepEqual(a, b);
});

test('EuroVoc: 150 of 2,000 skewed multi-label examples — every label in, rare labels as frequent as the data allows', () => {
  const items: SampleItem[] = skewedEurovoc(2000, 'eurovoc-sample', 1.6);
  const before = countLabels(items);
  assert.equal(before.size, 21);
  const { selected } = balancedSample(items, 150, '42');
  const after = countLabels(selected.map((i) => items[i]));
  assert.equal(after.size, 21, 'all 21 EuroVoc labels are in the sample');
  for (const label of EUROVOC_LABELS) {
    // A label is either taken whole (it is that rare) or reaches the level the greedy evens out at.
    const level = Math.min(...EUROVOC_LABELS.map((l) => after.get(l)!));
    assert.ok(after.get(label)! >= Math.min(before.get(label)!, level), label);
  }
  const rarest = EUROVOC_LABELS.reduce((a, b) => (before.get(a)! <= before.get(b)! ? a : b));
  const commonest = EUROVOC_LABELS.reduce((a, b) => (before.get(a)! >= before.get(b)! ? a : b));
  const shareBefore = before.get(rarest)! / items.length;
  const shareAfter = after.get(rarest)! / selected.length;
  assert.ok(
    shareAfter >= 3 * shareBefore,
    `the rarest label's share grows (${shareBefore} -> ${shareAfter})`,
  );
  // Balance: the least represented label has at least 150 × 1/21 × (1/2) picks — half an even share.
  assert.ok(Math.min(...after.values()) >= Math.floor(150 / 21 / 2), JSON.stringify([...after]));
  assert.ok(
    after.get(commonest)! / selected.length < before.get(commonest)! / items.length,
    'the commonest label shrinks',
  );
});
