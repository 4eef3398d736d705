// `rft-studio eval run` and `eval compare`, in-process against the emulator on the demo's Countdown dataset and
// grader: the confirmation (refused without a terminal, asked on one), the --reporter json shape field by field
// against the run folder, an unchanged rerun that costs nothing, gates and failed samples (exit 1), the text and
// JUnit reporters, two saved runs, and usage errors (exit 2).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import type { EvalTerminal } from '../../../src/cli/commands/evalCommand';
import { createEvalCommand } from '../../../src/cli/commands/evalCommand';
import { compareRuns } from '../../../src/core/evals/report';
import type { EvalReport, EvalResultRow } from '../../../src/core/evals/types';
import type { Emulator } from '../../../src/emulator/server';
import { startEmulator } from '../../../src/emulator/server';
import { tempDir } from '../../lib/tempFiles';

const DEMO = path.resolve(__dirname, '../../../demo');
const BASE = 'o4-mini-2025-04-16';
const TUNED = 'ft:o4-mini-2025-04-16:org:countdown:abc123';

const GRADERS = [
  {
    type: 'string_check',
    name: 'solved',
    input: '{{sample.output_json.result}}',
    reference: '{{item.target}}',
    operation: 'eq',
  },
  { type: 'string_check', name: 'answered', input: '{{sample.output_text}}', reference: '', operation: 'ne' },
];

let em: Emulator;
const cwd = tempDir('rft-eval-cli-');

