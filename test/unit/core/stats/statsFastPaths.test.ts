// The fast paths of dataset statistics against their slow references: ASCII text normalization, the frequent-
// shingle filter, MinHash in signed integers, and token counting in a worker thread (same numbers as in-thread).
import { test } from 'node:test';
import { availableParallelism } from 'node:os';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  asciiFingerprint,
  fingerprintSlow,
  frequentShingles,
  minhashSignature,
  normalizeSlow,
  normalizeText,
} from '../../../../src/core/stats/nearDuplicates';
import {
  countPrefixTokens,
  startTokenWorker,
  tokenWorkerScript,
  warmTokenWorker,
} from '../../../../src/core/stats/fileTokens';
import { computeDatasetStats, computePairStats } from '../../../../src/core/stats/datasetStats';
import { tempDir, tempFile } from '../../../lib/tempFiles';

const TRICKY = [
  '',
  '   ',
  'Hello, World!  ',
  'ÉCOLE  école\u00a0Straße',
  'a\u00a0b\u2003c', // NBSP and EM SPACE: not letters, so separators
  'e\u0301 vs é', // a combining mark: NFKC composes it
  'ﬁle ① ２３ ㍻', // compatibility characters NFKC rewrites
  'İstanbul ΣΑΣ', // lower case changes length / is context-dependent
  'tab\there\nnew\r\nline\u0000nul\u007fdel',
  '👍🏽 emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\ud800 lone surrogate',
  'word'.repeat(100_000),
  `${'x '.repeat(200_000)}end`,
];

test('normalizeText equals the step-by-step definition on tricky and random text', () => {
  for (const t of TRICKY) assert.equal(normalizeText(t), normalizeSlow(t), JSON.stringify(t.slice(0, 40)));
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (t) => normalizeText(t) === normalizeSlow(t)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom('A', 'z', '0', ' ', '-', '\t', '\u00a0', 'É', '\u0301', 'ﬁ'),
        maxLength: 40,
      }),
      (t) => normalizeText(t) === normalizeSlow(t),
    ),
    { numRuns: 2000 },
  );
});

test('asciiFingerprint equals the definition (normalize, then hash) on ASCII text; other text goes the slow way', () => {
  const same = (t: string) => {
    const fast = asciiFingerprint(t);
    assert.ok(fast, JSON.stringify(t.slice(0, 40)));
    assert.deepEqual(
      { ...fast, shingles: [...fast.shingles] },
      { ...fingerprintSlow(t), shingles: [...fingerprintSlow(t).shingles] },
    );
  };
  for (const t of [
    '',
    '  ',
    '--',
    'A',
    'a b',
    ' Hello, World! ',
    'x y z',
    'The cat; the CAT the cat.',
    'tab\there\r\nnul\u0000del\u007f',
  ])
    same(t);
  same('word '.repeat(50_000));
  same(`${'x'.repeat(3_000_000)} tail`);
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('a', 'B', '7', ' ', ',', '\n', 'zz', 'Q q'), maxLength: 60 }),
      (t) => same(t),
    ),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (t) => same(t)),
    { numRuns: 2000 },
  );
  for (const t of TRICKY.filter((x) => /[\u0080-\uffff]/.test(x)))
    assert.equal(asciiFingerprint(t), undefined);
});

/** Document frequency by brute force: shingle → summed weight of the sets that hold it. */
function naiveFrequent(sets: Uint32Array[], weights: number[], limit: number): number[] {
  const df = new Map<number, number>();
  sets.forEach((s, u) => s.forEach((h) => df.set(h, (df.get(h) ?? 0) + weights[u])));
  return [...df]
    .filter(([, c]) => c > limit)
    .map(([h]) => h)
    .sort((a, b) => a - b);
}

