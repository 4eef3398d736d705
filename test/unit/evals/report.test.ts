// The eval report (src/core/evals/report.ts) of run folders written by the test: per-item aggregation (a resumed
// sample's later line wins, failed samples count as errors, a truncated line is skipped), per-grader and per-label
// means, pass rate, comparisons and gates, summary.json/summary.md, and two saved runs paired by item key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compareRuns, EvalReportError, readRun, writeRunSummary } from '../../../src/core/evals/report';
import { bootstrapMeanCI, wilcoxonSignedRank } from '../../../src/core/evals/stats';
import type { EvalReport, EvalResultRow } from '../../../src/core/evals/types';
import { tempDir } from '../../lib/tempFiles';

const root = tempDir('rft-eval-report-');
const CATS: unknown[] = ['easy', 'hard', 'easy', ['hard', 'tricky'], 'easy', 'hard', 'easy', 'hard'];
/** Headline rewards per item and sample; null is a sample that failed. */
const BASE: Array<Array<number | null>> = [
  [0, 0],
  [1, 0],
  [0, null],
  [1, 1],
  [0, 0],
  [0.5, 0.5],
  [0, 1],
  [0, 0],
];
const TUNED: number[][] = [
  [1, 1],
  [1, 1],
  [1, 0],
  [1, 1],
  [0, 0],
  [1, 0.5],
  [1, 1],
  [0, 1],
];
const key = (i: number) => `it-${i}`;

function row(candidate: string, item: number, sample: number, reward: number | null): EvalResultRow {
  return {
    item,
    item_key: key(item),
    line: item,
    candidate,
    sample,
    reward,
    graders:
      reward === null
        ? {}
        : { main: { reward, errors: [] }, style: { reward: candidate === 'base' ? 0.25 : 0.75, errors: [] } },
    output: `out ${candidate} ${item} ${sample}`,
    ...(reward === null
      ? { error: { stage: 'sample' as const, message: 'HTTP 500 after 4 attempts', status: 500 } }
      : {}),
    cached: false,
    request: 'f'.repeat(64),
  };
}

function writeRun(
  name: string,
  tables: Record<string, Array<Array<number | null>>>,
  opts: { gates?: unknown[]; hash?: string; items?: number[]; extraLines?: string[] } = {},
): string {
  const dir = path.join(root, '.rft', 'evals', name);
  mkdirSync(dir, { recursive: true });
  const dataset = path.join(root, 'data.jsonl');
  const text =
    CATS.map((c, i) =>
      JSON.stringify({ id: key(i), messages: [{ role: 'user', content: 'q' }], cat: c }),
    ).join('\n') + '\n';
  writeFileSync(dataset, text);
  const labels = Object.keys(tables);
  writeFileSync(
    path.join(dir, 'spec.json'),
    JSON.stringify({
      name,
      dataset,
      graders: [],
      candidates: labels.map((l) => ({ label: l, model: `model-${l}` })),
      pass_threshold: 0.5,
      label_field: 'cat',
      ...(opts.gates ? { gates: opts.gates } : {}),
    }),
  );
  writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({
      name,
      status: 'completed',
      hashes: { dataset: opts.hash ?? createHash('sha256').update(text).digest('hex'), graders: {} },
    }),
  );
  const lines: string[] = [];
  for (const i of opts.items ?? CATS.map((_, i) => i))
    for (const l of labels) tables[l][i].forEach((r, s) => lines.push(JSON.stringify(row(l, i, s, r))));
  writeFileSync(path.join(dir, 'results.jsonl'), [...lines, ...(opts.extraLines ?? [])].join('\n'));
  return dir;
}

