// `rft-studio validate` end to end in-process: exit codes, the three reporters, pairs and folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/app';
import { DATASET_RULES } from '../../../src/core/datasets/rules';

const root = join(__dirname, '../../..');
const broken = join(root, 'demo/datasets/rft/broken_example.jsonl');
const clean = join(root, 'demo/datasets/rft/countdown_train.jsonl');

async function run(args: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['validate', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('exit 0 on a clean file, 1 on errors, 2 on usage and I/O errors', async () => {
  assert.equal((await run([clean])).code, 0);
  assert.equal((await run([broken])).code, 1);
  const missing = await run(['nope.jsonl']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /does not exist/);
  assert.equal((await run([clean, '--format', 'xml'])).code, 2);
  assert.equal((await run([])).code, 2);
  assert.equal((await run([clean, '--max-problems', '0'])).code, 2);
  assert.equal((await run([clean, '--bogus'])).code, 2);
});

test('text reporter reads like a compiler: path:line:col severity code message', async () => {
  const { out } = await run([broken]);
  const lines = out.split('\n');
  assert.equal(
    lines[0],
    'demo/datasets/rft/broken_example.jsonl:1:1 warning dataset/too-few-examples Only 4 example(s): fine-tuning needs at least 10 (start with several dozen to a few hundred).',
  );
  assert.ok(
    lines.includes(
      'demo/datasets/rft/broken_example.jsonl:1:22 warning rft/system-role RFT examples use "developer" instead of "system" (system is not in the RFT schema).',
    ),
  );
  assert.ok(
    lines.some((l) =>
      l.startsWith('demo/datasets/rft/broken_example.jsonl:3:76 error jsonl/invalid-json Invalid JSON:'),
    ),
  );
  assert.match(out, /broken_example\.jsonl \(rft, 4 examples\): 2 error\(s\), 5 warning\(s\)/);
});

test('JSON reporter: exactly the documented shape, 1-based positions', async () => {
  const { out, code } = await run([broken, clean, '--reporter', 'json']);
  assert.equal(code, 1);
  const doc = JSON.parse(out) as {
    files: { path: string; format: string; examples: number; diagnostics: Record<string, unknown>[] }[];
  };
  assert.deepEqual(Object.keys(doc), ['files']);
  assert.deepEqual(
    doc.files.map((f) => [f.path, f.format, f.examples, f.diagnostics.length]),
    [
      ['demo/datasets/rft/broken_example.jsonl', 'rft', 4, 7],
      ['demo/datasets/rft/countdown_train.jsonl', 'rft', 25, 0],
    ],
  );
  for (const f of doc.files) assert.deepEqual(Object.keys(f), ['path', 'format', 'examples', 'diagnostics']);
  const sys = doc.files[0].diagnostics.find((d) => d.code === 'rft/system-role')!;
  assert.deepEqual(Object.keys(sys), [
    'line',
    'column',
    'endLine',
    'endColumn',
    'severity',
    'code',
    'message',
  ]);
  assert.deepEqual(
    [sys.line, sys.column, sys.endLine, sys.endColumn, sys.severity],
    [1, 22, 1, 30, 'warning'],
  );
});

test('SARIF 2.1.0 for code scanning: every dataset rule in the driver, results with regions', async () => {
  const { out } = await run([broken, '--reporter', 'sarif']);
  const sarif = JSON.parse(out);
  assert.equal(sarif.version, '2.1.0');
  const run0 = sarif.runs[0];
  const ruleIds = run0.tool.driver.rules.map((r: { id: string }) => r.id);
  for (const r of DATASET_RULES) assert.ok(ruleIds.includes(r.code), r.code);
  assert.equal(run0.results.length, 7);
  const inv = run0.results.find((r: { ruleId: string }) => r.ruleId === 'jsonl/invalid-json');
  assert.equal(inv.level, 'error');
  assert.equal(run0.tool.driver.rules[inv.ruleIndex].id, 'jsonl/invalid-json');
  assert.deepEqual(inv.locations[0].physicalLocation.artifactLocation, {
    uri: 'demo/datasets/rft/broken_example.jsonl',
    uriBaseId: 'SRCROOT',
  });
  assert.equal(inv.locations[0].physicalLocation.region.startLine, 3);
});

test('--pair TRAIN VALID and TRAIN,VALID: overlap and field differences land on the validation file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rft-cli-'));
  const ex = (i: number, t: unknown = i) =>
    JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], target: t });
  writeFileSync(join(dir, 'train.jsonl'), Array.from({ length: 12 }, (_, i) => ex(i)).join('\n'));
  writeFileSync(join(dir, 'valid.jsonl'), [ex(3), ex(100, 'x')].join('\n'));
  for (const args of [
    ['--pair', 'train.jsonl', 'valid.jsonl'],
    ['--pair', 'train.jsonl,valid.jsonl'],
  ]) {
    const { out, code } = await run([...args, '--reporter', 'json'], dir);
    assert.equal(code, 0, 'warnings only');
    const doc = JSON.parse(out);
    assert.deepEqual(
      doc.files.map((f: { path: string }) => f.path),
      ['train.jsonl', 'valid.jsonl'],
    );
    assert.deepEqual(doc.files[0].diagnostics, []);
    assert.deepEqual(
      doc.files[1].diagnostics.map((d: { code: string; line: number }) => `${d.code}@${d.line}`),
      ['pair/field-mismatch@1', 'pair/overlap@1', 'dataset/field-type@2'],
    );
  }
  const bad = await run(['--pair', 'train.jsonl'], dir);
  assert.equal(bad.code, 2);
});

