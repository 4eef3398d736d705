// `rft-studio stats` in-process on real fixtures: text and JSON reports, --field, --pair, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import type { DatasetStats, PairStats } from '../../../src/shared/datasetStats';

const root = join(__dirname, '../../..');
const MS = 'test/fixtures/real/microsoft-foundry-fine-tuning';
const VALID_TOOL = `${MS}/Demos/Agentic_RFT_PrivatePreview/RFT_ToolCall/data/valid_tool.jsonl`;
const TRAIN_TOOL = `${MS}/Demos/Agentic_RFT_PrivatePreview/RFT_ToolCall/data/train_tool.jsonl`;
const GSM8K = `${MS}/Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_validation.jsonl`;

function io(cwd = root) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    env: {},
    signal: new AbortController().signal,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

function lines(rel: string): Record<string, unknown>[] {
  return readFileSync(join(root, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('text report of a real RFT tool-call file, with a chosen --field', async () => {
  const c = io();
  const code = await runCli(['stats', VALID_TOOL, '--field', 'reference_answer'], c.io);
  assert.equal(code, 0, c.err());
  const out = c.out();
  const rows = lines(VALID_TOOL);
  assert.match(out, new RegExp(`${rows.length} lines, ${rows.length} examples`));
  assert.match(out, /Role sequences\n\s+developer>user\s+10/);
  assert.match(out, /Values of reference_answer\n/);
  assert.doesNotMatch(out, /picked automatically/);
  // Each reference answer and its count, as a plain loop counts them.
  const counts = new Map<string, number>();
  for (const r of rows)
    counts.set(String(r.reference_answer), (counts.get(String(r.reference_answer)) ?? 0) + 1);
  for (const [v, n] of counts)
    assert.match(out, new RegExp(`\\n\\s+${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${n}\\s`));
  assert.match(out, /billed by training time/);
});

test('JSON report and exit 1 when the file has findings (invalid JSON, duplicates)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rft-cli-stats-'));
  const src = readFileSync(join(root, GSM8K), 'utf8').split('\n').filter(Boolean);
  const file = join(dir, 'sft.jsonl');
  writeFileSync(file, [src[0], src[1], src[0], '{broken'].join('\n') + '\n');
  const c = io(dir);
  const code = await runCli(['stats', 'sft.jsonl', '--reporter', 'json', '--epochs', '2'], c.io);
  assert.equal(code, 1);
  const s = JSON.parse(c.out()) as DatasetStats;
  assert.equal(s.path, 'sft.jsonl');
  assert.equal(s.examples, 3);
  assert.deepEqual(s.invalidJson, { count: 1, lines: [4] });
  assert.deepEqual(s.exactDuplicates.groups, [[1, 3]]);
  assert.equal(s.cost.billedBy, 'tokens');
  assert.equal(s.cost.epochs, 2);
  assert.equal(s.cost.billedTokens, s.tokens.total * 2);
});

test('--pair compares a training file with its validation file', async () => {
  const c = io();
  const code = await runCli(['stats', TRAIN_TOOL, '--pair', VALID_TOOL, '--reporter', 'json'], c.io);
  const p = JSON.parse(c.out()) as PairStats;
  assert.equal(p.train.examples, lines(TRAIN_TOOL).length);
  assert.equal(p.valid.examples, lines(VALID_TOOL).length);
  // Independent overlap check: identical canonical lines in both files.
  const canon = (o: unknown): string =>
    Array.isArray(o)
      ? `[${o.map(canon).join(',')}]`
      : o && typeof o === 'object'
        ? `{${Object.keys(o as object)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon((o as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(o);
  const train = new Set(lines(TRAIN_TOOL).map(canon));
  const overlap = lines(VALID_TOOL).filter((v) => train.has(canon(v))).length;
  assert.equal(p.exactOverlap.count, overlap);
  assert.ok(p.labels, 'labels side by side');
  assert.equal(p.labels.field, 'reference_answer');
  const trainTotal = p.labels.rows.reduce((s, r) => s + r.train, 0);
  assert.equal(trainTotal, lines(TRAIN_TOOL).length);
  const findings = (s: DatasetStats) =>
    s.invalidJson.count +
    s.exactDuplicates.extraCopies +
    s.nearDuplicates.pairs.length +
    s.leakage.rows.length +
    s.tokens.overLimit.count;
  const total = findings(p.train) + findings(p.valid) + p.exactOverlap.count + p.nearAcross.count;
  assert.equal(code, total > 0 ? 1 : 0);

  const t = io();
  await runCli(['stats', TRAIN_TOOL, '--pair', VALID_TOOL], t.io);
  assert.match(t.out(), /== Training \/ validation ==/);
  assert.match(t.out(), /Labels side by side: reference_answer/);
});

test('usage errors exit 2', async () => {
  const c = io();
  assert.equal(await runCli(['stats'], c.io), 2);
  assert.match(c.err(), /missing the dataset file/);
  const d = io();
  assert.equal(await runCli(['stats', GSM8K, '--reporter', 'sarif'], d.io), 2);
  const e = io();
  assert.equal(await runCli(['stats', GSM8K, '--token-limit', '0'], e.io), 2);
  const f = io();
  assert.equal(await runCli(['stats', 'no/such/file.jsonl'], f.io), 2);
  assert.match(f.err(), /does not exist/);
});
