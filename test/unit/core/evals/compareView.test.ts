// The comparison view model on a hand-checkable run folder (test/lib/evalRunFixture.ts): the headline numbers,
// the breakdowns, pass rate at a threshold, filters and order, two saved runs paired by item key, the errors a
// user can act on, and the CSV (RFC 4180, read back with the prep CSV reader) and JSONL exports.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../../../src/core/prep/csv';
import type { CompareModel, CompareQuery } from '../../../../src/core/evals/compareView';
import {
  CompareError,
  comparisonToCsv,
  comparisonToJsonl,
  compareView,
  loadComparison,
} from '../../../../src/core/evals/compareView';
import { compareRuns } from '../../../../src/core/evals/report';
import { EXPECTED, writeEvalRunFixture } from '../../../lib/evalRunFixture';
import { tempDir } from '../../../lib/tempFiles';

const close = (actual: number, expected: number, what: string, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} ≠ ${expected}`);

const all: CompareQuery = { threshold: 0.5, filter: {} };

/** A line of the JSONL export, as a script would read it. */
interface ExportedItem {
  item: string;
  outcome: string;
  labels: string[];
  a: { candidate: string; model: string; samples: Array<{ output: string }> };
}

async function fixtureModel(opts: { corruptLastLine?: boolean } = {}): Promise<CompareModel> {
  const { runDir } = writeEvalRunFixture(tempDir('rft-compare-'), opts);
  return loadComparison({ runs: [runDir] });
}

test('one run: tuned vs base by default, with the hand-computed means, difference, outcomes and p-values', async () => {
  const model = await fixtureModel();
  assert.deepEqual(model.names, ['tuned', 'base']);
  const v = compareView(model, all);
  const [tuned, base] = v.candidates;
  close(tuned.mean, EXPECTED.meanTuned, 'mean tuned');
  close(base.mean, EXPECTED.meanBase, 'mean base');
  assert.ok(tuned.ci[0] <= tuned.mean && tuned.mean <= tuned.ci[1], 'the mean lies in its interval');
  assert.ok(tuned.ci[0] < tuned.ci[1], 'the items vary, so the interval is not a point');
  assert.equal(base.samples, EXPECTED.samplesBase);
  assert.equal(base.errors, EXPECTED.errorsBase);
  assert.equal(base.items, 12, 'the failed sample does not drop its item');
  close(v.paired.difference, EXPECTED.difference, 'difference');
  assert.ok(v.paired.ci[0] > 0, `the difference's interval excludes 0: ${v.paired.ci.join(', ')}`);
  assert.deepEqual(
    [v.paired.wins, v.paired.ties, v.paired.losses],
    [EXPECTED.wins, EXPECTED.ties, EXPECTED.losses],
  );
  assert.equal(v.paired.items, 12);
  close(v.paired.signTestP, EXPECTED.signTestP, 'sign test p', 1e-12);
  close(v.paired.wilcoxonP, EXPECTED.wilcoxonP, 'Wilcoxon p', 1e-5);
  close(tuned.passRate, EXPECTED.passTuned, 'pass rate tuned');
  close(base.passRate, EXPECTED.passBase, 'pass rate base');
  assert.equal(v.unpaired, 0);
  assert.ok(v.dataset?.endsWith('countdown_eval.jsonl'));
});

test('the same inputs give the same intervals (seeded resampling), another seed other ones', async () => {
  const { runDir } = writeEvalRunFixture(tempDir('rft-compare-'));
  const one = compareView(await loadComparison({ runs: [runDir] }), all);
  const two = compareView(await loadComparison({ runs: [runDir] }), all);
  assert.deepEqual(one.paired.ci, two.paired.ci);
  assert.deepEqual(one.candidates[0].ci, two.candidates[0].ci);
  // Twelve items take few distinct means, so one other seed may land on the same quantiles; a few cannot all.
  const intervals = (v: typeof one) => JSON.stringify([v.paired.ci, v.candidates[0].ci, v.candidates[1].ci]);
  const others = new Set<string>();
  for (const seed of [1, 2, 3, 4, 5])
    others.add(intervals(compareView(await loadComparison({ runs: [runDir] }, { seed }), all)));
  others.add(intervals(one));
  assert.ok(others.size > 1, 'the seed reaches the resampling');
});

