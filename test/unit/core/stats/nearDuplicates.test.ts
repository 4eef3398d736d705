// NearDuplicateIndex on constructed texts: copies share one outcome, the bounds on listing, counting and checking
// cut where they say and say so, and clusters stay whole when the listing is cut; band keys made ahead of the search
// change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NearDuplicateResult } from '../../../../src/core/stats/nearDuplicates';
import {
  BAND_KEYS,
  bandKeysInto,
  FingerprintSigner,
  fnv1a,
  minhashSignature,
  NearDuplicateIndex,
  normalizeText,
  shingleHashes,
  TEMPLATE_SAMPLE,
  textFingerprint,
} from '../../../../src/core/stats/nearDuplicates';

/** Distinct texts of 60 words each, far from each other (no shared 3-word window). */
function distinctText(k: number): string {
  return Array.from({ length: 60 }, (_, i) => `t${k}w${i}`).join(' ');
}

/** `base` with its `word`-th word changed: Jaccard of 3-shingles 55/61 ≈ 0.9 with the original. */
function oneWordChanged(base: string, word: number): string {
  const words = base.split(' ');
  words[word] = 'changed';
  return words.join(' ');
}

test('shingle hashes are the hashes of the 3-word windows, sorted and unique', () => {
  const text = 'a b c a b c d';
  const expected = [...new Set(['a b c', 'b c a', 'c a b', 'b c d'].map((s) => fnv1a(s)))].sort(
    (x, y) => x - y,
  );
  assert.deepEqual([...shingleHashes(text)], expected);
  assert.deepEqual([...shingleHashes('a b')], [fnv1a('a b')]);
  assert.deepEqual([...shingleHashes('')], []);
});

test('copies of one text: every pair counted and listed, one cluster; a near copy joins it', () => {
  // 30 other texts, so the copies' shingles stay under half of the examples (not template).
  const index = new NearDuplicateIndex();
  for (let i = 0; i < 30; i++) index.add(i, distinctText(i));
  const copies = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41];
  for (const id of copies) index.add(id, distinctText(0).toUpperCase()); // same after normalizing
  index.add(42, oneWordChanged(distinctText(0), 30));
  const r = index.findPairs();
  const group = [0, ...copies];
  // 13 identical texts: 78 pairs at similarity 1; the changed one pairs with each of the 13.
  assert.equal(r.total, 78 + 13);
  assert.equal(r.pairs.length, r.total);
  assert.equal(r.pairs.filter((p) => p.similarity === 1).length, 78);
  for (const p of r.pairs.filter((q) => q.similarity < 1)) {
    assert.equal(p.b, 42);
    assert.ok(p.similarity >= 0.8 && p.similarity < 1, String(p.similarity));
  }
  assert.deepEqual(r.clusters, [[...group, 42]]);
  assert.equal(r.pairsCut, false);
  assert.equal(r.countCut, false);
  assert.equal(r.uncheckedCandidates, 0);
  // Sorted by a, then b.
  const sorted = [...r.pairs].sort((p, q) => p.a - q.a || p.b - q.b);
  assert.deepEqual(r.pairs, sorted);
});

test('the listing bound cuts the list, not the count or the clusters', () => {
  const index = new NearDuplicateIndex({ maxPairs: 10 });
  for (let i = 0; i < 30; i++) index.add(i, distinctText(7));
  for (let i = 30; i < 40; i++) index.add(i, distinctText(i));
  const r = index.findPairs();
  assert.equal(r.pairs.length, 10);
  assert.equal(r.pairsCut, true);
  assert.equal(r.total, (30 * 29) / 2);
  assert.deepEqual(r.clusters, [Array.from({ length: 30 }, (_, i) => i)]);
});

test('the counting bound stops counting and says so', () => {
  const index = new NearDuplicateIndex({ maxCounted: 100 });
  for (let i = 0; i < 30; i++) index.add(i, distinctText(3));
  const r = index.findPairs();
  assert.equal(r.countCut, true);
  assert.equal(r.total, 100);
});

test('the checking bound leaves candidates unchecked and counts them; without it the near copy is found', () => {
  const build = (maxChecks?: number) => {
    const index = new NearDuplicateIndex({ maxChecks });
    for (let i = 0; i < 8; i++) index.add(i, distinctText(i));
    index.add(8, oneWordChanged(distinctText(2), 5));
    return index.findPairs();
  };
  const full = build();
  assert.deepEqual(
    full.pairs.map((p) => [p.a, p.b]),
    [[2, 8]],
  );
  const none = build(0);
  assert.deepEqual(none.pairs, []);
  assert.ok(none.uncheckedCandidates >= 1);
});