test('frequentShingles finds exactly the shingles over the limit (templates, copies, collisions)', () => {
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  // A template shared by most sets, plus distinct shingles; weights as copies.
  const sets: Uint32Array[] = [];
  const weights: number[] = [];
  for (let u = 0; u < 300; u++) {
    const own = Array.from({ length: 30 }, (_, i) => (u * 1000 + i + 7) >>> 0);
    const template = u % 4 === 0 ? [] : [0xfffffff0, 0x12345678, 3];
    sets.push(Uint32Array.from(new Set([...own, ...template])).sort());
    weights.push(1 + (u % 3));
  }
  const total = weights.reduce((a, b) => a + b, 0);
  assert.deepEqual(
    sorted(frequentShingles(sets, weights, total / 2)),
    naiveFrequent(sets, weights, total / 2),
  );
  assert.equal(frequentShingles(sets, weights, total / 2).size, 3);
  // Random small universes: many shingles collide in the count table.
  fc.assert(
    fc.property(
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }), {
        minLength: 1,
        maxLength: 40,
      }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 40, maxLength: 40 }),
      (raw, w) => {
        const s = raw.map((a) => Uint32Array.from(a.map((x) => Math.imul(x, 0x9e3779b1) >>> 0)).sort());
        const ws = w.slice(0, s.length);
        const limit = ws.reduce((a, b) => a + b, 0) / 2;
        assert.deepEqual(sorted(frequentShingles(s, ws, limit)), naiveFrequent(s, ws, limit));
      },
    ),
    { numRuns: 300 },
  );
});

test('minhashSignature equals the unsigned definition min_k((a_k x + b_k) mod 2^32)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 50 }),
      (xs) => {
        const set = Uint32Array.from(xs).sort();
        const { a, b, signature } = minhashSignature(set);
        for (let k = 0; k < a.length; k++) {
          let min = 0xffffffff;
          for (const x of set)
            min = Math.min(min, Number((BigInt(a[k]) * BigInt(x) + BigInt(b[k])) % 2n ** 32n));
          assert.equal(signature[k], min);
        }
      },
    ),
    { numRuns: 200 },
  );
});

function realJsonl(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl')) out.push(p);
    }
  };
  walk(join(__dirname, '../../../fixtures/real'));
  return out.sort((a, b) => statSync(b).size - statSync(a).size);
}

test('token counts from the worker thread equal the in-thread ones; a failing worker falls back', async () => {
  const script = tokenWorkerScript();
  assert.ok(script, 'dist/workers/statsTokens.js is built (node esbuild.js --schemas)');
  // MedMCQ validation (1.2 MB): non-ASCII text, long lines.
  const file = realJsonl()[3]!;
  const size = statSync(file).size;
  const inThread = await countPrefixTokens(file, Math.floor(size / 2));
  const fromWorker = await startTokenWorker(script, file, Math.floor(size / 2));
  assert.ok(inThread.lines > 1);
  assert.equal(fromWorker.lines, inThread.lines);
  assert.deepEqual(
    [...fromWorker.counts.subarray(0, fromWorker.lines)],
    [...inThread.counts.subarray(0, inThread.lines)],
  );
  const broken = join(tempDir(), 'broken.js');
  writeFileSync(broken, 'throw new Error("worker start failed")');
  const fallback = await startTokenWorker(broken, file, Math.floor(size / 2));
  assert.deepEqual(
    [...fallback.counts.subarray(0, fallback.lines)],
    [...inThread.counts.subarray(0, inThread.lines)],
  );
});