test('the view shows the numbers `eval compare` prints (one run, and two runs paired by item key)', async () => {
  const root = tempDir('rft-compare-');
  const { runDir } = writeEvalRunFixture(root);
  const { runDir: later } = writeEvalRunFixture(root, { name: 'countdown-20261202-090000' });
  const cli = (await compareRuns(runDir)).report;
  const view = compareView(await loadComparison({ runs: [runDir] }), all);
  const [tuned, base] = ['tuned', 'base'].map((l) => cli.candidates.find((c) => c.label === l)!);
  assert.deepEqual(
    view.candidates.map((c) => [c.mean, c.ci, c.samples, c.errors, c.passRate]),
    [tuned, base].map((c) => [c.mean, c.ci, c.samples, c.errors, c.pass_rate]),
  );
  const pair = cli.comparisons.find((c) => c.a === 'tuned' && c.b === 'base')!;
  const p = view.paired;
  assert.deepEqual(
    [p.difference, p.ci, p.wilcoxonP, p.signTestP, p.wins, p.ties, p.losses, p.items],
    [
      pair.difference,
      pair.ci,
      pair.p_value,
      pair.sign_test_p_value,
      pair.wins,
      pair.ties,
      pair.losses,
      pair.items,
    ],
  );
  // `eval compare LATER RUN` puts the label both runs share as RUN's against LATER's.
  const cli2 = (await compareRuns(later, runDir)).report;
  const view2 = compareView(await loadComparison({ runs: [runDir, later] }), all);
  assert.deepEqual(view2.names, ['tuned@countdown-20261201-101500', 'tuned@countdown-20261202-090000']);
  const pair2 = cli2.comparisons.find((c) => c.a === view2.names[0] && c.b === view2.names[1])!;
  assert.ok(pair2);
  const p2 = view2.paired;
  assert.deepEqual(
    [p2.difference, p2.ci, p2.wilcoxonP, p2.ties, p2.items],
    [pair2.difference, pair2.ci, pair2.p_value, pair2.ties, pair2.items],
  );
});

test('per-grader and per-label breakdowns', async () => {
  const v = compareView(await fixtureModel(), all);
  assert.deepEqual(
    v.graders.map((g) => g.name),
    ['countdown', 'format'],
  );
  const format = v.graders[1];
  assert.deepEqual([format.a, format.b, format.difference, format.wins], [1, 0.5, 0.5, 12]);
  close(v.graders[0].difference, EXPECTED.difference, 'the headline grader matches the headline');
  assert.equal(v.labelField, 'category');
  assert.deepEqual(v.allLabels, ['easy', 'hard', 'medium']);
  for (const row of v.labels) {
    const want = EXPECTED.labels[row.name as keyof typeof EXPECTED.labels];
    assert.deepEqual(
      { items: row.items, tuned: row.a, base: row.b, wins: row.wins, ties: row.ties, losses: row.losses },
      want,
      row.name,
    );
  }
});

test('pass rate follows the threshold', async () => {
  const model = await fixtureModel();
  const at = (threshold: number) =>
    compareView(model, { ...all, threshold }).candidates.map((c) => c.passRate);
  assert.deepEqual(at(0), [1, 1]);
  assert.deepEqual(at(1), [EXPECTED.passTuned, EXPECTED.passBase]);
  assert.deepEqual(at(1.01), [0, 0]);
});

test('filters: outcome, label, min |difference|, text in keys and outputs; the headline ignores them', async () => {
  const model = await fixtureModel();
  const keys = (q: Partial<CompareQuery['filter']>, sort: CompareQuery['sort'] = 'line') => {
    const v = compareView(model, { threshold: 0.5, filter: q, sort });
    close(v.paired.difference, EXPECTED.difference, 'the headline is over every item');
    assert.equal(v.matching, v.rows.length);
    return v.rows.map((r) => r.itemKey);
  };
  assert.deepEqual(keys({ outcome: 'loss' }), ['cd-005']);
  assert.deepEqual(keys({ outcome: 'tie' }), ['cd-003', 'cd-011']);
  assert.deepEqual(keys({ label: 'easy' }), ['cd-000', 'cd-003', 'cd-006', 'cd-009']);
  assert.deepEqual(keys({ minAbsDifference: 1 }), ['cd-000', 'cd-006', 'cd-009']);
  assert.deepEqual(keys({ text: 'CD-01' }), ['cd-010', 'cd-011']);
  assert.deepEqual(keys({ text: '"maybe"' }), ['cd-004'], 'text matches an output');
  assert.deepEqual(keys({ text: 'medium', outcome: 'win', minAbsDifference: 0.5 }), [
    'cd-001',
    'cd-004',
    'cd-007',
    'cd-010',
  ]);
  assert.deepEqual(keys({ text: 'no such thing' }), []);
  // Largest change first, dataset order among equals.
  assert.deepEqual(keys({ minAbsDifference: 0.5 }, 'change').slice(0, 4), [
    'cd-000',
    'cd-006',
    'cd-009',
    'cd-001',
  ]);
  assert.deepEqual(keys({}, 'difference').at(-1), 'cd-005');
});