test('exclude and groups: excluded pairs are neither listed nor counted nor clustered', () => {
  const index = new NearDuplicateIndex();
  index.add(0, distinctText(1), 0);
  index.add(1, distinctText(1), 0);
  index.add(2, distinctText(1), 1);
  index.add(3, distinctText(9), 1);
  const within = index.findPairs('within', (a, b) => a === 0 && b === 1);
  assert.equal(within.total, 0);
  assert.deepEqual(within.clusters, []);
  const across = index.findPairs('across');
  assert.deepEqual(
    across.pairs.map((p) => [p.a, p.b]),
    [
      [0, 2],
      [1, 2],
    ],
  );
});

const TEMPLATE = Array.from({ length: 60 }, (_, i) => `template${i}`).join(' ');
/** A short text: its 30 words share no 3-word window with another's. */
const body = (k: number) => Array.from({ length: 30 }, (_, i) => `b${k}w${i}`).join(' ');
/** Near copies of the first COPIES texts (their last word changed) come right after the sample. */
const COPIES = 20;

/**
 * TEMPLATE_SAMPLE + 900 texts: the sample's own, then COPIES near copies of the sample's first texts (with the
 * template), then the rest. The template is long and the texts short, so a band key made with the template left
 * out where the search keeps it (or kept where the search leaves it out) misses the copy: only the search's own
 * template set finds them.
 */
function corpus(sampleTemplate: boolean, restTemplate: boolean): string[] {
  return Array.from({ length: TEMPLATE_SAMPLE + 900 }, (_, k) => {
    if (k < TEMPLATE_SAMPLE) return sampleTemplate ? `${TEMPLATE} ${body(k)}` : body(k);
    const j = k - TEMPLATE_SAMPLE;
    if (j < COPIES) return `${TEMPLATE} ${oneWordChanged(body(j), 29)}`;
    return restTemplate ? `${TEMPLATE} ${body(k)}` : body(k);
  });
}

/** The index's result for texts added as they are, and for the same texts signed ahead by a FingerprintSigner. */
function bothWays(texts: string[]): {
  plain: NearDuplicateResult;
  signed: NearDuplicateResult;
  withBands: number;
} {
  const plain = new NearDuplicateIndex();
  const signed = new NearDuplicateIndex();
  const signer = new FingerprintSigner();
  let withBands = 0;
  texts.forEach((t, id) => {
    plain.add(id, t);
    const fp = signer.sign(textFingerprint(t));
    if (fp.bands) withBands++;
    signed.addFingerprint(id, () => fp);
  });
  return { plain: plain.findPairs(), signed: signed.findPairs(), withBands };
}

test('band keys made ahead give the search exactly its own result, whatever the provisional template set', () => {
  const cases: [string, boolean, boolean][] = [
    // The sample and the whole agree.
    ['template everywhere', true, true],
    ['template only on the copies', false, false],
    // The sample has it, the whole does not (in over half of the sample, under half of all): copies signed again.
    ['template in the sample, under half of all', true, false],
    // The whole has it, the sample does not.
    ['template in over half of all, not in the sample', false, true],
  ];
  for (const [name, sampleTemplate, restTemplate] of cases) {
    const { plain, signed, withBands } = bothWays(corpus(sampleTemplate, restTemplate));
    assert.equal(withBands, 900, `${name}: the sample's texts stay unsigned`);
    const copies = plain.pairs.filter((p) => p.b === p.a + TEMPLATE_SAMPLE && p.a < COPIES);
    if (sampleTemplate === restTemplate && !sampleTemplate) {
      // The template on the copies only: they are not near their originals.
      assert.equal(copies.length, 0, name);
    } else assert.equal(copies.length, COPIES, `${name}: every copy found`);
    assert.deepEqual(signed, plain, name);
  }
});

test('band keys are the FNV-1a hashes of the signature rows, four by four', () => {
  const set = shingleHashes(normalizeText(distinctText(5)));
  const { signature } = minhashSignature(set);
  const keys = new Uint32Array(BAND_KEYS + 2);
  bandKeysInto(set, keys, 2);
  for (let band = 0; band < BAND_KEYS; band++) {
    let h = 0x811c9dc5;
    for (let r = 0; r < 4; r++) h = Math.imul(h ^ signature[band * 4 + r], 0x01000193);
    assert.equal(keys[2 + band], h >>> 0);
  }
  assert.deepEqual([...keys.subarray(0, 2)], [0, 0]);
});
