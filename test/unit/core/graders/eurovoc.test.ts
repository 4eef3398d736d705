// The Build Hour EuroVoc graders (real files) on hand-made samples give the F1 / F2 a hand calculation gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GraderEngine } from '../../../../src/core/graders/engine';
import { buildSample } from '../../../../src/core/graders/sample';
import type { Grader } from '../../../../src/core/graders/types';

const root = join(__dirname, '../../../..');
const saved = join(
  root,
  'test/fixtures/real/openai-build-hours/15-reinforcement-fine-tuning/projects/build_hour/graders_saved',
);
const load = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Grader;
const lines = (p: string) =>
  readFileSync(join(root, 'test/fixtures/graders', p), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const items = lines('eurovoc_items.jsonl');
const samples = lines('eurovoc_samples.jsonl').map((s) => buildSample(s));

// P = |pred ∩ ref| / |pred|, R = |pred ∩ ref| / |ref| (sets, exact case).
const HAND = [
  { P: 1 / 2, R: 1 / 2, F1: 1 / 2, F2: 1 / 2 },
  { P: 1, R: 1 / 3, F1: 1 / 2, F2: 5 / 13 },
  { P: 1 / 4, R: 1, F1: 2 / 5, F2: 5 / 8 },
  { P: 0, R: 0, F1: 0, F2: 0 },
  { P: 0, R: 0, F1: 0, F2: 0 },
  { P: 1, R: 1, F1: 1, F2: 1 },
  { P: 0, R: 0, F1: 0, F2: 0 },
];

describe('EuroVoc graders (openai/build-hours)', () => {
  const engine = new GraderEngine({ python: { allow: true, timeoutMs: 20_000 } });
  after(() => engine.dispose());

  it('level1_f1_multi gives the hand-computed F1, with precision and recall as sub_rewards', async () => {
    const results = await engine.gradeMany(
      load(join(saved, 'level1_f1_multi.json')),
      items.map((item, i) => ({ item, sample: samples[i]! })),
    );
    results.forEach((r, i) => {
      assert.deepEqual(
        r.metadata.errors.python_grader_runtime_error,
        false,
        r.metadata.errors.python_grader_runtime_error_details ?? '',
      );
      assert.ok(Math.abs(r.reward - HAND[i]!.F1) < 1e-12, `row ${i}: ${r.reward} vs ${HAND[i]!.F1}`);
      assert.ok(Math.abs(r.sub_rewards.precision! - HAND[i]!.P) < 1e-12, `row ${i} precision`);
      assert.ok(Math.abs(r.sub_rewards.recall! - HAND[i]!.R) < 1e-12, `row ${i} recall`);
      assert.equal(r.metadata.type, 'multi');
    });
  });

  it('the F2 variant gives the hand-computed F2', async () => {
    const g = load(join(root, 'test/fixtures/graders/level1_f2_multi.grader.json'));
    const results = await engine.gradeMany(
      g,
      items.map((item, i) => ({ item, sample: samples[i]! })),
    );
    results.forEach((r, i) =>
      assert.ok(Math.abs(r.reward - HAND[i]!.F2) < 1e-12, `row ${i}: ${r.reward} vs ${HAND[i]!.F2}`),
    );
  });

  it('level1_f1_python (single python grader) agrees with the multi version', async () => {
    const results = await engine.gradeMany(
      load(join(saved, 'level1_f1_python.json')),
      items.map((item, i) => ({ item, sample: samples[i]! })),
    );
    results.forEach((r, i) => assert.ok(Math.abs(r.reward - HAND[i]!.F1) < 1e-12, `row ${i}: ${r.reward}`));
  });

  it('precision and recall graders alone', async () => {
    const p = await engine.gradeMany(
      load(join(saved, 'level1_precision.json')),
      items.map((item, i) => ({ item, sample: samples[i]! })),
    );
    const r = await engine.gradeMany(
      load(join(saved, 'level1_recall.json')),
      items.map((item, i) => ({ item, sample: samples[i]! })),
    );
    p.forEach((x, i) => assert.ok(Math.abs(x.reward - HAND[i]!.P) < 1e-12, `P row ${i}`));
    r.forEach((x, i) => assert.ok(Math.abs(x.reward - HAND[i]!.R) < 1e-12, `R row ${i}`));
  });
});