const itemMeansOf = (t: Array<Array<number | null>>) =>
  t.map((xs) => {
    const ok = xs.filter((x): x is number => x !== null);
    return ok.reduce((s, x) => s + x, 0) / ok.length;
  });
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('eval report', () => {
  test('summary of one run: means, CI, samples, errors, pass rate, graders, labels, comparison, gates', async () => {
    const resumed = JSON.stringify(row('tuned', 4, 1, 1)); // a resumed run wrote item 4 sample 1 again: later wins
    const dir = writeRun(
      'one',
      { base: BASE, tuned: TUNED },
      {
        gates: [
          { candidate: 'tuned', mean: { min: 0.9 } },
          { compare: ['tuned', 'base'], difference: { min: 0.2 } },
        ],
        extraLines: [resumed, '', '{"item": 7, "candid'],
      },
    );
    const report = await writeRunSummary(dir);
    const tuned = TUNED.map((xs) => [...xs]);
    tuned[4][1] = 1;
    const mb = itemMeansOf(BASE);
    const mt = itemMeansOf(tuned);
    const [b, t] = report.candidates;
    assert.equal(report.run, dir);
    assert.equal(b.label, 'base');
    assert.equal(b.model, 'model-base');
    assert.equal(b.mean, avg(mb));
    assert.deepEqual(b.ci, bootstrapMeanCI(mb));
    assert.equal(b.samples, 16);
    assert.equal(b.errors, 1);
    assert.equal(t.samples, 16, 'the resumed duplicate is one sample, not two');
    assert.equal(t.mean, avg(mt));
    // Pass rate over graded samples: base has 6 of 15 at ≥ 0.5 (the two 0.5s count), tuned 13 of 16.
    assert.equal(b.pass_rate, 6 / 15);
    assert.equal(t.pass_rate, 13 / 16);
    assert.deepEqual(b.graders, { main: avg(mb), style: 0.25 });
    // Labels: an item with a list counts under each of its labels.
    const byLabel = (ms: number[], l: string) => avg(ms.filter((_, i) => [CATS[i]].flat().includes(l)));
    assert.deepEqual(t.labels, {
      easy: { mean: byLabel(mt, 'easy'), items: 4 },
      hard: { mean: byLabel(mt, 'hard'), items: 4 },
      tricky: { mean: byLabel(mt, 'tricky'), items: 1 },
    });
    assert.equal(report.comparisons.length, 1);
    const c = report.comparisons[0];
    const diffs = mt.map((x, i) => x - mb[i]);
    assert.deepEqual([c.a, c.b, c.items], ['tuned', 'base', 8]);
    assert.ok(Math.abs(c.difference - (avg(mt) - avg(mb))) < 1e-12);
    assert.equal(c.p_value, wilcoxonSignedRank(diffs).p);
    assert.deepEqual(
      [c.wins, c.ties, c.losses],
      [
        diffs.filter((d) => d > 0).length,
        diffs.filter((d) => d === 0).length,
        diffs.filter((d) => d < 0).length,
      ],
    );
    assert.deepEqual(
      report.gates?.map((g) => [g.name, g.passed]),
      [
        ['tuned: mean ≥ 0.9', false],
        ['tuned − base, difference ≥ 0.2', true],
      ],
    );
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as EvalReport;
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(report)));
    const md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    assert.match(md, /\| tuned \| model-tuned \| 0\.781 \|/);
    assert.match(md, /\| tuned: mean ≥ 0\.9 \| FAIL \| mean of tuned 0\.7813 < 0\.9 \(short by 0\.1188\) \|/);
    assert.match(md, /1 line\(s\) of .*results\.jsonl are not result rows and were skipped \(line 35\)/);
    assert.match(md, /## Per label/);
  });

  test('the same rows in another order give the same report (seeded resampling over items in item order)', async () => {
    const dir = writeRun('again', { base: BASE, tuned: TUNED });
    const first = await writeRunSummary(dir);
    assert.deepEqual(await writeRunSummary(dir), first);
    // A concurrent run appends rows as samples finish: another run of the same spec writes them in another order.
    const file = path.join(dir, 'results.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, [...lines].reverse().join('\n'));
    assert.deepEqual(await writeRunSummary(dir), first);
  });

  test('summaries of one folder written at once do not trip over each other', async () => {
    const dir = writeRun('concurrent', { base: BASE, tuned: TUNED });
    const reports = await Promise.all([writeRunSummary(dir), writeRunSummary(dir), writeRunSummary(dir)]);
    assert.deepEqual(reports[1], reports[0]);
    assert.deepEqual(
      JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')),
      JSON.parse(JSON.stringify(reports[0])),
    );
  });

  test('a changed dataset gives no label breakdown, and says why', async () => {
    const dir = writeRun('changed', { base: BASE, tuned: TUNED }, { hash: '0'.repeat(64) });
    const run = await readRun(dir);
    assert.equal(run.labels, undefined);
    assert.match(run.labelsNote ?? '', /changed since the run/);
    const { report, notes } = await compareRuns(dir);
    assert.equal(report.candidates[0].labels, undefined);
    assert.match(notes.join('\n'), /no per-label breakdown/);
  });

  test('two saved runs: labels made unique, items paired by item key, shared labels compared B vs A', async () => {
    const a = writeRun('run-a', { base: BASE, tuned: TUNED });
    // Run B saw items 7…2 only, in another order, and its tuned model is perfect.
    const perfect = TUNED.map((xs) => xs.map(() => 1));
    const b = writeRun('run-b', { base: BASE, tuned: perfect }, { items: [7, 6, 5, 4, 3, 2] });
    const { report } = await compareRuns(a, b);
    assert.deepEqual(report.runs, [a, b]);
    assert.deepEqual(
      report.candidates.map((c) => c.label),
      ['base@run-a', 'tuned@run-a', 'base@run-b', 'tuned@run-b'],
    );
    assert.deepEqual(
      report.comparisons.map((c) => [c.a, c.b, c.items]),
      [
        ['tuned@run-a', 'base@run-a', 8],
        ['base@run-b', 'base@run-a', 6],
        ['tuned@run-b', 'base@run-a', 6],
        ['tuned@run-b', 'tuned@run-a', 6],
      ],
    );
    const same = report.comparisons.find((c) => c.a === 'base@run-b')!;
    assert.deepEqual([same.difference, same.wins, same.losses, same.p_value], [0, 0, 0, 1]);
    const better = report.comparisons.find((c) => c.a === 'tuned@run-b' && c.b === 'tuned@run-a')!;
    const mt = itemMeansOf(TUNED);
    assert.ok(Math.abs(better.difference - avg([2, 3, 4, 5, 6, 7].map((i) => 1 - mt[i]))) < 1e-12);
  });

  test('a folder that is not a run is refused with a sentence, not a stack', async () => {
    await assert.rejects(
      readRun(path.join(root, 'nowhere')),
      (e) => e instanceof EvalReportError && /not an eval run folder/.test(e.message),
    );
    writeFileSync(path.join(root, 'file.txt'), 'x');
    await assert.rejects(readRun(path.join(root, 'file.txt')), /is not an eval run folder \(it is a file\)/);
    const broken = path.join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'results.jsonl'), '');
    writeFileSync(path.join(broken, 'spec.json'), '{nope');
    await assert.rejects(readRun(broken), /spec\.json is not valid JSON/);
  });

  test('an empty results file still reports every candidate of the spec (NaN means, no samples)', async () => {
    const dir = writeRun('empty', { base: [], tuned: [] }, { items: [] });
    const { report } = await compareRuns(dir);
    assert.deepEqual(
      report.candidates.map((c) => [c.label, c.samples, Number.isNaN(c.mean)]),
      [
        ['base', 0, true],
        ['tuned', 0, true],
      ],
    );
    assert.equal(report.comparisons[0].items, 0);
  });
});