test('statistics with the token worker are the statistics without it (real files, blank and invalid lines)', async () => {
  const mixed = tempFile(
    [
      '{"messages":[{"role":"user","content":"hi there"}],"answer":"x"}',
      '',
      'not json',
      '[1,2]',
      '{"no":"messages"}',
      '{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}',
      '{"messages":[{"role":"user","content":"<|endoftext|> special"}]}',
      // Near duplicates (the worker fingerprints them): the same words once punctuated differently, once with one
      // word changed; the same in non-ASCII text; items without messages, compared by their fields.
      '{"messages":[{"role":"user","content":"The quick brown fox jumps over the lazy dog near the river bank today"}]}',
      '{"messages":[{"role":"user","content":"The quick brown fox, jumps over the LAZY dog near the river bank today!"}]}',
      '{"messages":[{"role":"user","content":"The quick brown fox jumps over the lazy cat near the river bank today"}]}',
      '{"messages":[{"role":"user","content":"Ünïcödé STRASSE 東京 ﬁne text with enough words to shingle here"}]}',
      '{"messages":[{"role":"user","content":"ünïcödé strasse 東京 fine text with enough words to shingle here"}]}',
      '{"question":"What is two and two, said the teacher to the class","answer":"4"}',
      '{"answer":"4","question":"What is two and two, said the teacher to the class"}',
      '{"answer":"4","question":"What is two and two said the teacher to the class?"}',
    ].join('\n'),
  );
  // MedMCQ (RFT), and odd lines (a DPO example among them).
  for (const file of [realJsonl()[3]!, mixed]) {
    const plain = await computeDatasetStats(file, { tokenWorker: false });
    for (const share of [1, 0.5, 0])
      for (const workerNear of [true, false]) {
        const parallel = await computeDatasetStats(file, {
          tokenWorkerMinBytes: 0,
          tokenWorkerShare: share,
          workerNear,
        });
        assert.deepEqual(
          parallel,
          plain,
          `${file}, worker share ${share}, near on the worker: ${workerNear}`,
        );
      }
    assert.ok(plain.tokens.counted > 0, file);
  }
  const plain = await computeDatasetStats(mixed, { tokenWorker: false });
  assert.ok(plain.nearDuplicates.pairs.length >= 3, 'the mixed file has near duplicates to find');
  assert.equal(plain.exactDuplicates.groups.length, 1, 'and exact ones (keys in another order)');
  // Bounds: the index keeps the first examples only, with the worker as without it.
  for (const nearMaxExamples of [1, 4]) {
    const bounded = await computeDatasetStats(mixed, { tokenWorker: false, nearMaxExamples });
    for (const share of [1, 0.5])
      assert.deepEqual(
        await computeDatasetStats(mixed, {
          tokenWorkerMinBytes: 0,
          tokenWorkerShare: share,
          nearMaxExamples,
        }),
        bounded,
        `nearMaxExamples ${nearMaxExamples}, share ${share}`,
      );
  }
  // A training/validation pair: both files feed one shared index across them.
  const valid = tempFile(readFileSync(mixed, 'utf8').split('\n').reverse().join('\n'));
  const pairPlain = await computePairStats(realJsonl()[3]!, valid, { tokenWorker: false });
  assert.deepEqual(
    await computePairStats(realJsonl()[3]!, valid, { tokenWorkerMinBytes: 0, workerNear: true }),
    pairPlain,
    'pair statistics with the worker',
  );
  const self = await computePairStats(mixed, valid, {
    tokenWorkerMinBytes: 0,
    tokenWorkerShare: 0.5,
    workerNear: true,
  });
  assert.deepEqual(self, await computePairStats(mixed, valid, { tokenWorker: false }));
  assert.ok(self.exactOverlap.count > 0 && self.nearAcross.count > 0, 'a file and its reverse overlap');
});

test('cancelling statistics while the token worker counts rejects with the reason, promptly', async () => {
  const file = realJsonl()[3]!;
  const ac = new AbortController();
  const t0 = Date.now();
  await assert.rejects(
    computeDatasetStats(file, {
      tokenWorkerMinBytes: 0,
      signal: ac.signal,
      progressEvery: 10,
      onProgress: (lines) => {
        if (lines >= 10) ac.abort(new Error('cancelled by the test'));
      },
    }),
    /cancelled by the test/,
  );
  assert.ok(Date.now() - t0 < 30_000);
});

test('a warmed token worker answers job after job with the in-thread counts', async () => {
  const script = tokenWorkerScript();
  assert.ok(script, 'the worker bundle is built (node esbuild.js --schemas)');
  if (availableParallelism() < 2) {
    // One core: no worker is worth starting, and none is.
    assert.equal(warmTokenWorker(script), false);
    return;
  }
  assert.ok(warmTokenWorker(script));
  const file = realJsonl()[3]!;
  const expected = await countPrefixTokens(file, Infinity);
  for (let round = 0; round < 3; round++) {
    const got = await startTokenWorker(script, file, Infinity);
    assert.deepEqual(
      [...got.counts.subarray(0, got.lines)],
      [...expected.counts.subarray(0, expected.lines)],
    );
  }
});
