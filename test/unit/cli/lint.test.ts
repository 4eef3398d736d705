// `rft-studio lint` on the real fixture graders against their datasets, reporters and exit codes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import { multiOverA } from '../../lib/graderFixtures';
import { tempDir } from '../../lib/tempFiles';

const root = join(__dirname, '../../..');
const foundry = join(root, 'test/fixtures/real/microsoft-foundry-fine-tuning');
const clause = join(foundry, 'Sample_Datasets/Reinforcement_Fine_Tuning/ClauseMatching');
const countdown = join(foundry, 'Demos/RFT_Countdown/data');
const dir = tempDir('rft-lint-');

async function lint(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: root,
    env: {},
    signal: new AbortController().signal,
  };
  const code = await runCli(['lint', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

interface Report {
  files: Array<{
    path: string;
    format: string;
    diagnostics: Array<{ line: number; column: number; severity: string; code: string; message: string }>;
  }>;
}

describe('rft-studio lint', () => {
  it('ClauseMatching multi grader against its dataset and schema: clean', async () => {
    const r = await lint([
      join(clause, 'multi_grader.json'),
      '--data',
      join(clause, 'clause_matching_validation.jsonl'),
      '--response-format',
      join(clause, 'schema.json'),
      '--reporter',
      'json',
    ]);
    assert.equal(r.code, 0, r.out);
    const d = (JSON.parse(r.out) as Report).files[0]!.diagnostics;
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/pass-threshold'],
    );
  });

  it('ClauseMatching against its dataset without the response format: output_json is reported at each use', async () => {
    const r = await lint([
      join(clause, 'multi_grader.json'),
      '--data',
      join(clause, 'clause_matching_validation.jsonl'),
      '--reporter',
      'json',
    ]);
    assert.equal(r.code, 1);
    const d = (JSON.parse(r.out) as Report).files[0]!.diagnostics.filter(
      (x) => x.code === 'grader/output-json-no-format',
    );
    assert.deepEqual(
      d.map((x) => [x.line, x.column]),
      [
        [9, 25],
        [16, 25],
      ],
    );
  });

  it('ClauseMatching with a schema lacking a key, and a dataset lacking a field', async () => {
    const rf = join(dir, 'rf.json');
    writeFileSync(
      rf,
      JSON.stringify({
        type: 'json_schema',
        json_schema: {
          name: 'x',
          strict: true,
          schema: {
            type: 'object',
            properties: { clause_type: { type: 'string' } },
            required: ['clause_type'],
            additionalProperties: false,
          },
        },
      }),
    );
    const data = join(dir, 'data.jsonl');
    writeFileSync(
      data,
      [
        '{"messages":[{"role":"user","content":"a"}],"extracted_text":"t","clause_type":"Exclusivity"}',
        '{"messages":[{"role":"user","content":"b"}],"clause_type":"Non-Compete"}',
        '{"messages":[{"role":"user","content":"c"}],"clause_type":7}',
      ].join('\n'),
    );
    const r = await lint([join(clause, 'multi_grader.json'), '--data', data, '--response-format', rf]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /multi_grader\.json:9:25 error grader\/output-json-key the response format schema has no sample\.output_json\.extracted_text \(keys there: clause_type\)/,
    );
    assert.match(
      r.out,
      /:10:29 warning grader\/item-missing item\.extracted_text is missing on 2 of 3 dataset lines \(first: line 2, 3\)/,
    );
    assert.match(r.out, /grader\/item-type-drift item\.clause_type has different types/);
  });

  it('Countdown score_model grader against its dataset and response format', async () => {
    const r = await lint([
      join(countdown, 'grader_config_aoai.json'),
      '--data',
      join(countdown, 'countdown_valid_50.jsonl'),
      '--response-format',
      join(countdown, 'response_schema.json'),
      '--reporter',
      'json',
    ]);
    assert.equal(r.code, 0);
    const d = (JSON.parse(r.out) as Report).files[0]!.diagnostics;
    assert.deepEqual(d.map((x) => x.code).sort(), ['grader/model-not-allowed', 'grader/pass-threshold']);
    // and against a dataset whose lines lack the referenced fields
    const r2 = await lint([
      join(countdown, 'grader_config_aoai.json'),
      '--data',
      join(root, 'test/fixtures/graders/eurovoc_items.jsonl'),
    ]);
    assert.equal(r2.code, 1);
    assert.match(r2.out, /item\.target is missing on every dataset line \(7\)/);
    assert.match(r2.out, /item\.nums is missing on every dataset line/);
  });

  it('--data twice: the Countdown grader on the two published Countdown trainings sets (strings vs numbers/lists)', async () => {
    // Same task, two demos: RFT_Countdown stores target and nums as strings, the endpoint-grader demo as a
    // number and a list. Each file alone is consistent; only together does the drift show.
    const agentic = join(foundry, 'Demos/Agentic_RFT_PrivatePreview/RFT_EndpointGrader/data');
    const grader = join(countdown, 'grader_config_aoai.json');
    const train = join(countdown, 'countdown_train_25.jsonl');
    const valid = join(agentic, 'countdown_valid_10.jsonl');
    const args = ['--response-format', join(countdown, 'response_schema.json'), '--reporter', 'json'];
    const single = await lint([grader, '--data', train, ...args]);
    const singleValid = await lint([grader, '--data', valid, ...args]);
    for (const r of [single, singleValid]) {
      const codes = (JSON.parse(r.out) as Report).files[0]!.diagnostics.map((x) => x.code);
      assert.ok(!codes.some((c) => c.startsWith('grader/item-')), codes.join(','));
    }
    const r = await lint([grader, '--data', train, '--data', valid, ...args]);
    assert.equal(r.code, 0, r.out);
    const drift = (JSON.parse(r.out) as Report).files[0]!.diagnostics.filter(
      (x) => x.code === 'grader/item-type-drift-across',
    );
    assert.equal(drift.length, 2, JSON.stringify(drift));
    const target = drift.find((x) => x.message.startsWith('item.target'))!;
    assert.equal(target.severity, 'warning');
    assert.match(
      target.message,
      /item\.target is a string in countdown_train_25\.jsonl \(line 1\) but a number in countdown_valid_10\.jsonl \(line 1\)/,
    );
    assert.match(
      drift.find((x) => x.message.startsWith('item.nums'))!.message,
      /a string in .* but an array in/,
    );
    // text reporter: both locations in the line a person reads
    const text = await lint([grader, '--data', train, '--data', valid]);
    assert.match(
      text.out,
      /warning grader\/item-type-drift-across item\.target is a string in countdown_train_25\.jsonl \(line 1\) but a number in countdown_valid_10\.jsonl \(line 1\)/,
    );
    // one --data: output identical to before (no file prefix, no cross-file rule)
    const missing = await lint([grader, '--data', join(root, 'test/fixtures/graders/eurovoc_items.jsonl')]);
    assert.match(
      missing.out,
      /error grader\/item-missing item\.target is missing on every dataset line \(7\)/,
    );
    // two files: per-file problems name their file
    const both = await lint([
      grader,
      '--data',
      train,
      '--data',
      join(root, 'test/fixtures/graders/eurovoc_items.jsonl'),
    ]);
    assert.match(both.out, /eurovoc_items\.jsonl: item\.target is missing on every dataset line \(7\)/);
    assert.doesNotMatch(both.out, /countdown_train_25\.jsonl: item\.target is missing/);
  });

  it('a grader saved with its shell quotes: one clear error, the same as in the editor', async () => {
    const r = await lint([join(root, 'test/fixtures/graders/shell_quoted.grader.json')]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /shell_quoted\.grader\.json:1:1 error grader\/shell-quoted the grader JSON is wrapped in single quotes \(a shell-quoting leftover\): remove this quote and the one at line 1, column 142/,
    );
    assert.doesNotMatch(r.out, /unexpected character/);
  });

  it('SARIF reporter lists rules; several files; usage errors', async () => {
    const bad = join(dir, 'bad.grader.json');
    writeFileSync(bad, JSON.stringify(multiOverA('a +', { operation: 'neq' }), null, 2));
    const r = await lint([bad, join(clause, 'multi_grader.json'), '--reporter', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.out) as {
      runs: Array<{ results: Array<{ ruleId: string }>; tool: { driver: { rules: Array<{ id: string }> } } }>;
    };
    const ids = sarif.runs[0]!.results.map((x) => x.ruleId).sort();
    assert.deepEqual(ids, ['grader/formula-syntax', 'grader/operation-neq', 'grader/pass-threshold']);
    assert.ok(sarif.runs[0]!.tool.driver.rules.some((x) => x.id === 'grader/formula-syntax'));
    assert.equal((await lint([])).code, 2);
    assert.equal((await lint([join(dir, 'nope.json')])).code, 2);
    assert.equal((await lint([bad, '--reporter', 'xml'])).code, 2);
  });
});