test('the most-changed items carry both sides’ samples; row limits cap the table, not the count', async () => {
  const model = await fixtureModel();
  const v = compareView(model, { ...all, mostChanged: 3, rowLimit: 2 });
  assert.equal(v.rows.length, 2);
  assert.equal(v.matching, 12);
  assert.deepEqual(
    v.mostChanged.map((m) => m.itemKey),
    ['cd-000', 'cd-006', 'cd-009'],
  );
  const [tunedSamples, baseSamples] = v.mostChanged[0].outputs;
  assert.deepEqual(
    tunedSamples.map((s) => s.reward),
    [1, 1],
  );
  assert.deepEqual(
    baseSamples.map((s) => s.reward),
    [0, 0],
  );
  assert.match(tunedSamples[0].output, /"result": 24/);
  const failed = compareView(model, { ...all, filter: { text: 'cd-002' } }).mostChanged[0].outputs[1];
  assert.deepEqual(
    failed.map((s) => [s.reward, s.error]),
    [
      [0, undefined],
      [0, undefined],
      [null, 'HTTP 500 after 4 attempts'],
    ],
  );
});

test('candidates can be chosen; unknown ones, a one-candidate run and a missing folder are clear errors', async () => {
  const { runDir } = writeEvalRunFixture(tempDir('rft-compare-'));
  const swapped = compareView(await loadComparison({ runs: [runDir], candidates: ['base', 'tuned'] }), all);
  close(swapped.paired.difference, -EXPECTED.difference, 'base − tuned');
  assert.equal(swapped.paired.wins, EXPECTED.losses);
  await assert.rejects(
    loadComparison({ runs: [runDir], candidates: ['tuned', 'mini'] }),
    (e: Error) => e instanceof CompareError && /no candidate "mini" \(it has base, tuned\)/.test(e.message),
  );
  await assert.rejects(
    loadComparison({ runs: [runDir], candidates: ['base', 'base'] }),
    /two different candidates/,
  );
  await assert.rejects(loadComparison({ runs: [path.join(runDir, 'nope')] }), /not an eval run folder/);
  const lonely = path.join(tempDir('rft-compare-'), 'one');
  mkdirSync(lonely);
  writeFileSync(path.join(lonely, 'results.jsonl'), '');
  writeFileSync(
    path.join(lonely, 'spec.json'),
    JSON.stringify({ name: 'x', candidates: [{ label: 'a', model: 'm' }] }),
  );
  await assert.rejects(loadComparison({ runs: [lonely] }), /only one candidate: pick a second run/);
  writeFileSync(path.join(lonely, 'spec.json'), '{"name": ');
  await assert.rejects(loadComparison({ runs: [lonely] }), /spec\.json is not valid JSON/);
  const noResults = path.join(tempDir('rft-compare-'), 'r');
  mkdirSync(noResults);
  writeFileSync(
    path.join(noResults, 'spec.json'),
    JSON.stringify({ name: 'x', candidates: [{ label: 'a' }, { label: 'b' }] }),
  );
  await assert.rejects(
    loadComparison({ runs: [noResults] }),
    /is not an eval run folder \(no results\.jsonl in it\)/,
  );
});

test('a half-written last line (a killed run) is skipped with a warning; a repeated sample counts once', async () => {
  const { runDir } = writeEvalRunFixture(tempDir('rft-compare-'), { corruptLastLine: true });
  let model = await loadComparison({ runs: [runDir] });
  assert.equal(model.warnings.length, 1);
  assert.match(
    model.warnings[0],
    /1 line\(s\) of .*results\.jsonl are not result rows and were skipped \(line 50\)/,
  );
  close(compareView(model, all).paired.difference, EXPECTED.difference, 'difference');
  // A resumed run appends item 5's tuned sample 0 again, now solved: the later line wins.
  appendFileSync(
    path.join(runDir, 'results.jsonl'),
    '\n' +
      JSON.stringify({
        item: 5,
        item_key: 'cd-005',
        line: 5,
        candidate: 'tuned',
        sample: 0,
        reward: 1,
        graders: {},
        output: 'ok',
        cached: true,
        request: 'x',
      }) +
      '\n',
  );
  model = await loadComparison({ runs: [runDir] });
  const v = compareView(model, all);
  close(v.paired.difference, EXPECTED.difference + 0.5 / 12, 'difference after the repeated sample');
  assert.equal(v.candidates[0].samples, 24);
});