function writeSpec(name: string, extra: Record<string, unknown> = {}, candidates?: unknown[]): string {
  const file = path.join(cwd, `${name}.rfteval.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      // Absolute paths into the repo's demo: the spec lives in a temp folder so its runs do not land in the repo.
      dataset: path.join(DEMO, 'datasets/rft/countdown_valid.jsonl'),
      // Local graders, so every chat completion the emulator sees is a sample (the demo's grader is a model grader).
      graders: GRADERS,
      response_format: path.join(DEMO, 'graders/countdown.response_format.json'),
      samples_per_item: 2,
      candidates: candidates ?? [
        { label: 'base', model: BASE, seed: 7 },
        { label: 'tuned', model: TUNED, seed: 7 },
      ],
      ...extra,
    }),
  );
  return path.basename(file);
}

interface Run {
  code: number;
  out: string;
  err: string;
  asked: number;
}

async function evalCli(
  args: string[],
  term: Partial<EvalTerminal> = {},
  signal = new AbortController().signal,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let asked = 0;
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    env: { OPENAI_API_KEY: 'sk-eval-cli-test-0123456789' },
    signal,
  };
  const command = createEvalCommand({
    interactive: () => false,
    progressLine: () => false,
    ...term,
    confirm: async (q, i) => {
      asked++;
      return term.confirm ? term.confirm(q, i) : false;
    },
  });
  const withProvider = args[0] === 'run' ? [...args, '--provider-url', em.url] : args;
  const code = await runCli(['eval', ...withProvider], io, [command]);
  return { code, out: out.join(''), err: err.join(''), asked };
}

const sampling = () => em.requests().filter((r) => r.path.endsWith('/chat/completions')).length;

function rowsOf(dir: string): EvalResultRow[] {
  return readFileSync(path.join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EvalResultRow);
}

/** Mean over items of the per-item mean reward, computed straight from results.jsonl. */
function directMean(rows: EvalResultRow[], candidate: string): { mean: number; byItem: Map<number, number> } {
  const sums = new Map<number, number[]>();
  for (const r of rows)
    if (r.candidate === candidate && r.reward !== null)
      sums.set(r.item, [...(sums.get(r.item) ?? []), r.reward]);
  const byItem = new Map([...sums].map(([k, v]) => [k, v.reduce((s, x) => s + x, 0) / v.length]));
  return { mean: [...byItem.values()].reduce((s, x) => s + x, 0) / byItem.size, byItem };
}

const ITEMS = readFileSync(path.join(DEMO, 'datasets/rft/countdown_valid.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean).length;

before(async () => {
  em = await startEmulator({ speed: 1000 });
});
after(async () => {
  await em.close();
});

describe('rft-studio eval', () => {
  let first: EvalReport;

  test('without --yes and without a terminal: the estimate, then a refusal (exit 2), nothing spent', async () => {
    const spec = writeSpec('countdown');
    const before = sampling();
    const r = await evalCli(['run', spec]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /\d+ model call\(s\) to make \(\d+ item\(s\) × 2 sample\(s\) × 2 candidate\(s\)\)/);
    assert.match(r.err, /pass --yes/);
    assert.equal(r.out, '');
    assert.equal(r.asked, 0);
    assert.equal(sampling(), before);
  });

  test('on a terminal it asks; "no" runs nothing (exit 0)', async () => {
    const before = sampling();
    const r = await evalCli(['run', writeSpec('countdown')], {
      interactive: () => true,
      confirm: async () => false,
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.asked, 1);
    assert.match(r.err, /Not run\./);
    assert.equal(sampling(), before);
  });

  test('--reporter json: the fixed shape, field by field, against the run folder', async () => {
    const before = sampling();
    const r = await evalCli(['run', writeSpec('countdown'), '--yes', '--reporter', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(sampling() - before, ITEMS * 2 * 2, 'one request per item, sample and candidate');
    const report = JSON.parse(r.out) as EvalReport;
    first = report;
    assert.ok(path.isAbsolute(report.run) && existsSync(path.join(report.run, 'results.jsonl')));
    assert.equal(path.dirname(report.run), path.join(cwd, '.rft', 'evals'));
    const rows = rowsOf(report.run);
    assert.deepEqual(
      report.candidates.map((c) => [c.label, c.model, c.samples, c.errors]),
      [
        ['base', BASE, ITEMS * 2, 0],
        ['tuned', TUNED, ITEMS * 2, 0],
      ],
    );
    const base = directMean(rows, 'base');
    const tuned = directMean(rows, 'tuned');
    for (const [c, direct] of [
      [report.candidates[0], base],
      [report.candidates[1], tuned],
    ] as const) {
      assert.ok(Math.abs(c.mean - direct.mean) < 1e-12, `${c.label} mean`);
      assert.equal(c.ci.length, 2);
      const values = [...direct.byItem.values()];
      assert.ok(c.ci[0] <= c.ci[1] && c.ci[0] >= Math.min(...values) && c.ci[1] <= Math.max(...values));
    }
    assert.equal(report.comparisons.length, 1);
    const cmp = report.comparisons[0];
    assert.equal(cmp.a, 'tuned');
    assert.equal(cmp.b, 'base');
    assert.ok(Math.abs(cmp.difference - (tuned.mean - base.mean)) < 1e-12);
    assert.ok(cmp.ci[0] <= cmp.difference + 1e-12 && cmp.difference - 1e-12 <= cmp.ci[1]);
    assert.ok(cmp.p_value > 0 && cmp.p_value <= 1);
    const diffs = [...tuned.byItem].map(([k, v]) => v - base.byItem.get(k)!);
    assert.equal(cmp.wins, diffs.filter((d) => d > 1e-12).length);
    assert.equal(cmp.losses, diffs.filter((d) => d < -1e-12).length);
    assert.equal(cmp.wins + cmp.ties + cmp.losses, ITEMS);
    // The fine-tuned id is the better model on the emulator (issue #13: the demo shows a real difference).
    assert.ok(cmp.difference > 0, `difference ${cmp.difference}`);
    // summary.json holds the same report, and the core recomputes the same numbers from the folder.
    assert.deepEqual(JSON.parse(readFileSync(path.join(report.run, 'summary.json'), 'utf8')), report);
    assert.deepEqual(JSON.parse(JSON.stringify((await compareRuns(report.run)).report)), report);
  });

  test('an unchanged rerun is answered by the cache: no confirmation needed, no request, the same numbers', async () => {
    const before = sampling();
    const r = await evalCli(['run', writeSpec('countdown'), '--reporter', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.asked, 0);
    assert.match(r.err, /answered by the cache: this run costs nothing/);
    assert.equal(sampling(), before);
    const again = JSON.parse(r.out) as EvalReport;
    assert.deepEqual(again.candidates, first.candidates);
    assert.deepEqual(again.comparisons, first.comparisons);
  });

  test('the text reporter is a table; eval compare of that run prints the same numbers', async () => {
    const r = await evalCli(['run', writeSpec('countdown')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Run \.rft\/evals\/countdown-\d{8}-\d{6}(-\d+)? \(completed\)/);
    assert.match(r.out, /candidate\s+model\s+mean\s+95% CI\s+pass rate\s+samples\s+errors/);
    const m = first.candidates[1].mean.toFixed(3);
    assert.match(r.out, new RegExp(`tuned\\s+${TUNED.replace(/[.:]/g, '\\$&')}\\s+${m}\\s+\\[`));
    assert.match(r.out, /tuned − base\s+\+\d\.\d{3}/);
    const c = await evalCli(['compare', path.relative(cwd, first.run), '--reporter', 'json']);
    assert.equal(c.code, 0, c.err);
    const compared = JSON.parse(c.out) as EvalReport;
    assert.deepEqual(compared.candidates, first.candidates);
    assert.deepEqual(compared.comparisons, first.comparisons);
  });

  test('a failing gate: exit 1, naming the gate and by how much; JUnit shows it as a failure', async () => {
    const spec = writeSpec('gated', {
      gates: [
        { candidate: 'tuned', mean: { min: 100 } },
        { compare: ['tuned', 'base'], difference: { min: -100 } },
      ],
    });
    const r = await evalCli(['run', spec, '--yes']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /gate "tuned: mean ≥ 100" failed: mean of tuned [\d.]+ < 100 \(short by [\d.]+\)/);
    assert.doesNotMatch(r.err, /difference ≥ -100" failed/);
    assert.match(r.out, /✖ tuned: mean ≥ 100/);
    assert.match(r.out, /✔ tuned − base, difference ≥ -100/);
    const j = await evalCli(['run', spec, '--reporter', 'junit']);
    assert.equal(j.code, 1);
    assert.match(j.out, /<testsuites[^>]*tests="2"[^>]*failures="1"/);
    assert.match(j.out, /<failure message="mean of tuned/);
  });

  test('a sample that fails beyond the retries: exit 1, and the run still reports', async () => {
    // A 403 is not worth retrying: the requests it hits fail at once (and the sampler may stop sending to a model
    // that answered 403, so how many fail depends on timing; every failed one is counted and reported).
    em.addFault({ path: '/chat/completions', kind: 'training_not_available', count: 2 });
    const spec = writeSpec('broken', { limit: 3, samples_per_item: 1 }, [
      { label: 'base', model: BASE, seed: 99 },
      { label: 'tuned', model: TUNED, seed: 99 },
    ]);
    const r = await evalCli(['run', spec, '--yes', '--reporter', 'json']);
    em.clearFaults();
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as EvalReport;
    const failed = rowsOf(report.run).filter((row) => row.error);
    assert.ok(failed.length >= 2);
    assert.match(
      r.err,
      new RegExp(
        `${failed.length} sample\\(s\\) failed beyond the retries \\(see error in \\.rft/evals/broken-`,
      ),
    );
    assert.deepEqual(
      report.candidates.map((c) => c.samples),
      [3, 3],
    );
    assert.equal(report.candidates[0].errors + report.candidates[1].errors, failed.length);
    for (const row of failed) {
      assert.equal(row.reward, null);
      assert.equal(row.error?.stage, 'sample');
      assert.match(row.error?.message ?? '', /403/);
    }
  });

  test('--batch samples through the Batch API: no online call, the discount in the estimate, the same report shape', async () => {
    const online = sampling();
    const batchesBefore = em
      .requests()
      .filter((r) => r.method === 'POST' && r.path.endsWith('/batches')).length;
    const r = await evalCli([
      'run',
      writeSpec('batched', { limit: 3, samples_per_item: 1 }, [
        { label: 'base', model: BASE, seed: 1234 },
        { label: 'tuned', model: TUNED, seed: 1234 },
      ]),
      '--batch',
      '--yes',
      '--reporter',
      'json',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /half the list prices \(the Batch API discount\)/);
    assert.equal(sampling(), online, 'no online sampling call');
    assert.ok(
      em.requests().filter((q) => q.method === 'POST' && q.path.endsWith('/batches')).length > batchesBefore,
    );
    const report = JSON.parse(r.out) as EvalReport;
    assert.deepEqual(
      report.candidates.map((c) => [c.label, c.samples, c.errors]),
      [
        ['base', 3, 0],
        ['tuned', 3, 0],
      ],
    );
    assert.equal(report.comparisons[0].items, 3);
  });

  test('requests a batch failed are retried online: --new --online sends only those, from a batch spec', async () => {
    const knobs = (k: Record<string, unknown>) =>
      fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/batches/knobs`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-eval-cli-test-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(k),
      }).then((r) => assert.equal(r.status, 200));
    const spec = writeSpec('batch-retry', { mode: 'batch', limit: 6, samples_per_item: 1 }, [
      { label: 'base', model: BASE, seed: 4321 },
      { label: 'tuned', model: TUNED, seed: 4321 },
    ]);
    await knobs({ fail_fraction: 0.5 });
    let first: Run;
    try {
      first = await evalCli(['run', spec, '--yes', '--reporter', 'json']);
    } finally {
      await knobs({});
    }
    assert.equal(first.code, 1, first.err);
    const failed = (JSON.parse(first.out) as EvalReport).candidates.reduce((n, c) => n + c.errors, 0);
    assert.ok(failed > 0 && failed < 12, `${failed} of 12 failed`);

    assert.equal((await evalCli(['run', spec, '--batch', '--online'])).code, 2);
    const online = sampling();
    const retry = await evalCli(['run', spec, '--new', '--online', '--yes', '--reporter', 'json']);
    assert.equal(retry.code, 0, retry.err);
    assert.equal(sampling() - online, failed, 'only the failed requests went out, online');
    const report = JSON.parse(retry.out) as EvalReport;
    assert.deepEqual(
      report.candidates.map((c) => [c.label, c.samples, c.errors]),
      [
        ['base', 6, 0],
        ['tuned', 6, 0],
      ],
    );
  });

  test('interrupted (SIGINT): exit 1 and how to resume; the same command then resumes the run', async () => {
    em.addFault({ path: '/chat/completions', kind: 'slow', delayMs: 1500, count: 0 });
    const spec = writeSpec('interrupted', { limit: 2, samples_per_item: 1 }, [
      { label: 'base', model: BASE, seed: 555 },
      { label: 'tuned', model: TUNED, seed: 555 },
    ]);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const r = await evalCli(['run', spec, '--yes'], {}, ctl.signal);
    em.clearFaults();
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /ended \(cancelled\) before any sample finished|the run was cancelled; run the same command to resume it/,
    );
    const again = await evalCli(['run', spec, '--yes']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^Run \.rft\/evals\/interrupted-\S+ \(completed, resumed\)/);
  });

  test('eval compare of two saved runs: both folders, labels made unique, the same label compared', async () => {
    const other = JSON.parse(
      (await evalCli(['run', writeSpec('again', { samples_per_item: 1 }), '--yes', '--reporter', 'json']))
        .out,
    ) as EvalReport;
    const r = await evalCli(['compare', first.run, other.run, '--reporter', 'json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as EvalReport;
    assert.deepEqual(report.runs, [first.run, other.run]);
    const a = path.basename(first.run);
    const b = path.basename(other.run);
    assert.deepEqual(
      report.candidates.map((c) => c.label),
      [`base@${a}`, `tuned@${a}`, `base@${b}`, `tuned@${b}`],
    );
    assert.ok(
      report.comparisons.some((c) => c.a === `tuned@${b}` && c.b === `tuned@${a}` && c.items === ITEMS),
    );
    const text = await evalCli(['compare', first.run, other.run]);
    assert.match(text.out, /^Runs /);
    assert.match(text.out, /tuned@\S+ − tuned@\S+\s+[+-]\d\.\d{3}/);
  });

  test('the text reporter lists at most 20 labels and says how many more there are', async () => {
    // The demo's items, each with two labels of its own: 30 labels.
    const dataset = path.join(cwd, 'tagged.jsonl');
    const lines = readFileSync(path.join(DEMO, 'datasets/rft/countdown_valid.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    writeFileSync(
      dataset,
      lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), tags: [`a${i}`, `b${i}`] })).join('\n') + '\n',
    );
    const spec = writeSpec('labelled', { dataset, label_field: 'tags', samples_per_item: 1 });
    const r = await evalCli(['run', spec, '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split('\n').filter((l) => /^[ab]\d+ \(1\)\s/.test(l)).length, 20);
    assert.match(
      r.out,
      new RegExp(`\\(${lines.length * 2 - 20} more label\\(s\\): --reporter json lists them all\\)`),
    );
    const json = await evalCli(['run', spec, '--reporter', 'json']);
    assert.equal(
      Object.keys((JSON.parse(json.out) as EvalReport).candidates[0].labels ?? {}).length,
      lines.length * 2,
    );
  });

  test('usage and input errors are exit 2 with a sentence; a bad spec is exit 1', async () => {
    const cases: Array<[string[], RegExp, number]> = [
      [[], /name a subcommand: run or compare/, 2],
      [['frobnicate'], /unknown subcommand "frobnicate"/, 2],
      [['run'], /name the eval spec/, 2],
      [['run', 'missing.rfteval.json'], /missing\.rfteval\.json does not exist/, 2],
      [['compare'], /name one or two run folders/, 2],
      [['compare', 'x', '--yes'], /--yes is an option of eval run/, 2],
      [['compare', '.', '--reporter', 'junit'], /--reporter must be text or json/, 2],
      [['compare', '.'], /is not an eval run folder \(no results\.jsonl in it\)/, 2],
      [['run', writeSpec('nocands', {}, [])], /candidates/, 1],
    ];
    for (const [args, message, code] of cases) {
      const r = await evalCli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });
});