test('folders are searched for .jsonl files; --format and --provider apply to all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rft-cli-'));
  mkdirSync(join(dir, 'sub'));
  const sft = (i: number) =>
    JSON.stringify({
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: `q${i}` },
        { role: 'assistant', content: 'a' },
      ],
    });
  writeFileSync(join(dir, 'sub', 'a.jsonl'), Array.from({ length: 10 }, (_, i) => sft(i)).join('\n'));
  writeFileSync(join(dir, 'b.jsonl'), Array.from({ length: 10 }, (_, i) => sft(i + 10)).join('\n'));
  writeFileSync(join(dir, 'notes.txt'), 'not a dataset');
  const auto = JSON.parse((await run(['.', '--reporter', 'json', '--provider', 'azure'], dir)).out);
  assert.deepEqual(
    auto.files.map((f: { path: string; format: string }) => [f.path, f.format]),
    [
      ['b.jsonl', 'sft'],
      [join('sub', 'a.jsonl'), 'sft'],
    ],
  );
  assert.deepEqual(
    auto.files[0].diagnostics.map((d: { code: string }) => d.code),
    ['azure/missing-bom'],
  );
  const forced = await run(['b.jsonl', '--format', 'rft', '--max-problems', '2'], dir);
  assert.equal(forced.code, 1);
  assert.match(
    forced.out,
    /b\.jsonl:1:1 info dataset\/truncated 8 more "rft\/last-message-not-user" problem\(s\) not shown/,
  );
});

test('help lists the options', async () => {
  const { out, code } = await run(['--help']);
  assert.equal(code, 0);
  for (const o of ['--format', '--provider', '--pair TRAIN VALID', '--reporter', '--max-problems'])
    assert.ok(out.includes(o), o);
});

test('SFT cookbook checks on the command line: --model picks the training context, once-per-file system count', async () => {
  const gsm8k = join(
    root,
    'test/fixtures/real/microsoft-foundry-fine-tuning/Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_train.jsonl',
  );
  type Row = { messages: Array<{ role: string; content: string }> };
  const rows = readFileSync(gsm8k, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 12)
    .map((l) => JSON.parse(l) as Row);
  for (const i of [1, 4]) rows[i]!.messages = rows[i]!.messages.filter((m) => m.role !== 'system');
  rows[6]!.messages = rows[6]!.messages.filter((m) => m.role !== 'user');
  for (let k = 0; k < 30; k++)
    rows[8]!.messages.push(...rows[k % 6]!.messages.filter((m) => m.role !== 'system'));
  const dir = mkdtempSync(join(tmpdir(), 'rft-validate-sft-'));
  writeFileSync(join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const dflt = await run(['train.jsonl'], dir);
  assert.equal(dflt.code, 0, dflt.out);
  assert.match(
    dflt.out,
    /train\.jsonl:2:2 info sft\/no-system-message 2 example\(s\) have no system message/,
  );
  assert.equal(dflt.out.match(/sft\/no-system-message/g)?.length, 1);
  assert.match(dflt.out, /train\.jsonl:7:2 warning sft\/no-user-message/);
  assert.doesNotMatch(dflt.out, /too-many-tokens/);
  const small = await run(['train.jsonl', '--model', 'gpt-3.5-turbo-0613'], dir);
  assert.match(
    small.out,
    /train\.jsonl:9:2 warning sft\/too-many-tokens This example has [\d,]+ tokens; gpt-3\.5-turbo-0613 trains on at most 4,096 per example/,
  );
});