test('two saved runs pair items by key whatever their order; equal labels are told apart by run name', async () => {
  const root = tempDir('rft-compare-');
  const { runDir: first } = writeEvalRunFixture(root);
  const second = path.join(root, '.rft', 'evals', 'countdown-20261202-090000');
  mkdirSync(second, { recursive: true });
  writeFileSync(
    path.join(second, 'spec.json'),
    JSON.stringify({
      name: 'countdown-v2',
      candidates: [{ label: 'tuned', model: 'ft:o4-mini:org:v2:def456' }],
    }),
  );
  writeFileSync(path.join(second, 'run.json'), JSON.stringify({ name: 'countdown-v2', status: 'completed' }));
  // Items in reverse order with other indices (a sampled run), all solved; one item the first run lacks.
  const rows = Array.from({ length: 12 }, (_, i) => 11 - i).map((k, index) =>
    JSON.stringify({
      item: index,
      item_key: `cd-${String(k).padStart(3, '0')}`,
      line: k,
      candidate: 'tuned',
      sample: 0,
      reward: 1,
      graders: { countdown: { reward: 1, errors: [] } },
      output: 'v2',
      cached: false,
      request: 'r',
    }),
  );
  rows.push(
    JSON.stringify({
      item: 12,
      item_key: 'cd-999',
      line: 99,
      candidate: 'tuned',
      sample: 0,
      reward: 1,
      graders: {},
      output: '',
      cached: false,
      request: 'r',
    }),
  );
  writeFileSync(path.join(second, 'results.jsonl'), rows.join('\n') + '\n');
  const model = await loadComparison({ runs: [second, first] });
  assert.deepEqual(model.names, ['tuned@countdown-20261202-090000', 'tuned@countdown-20261201-101500']);
  const v = compareView(model, all);
  assert.equal(v.paired.items, 12);
  assert.equal(v.unpaired, 1);
  close(v.paired.difference, 1 - EXPECTED.meanTuned, 'v2 − v1');
  assert.deepEqual(
    compareView(model, { ...all, filter: { outcome: 'win' }, sort: 'line' }).rows.map((r) => r.itemKey),
    ['cd-002', 'cd-005', 'cd-007'],
  );
  // The labels come from the first run's dataset (run b has none of its own).
  assert.equal(v.labels.length, 0, 'run a (v2) names no label field');
});

test('CSV export: RFC 4180 quoting survives commas, quotes and line breaks; filters and order apply', async () => {
  const model = await fixtureModel();
  const csv = comparisonToCsv(model, all);
  assert.ok(csv.endsWith('\r\n'));
  const records = parseCsv(csv).map((r) => r.fields);
  assert.deepEqual(records[0], [
    'item',
    'line',
    'labels',
    'mean tuned',
    'mean base',
    'difference',
    'outcome',
    'countdown tuned',
    'countdown base',
    'format tuned',
    'format base',
    'output tuned',
    'output base',
  ]);
  assert.equal(records.length, 13);
  assert.deepEqual(
    records.slice(1).map((r) => r[0]),
    Array.from({ length: 12 }, (_, i) => `cd-${String(i).padStart(3, '0')}`),
    'dataset order by default',
  );
  const tricky = records.find((r) => r[0] === EXPECTED.trickyItem)!;
  assert.equal(tricky[12], 'I think "maybe" 3 + 5, then\n× 2 = 16');
  assert.equal(tricky[2], 'medium');
  assert.equal(Number(tricky[5]), 0.5);
  assert.equal(tricky[6], 'win');
  const losses = parseCsv(comparisonToCsv(model, { ...all, filter: { outcome: 'loss' } }));
  assert.deepEqual(
    losses.slice(1).map((r) => r.fields.slice(0, 7)),
    [['cd-005', '5', 'hard', '0', '0.5', '-0.5', 'loss']],
  );
});

test('JSONL export: one item per line with every sample of both sides, untruncated', async () => {
  const { runDir } = writeEvalRunFixture(tempDir('rft-compare-'));
  const long = 'x'.repeat(10_000);
  appendFileSync(
    path.join(runDir, 'results.jsonl'),
    JSON.stringify({
      item: 0,
      item_key: 'cd-000',
      line: 0,
      candidate: 'tuned',
      sample: 2,
      reward: 1,
      graders: {},
      output: long,
      cached: false,
      request: 'r',
    }) + '\n',
  );
  const model = await loadComparison({ runs: [runDir] });
  const lines = comparisonToJsonl(model, all)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as ExportedItem);
  assert.equal(lines.length, 12);
  const first = lines[0];
  assert.equal(first.item, 'cd-000');
  assert.equal(first.outcome, 'win');
  assert.deepEqual(first.labels, ['easy']);
  assert.equal(first.a.candidate, 'tuned');
  assert.equal(first.a.model, 'ft:o4-mini-2025-04-16:org:countdown:abc123');
  assert.equal(first.a.samples.length, 3);
  assert.equal(first.a.samples[2].output, long, 'the export keeps the whole output');
  const view = compareView(model, { ...all, filter: { text: 'cd-000' } });
  assert.equal(view.mostChanged[0].outputs[0][2].truncated, true, 'the view truncates it');
  assert.equal(comparisonToJsonl(model, { ...all, filter: { text: 'nothing' } }), '');
});
