// `rft-studio grade` run in-process: the golden text_similarity values, the EuroVoc graders, pairing and exit codes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import { tempDir } from '../../lib/tempFiles';

const root = join(__dirname, '../../..');
const dir = tempDir('rft-grade-');

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: dir,
    env: { PATH: process.env.PATH, ...env },
    signal: new AbortController().signal,
  };
  const code = await runCli(['grade', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

/** `grade --grader G --data D --samples S` plus any further flags. */
const grade = (grader: string, data: string, samples: string, ...flags: string[]) =>
  cli(['--grader', grader, '--data', data, '--samples', samples, ...flags]);

const write = (name: string, content: unknown[] | string) => {
  const p = join(dir, name);
  writeFileSync(
    p,
    typeof content === 'string' ? content : content.map((x) => JSON.stringify(x)).join('\n') + '\n',
  );
  return p;
};

interface JsonReport {
  rows: Array<{
    line: number;
    id: unknown;
    sample: string;
    reward: number | null;
    sub_rewards: Record<string, number>;
    errors: string[];
  }>;
  summary: {
    count: number;
    mean: number | null;
    min: number | null;
    max: number | null;
    errors: Record<string, number>;
  };
}

const COLUMNS: Record<string, string> = {
  fuzzy_match: 'fuzz_ratio',
  bleu: 'aieval_bleu',
  gleu: 'aieval_gleu',
  meteor: 'aieval_meteor',
  rouge_1: 'rouge_1_nostem_f',
  rouge_2: 'rouge_2_nostem_f',
  rouge_3: 'rouge_3_nostem_f',
  rouge_4: 'rouge_4_nostem_f',
  rouge_5: 'rouge_5_nostem_f',
  rouge_l: 'rouge_l_nostem_f',
};

describe('rft-studio grade', () => {
  it('reproduces every text_similarity golden column within 1e-12', async () => {
    const golden = readFileSync(join(root, 'test/fixtures/golden/text_similarity_golden.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { id: string; input: string; reference: string; scores: Record<string, number> },
      );
    const data = write(
      'golden-data.jsonl',
      golden.map((g) => ({ id: g.id, reference: g.reference })),
    );
    const samples = write(
      'golden-samples.jsonl',
      golden.map((g) => ({ id: g.id, output_text: g.input })),
    );
    // The ascii tokenizer switch has its own BLEU column.
    const runs: [metric: string, column: string, extra: string[]][] = [
      ...Object.entries(COLUMNS).map(([m, c]): [string, string, string[]] => [m, c, []]),
      ['bleu', 'aieval_bleu_isascii', ['--tokenizer-switch', 'ascii']],
    ];
    for (const [metric, column, extra] of runs) {
      const grader = write(
        `${metric}.grader.json`,
        JSON.stringify({
          type: 'text_similarity',
          name: metric,
          input: '{{ sample.output_text }}',
          reference: '{{ item.reference }}',
          evaluation_metric: metric,
        }),
      );
      const r = await grade(grader, data, samples, '--reporter', 'json', ...extra);
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out) as JsonReport;
      assert.equal(report.rows.length, golden.length);
      let worst = 0;
      report.rows.forEach((row, i) => {
        assert.equal(row.id, golden[i]!.id);
        const expected = golden[i]!.scores[column]!;
        // Absolute or relative 1e-12: some BLEU values are tiny (golden README).
        const d = Math.abs(row.reward! - expected);
        worst = Math.max(worst, Math.min(d, d / Math.abs(expected || 1)));
      });
      assert.ok(worst <= 1e-12, `${column}: max difference ${worst}`);
    }
  });

  it('EuroVoc F1 multi grader through the CLI (python needs --allow-python)', async () => {
    const grader = join(
      root,
      'test/fixtures/real/openai-build-hours/15-reinforcement-fine-tuning/projects/build_hour/graders_saved/level1_f1_multi.json',
    );
    const data = join(root, 'test/fixtures/graders/eurovoc_items.jsonl');
    const samples = join(root, 'test/fixtures/graders/eurovoc_samples.jsonl');
    const refused = await grade(grader, data, samples);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--allow-python/);
    const r = await grade(grader, data, samples, '--allow-python', '--reporter', 'json');
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as JsonReport;
    const f1 = [1 / 2, 1 / 2, 2 / 5, 0, 0, 1, 0];
    report.rows.forEach((row, i) => assert.ok(Math.abs(row.reward! - f1[i]!) < 1e-12, `line ${row.line}`));
    assert.deepEqual(
      report.rows.map((x) => x.line),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      report.rows.map((x) => x.id),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    );
    assert.deepEqual(Object.keys(report.rows[0]!.sub_rewards), ['precision', 'recall']);
    assert.equal(report.summary.count, 7);
    assert.ok(Math.abs(report.summary.mean! - f1.reduce((a, b) => a + b) / 7) < 1e-12);
    assert.equal(report.summary.min, 0);
    assert.equal(report.summary.max, 1);
  });

  it('matches samples by id (several per item), by position otherwise, or from --sample-field', async () => {
    const data = write(
      'ids.jsonl',
      [{ id: 1, label: 'a' }, { id: 2, label: 'b' }, {}, { id: 3, label: 'c' }].map((x) => x).concat([]),
    );
    const grader = write(
      'eq.grader.json',
      JSON.stringify({
        type: 'string_check',
        name: 'eq',
        input: '{{sample.output_text}}',
        reference: '{{item.label}}',
        operation: 'eq',
      }),
    );
    const byId = write('byid.jsonl', [
      { id: 2, output_text: 'b' },
      { id: 1, output_text: 'x' },
      { id: 2, output_text: 'nope' },
    ]);
    const r = await grade(grader, data, byId, '--reporter', 'json');
    const rep = JSON.parse(r.out) as JsonReport;
    assert.deepEqual(
      rep.rows.map((x) => [x.line, x.id, x.reward]),
      [
        [1, 1, 0],
        [2, 2, 1],
        [2, 2, 0],
      ],
    );
    assert.match(r.err, /2 data line\(s\) have no sample/);
    const pos = write('pos.jsonl', ['"a"', '"b"', '"c"'].join('\n'));
    const r2 = await grade(grader, data, pos, '--reporter', 'json');
    const rep2 = JSON.parse(r2.out) as JsonReport;
    assert.deepEqual(
      rep2.rows.map((x) => [x.line, x.reward, x.errors]),
      [
        [1, 1, []],
        [2, 1, []],
        [3, 0, ['invalid_variable_error']],
      ],
    );
    assert.equal(r2.code, 1, 'a row raised a grader error');
    const withField = write('field.jsonl', [
      { label: 'a', out: { text: 'a' } },
      { label: 'b', out: { text: 'c' } },
    ]);
    const g2 = write(
      'eq2.grader.json',
      JSON.stringify({
        type: 'string_check',
        name: 'eq',
        input: '{{sample.output_json.text}}',
        reference: '{{item.label}}',
        operation: 'eq',
      }),
    );
    const r3 = await cli([
      '--grader',
      g2,
      '--data',
      withField,
      '--sample-field',
      'out',
      '--reporter',
      'jsonl',
    ]);
    const lines = r3.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.slice(0, 2).map((l) => l.reward),
      [1, 0],
    );
    assert.deepEqual((lines[2]!.summary as { count: number }).count, 2);
    assert.equal(r3.code, 0);
  });

  it('text reporter, usage errors and I/O errors', async () => {
    const data = write('t.jsonl', [{ label: 'a' }]);
    const grader = write(
      't.grader.json',
      JSON.stringify({
        type: 'string_check',
        name: 'eq',
        input: '{{sample.output_text}}',
        reference: '{{item.label}}',
        operation: 'eq',
      }),
    );
    const samples = write('ts.jsonl', ['"a"'].join('\n'));
    const ok = await grade(grader, data, samples);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /line 1 {2}reward 1/);
    assert.match(ok.out, /1 row\(s\) graded · mean 1/);
    assert.equal((await cli(['--grader', grader, '--data', data])).code, 2);
    const sw = await grade(grader, data, samples, '--tokenizer-switch', 'utf8');
    assert.equal(sw.code, 2);
    assert.match(sw.err, /--tokenizer-switch must be one of latin1, ascii/);
    assert.equal((await grade(grader, data, samples, '--sample-field', 'x')).code, 2);
    assert.equal((await grade(grader, join(dir, 'missing.jsonl'), samples)).code, 2);
    const broken = write('broken.grader.json', '{"type": "string_check", ');
    const b = await grade(broken, data, samples);
    assert.equal(b.code, 2);
    assert.match(b.err, /broken.grader.json:1:/);
    const badLine = write('bad.jsonl', '{"label": "a"}\n{oops\n');
    const bl = await grade(grader, badLine, samples);
    assert.equal(bl.code, 2);
    assert.match(bl.err, /bad.jsonl:2: not valid JSON/);
    const model = write(
      'm.grader.json',
      JSON.stringify({
        type: 'score_model',
        name: 's',
        model: 'gpt-4.1-2025-04-14',
        input: [{ role: 'user', content: '{{sample.output_text}}' }],
      }),
    );
    const m = await grade(model, data, samples);
    assert.equal(m.code, 2);
    assert.match(m.err, /OPENAI_API_KEY/);
  });
});
