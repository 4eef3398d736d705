// The preview's line index, row summaries and row filter on real fixtures, checked against plain splitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tempFile } from '../../../lib/tempFiles';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildLineIndex, LineIndex, readLines } from '../../../../src/core/preview/lineIndex';
import { summarizeRow, rowMatcher } from '../../../../src/core/preview/rowSummary';
import { scanRows } from '../../../../src/core/preview/rowScan';
import { splitJsonlText } from '../../../../src/core/datasets/jsonlReader';

const MS = join(__dirname, '../../../fixtures/real/microsoft-foundry-fine-tuning');
const ZAVA = join(MS, 'Demos/ZavaRetailAgent/data/rft_train.jsonl');
const GSM8K = join(MS, 'Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_validation.jsonl');
const ORCA = join(MS, 'Sample_Datasets/Direct_Preference_Optimization/orca_dpo_pairs/validation.jsonl');
const TOOLCALL = join(
  MS,
  'Sample_Datasets/Supervised_Fine_Tuning/Tool-Calling/stock_toolcall_validation.jsonl',
);
const EVAL = join(MS, 'Demos/RFT_Countdown/data/countdown_eval_100.jsonl');

const file = (content: string | Buffer): string => tempFile(content);

test('the index of a real file with 25 KB lines matches plain splitting, in batches', async () => {
  const text = readFileSync(ZAVA, 'utf8');
  const expected = splitJsonlText(text).lines;
  const batches: number[] = [];
  const idx = await buildLineIndex(ZAVA, {
    firstBatchLines: 3,
    batchLines: 4,
    chunkSize: 4096,
    onBatch: (b) => batches.push(b.offsets.length),
  });
  assert.equal(idx.lineCount, expected.length);
  assert.deepEqual(batches, [3, 4, 3]);
  const rows = await readLines(ZAVA, idx, 0, idx.lineCount);
  assert.deepEqual(
    rows.map((r) => r.text),
    expected,
  );
  // Any single row on demand.
  assert.equal((await readLines(ZAVA, idx, 7, 8))[0].text, expected[7]);
  assert.deepEqual(await readLines(ZAVA, idx, 20, 30), []);
});

test('BOM, CRLF, blank lines, multi-byte text and a missing final newline', async () => {
  const body = '{"messages":[{"role":"user","content":"héllo ✓"}]}\r\n\r\n{"a":"日本"}\n{"b":1}';
  const p = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
  const idx = await buildLineIndex(p);
  assert.equal(idx.hasBom, true);
  assert.equal(idx.lineCount, 4);
  const rows = await readLines(p, idx, 0, 4);
  assert.deepEqual(
    rows.map((r) => r.text),
    ['{"messages":[{"role":"user","content":"héllo ✓"}]}', '', '{"a":"日本"}', '{"b":1}'],
  );
  // A long line is cut at the read limit and says so.
  const cut = await readLines(p, idx, 0, 1, 10);
  assert.deepEqual(cut[0], { line: 0, text: '{"messages', truncated: true });
});

test('property: offsets index any line content', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.string({ unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, ' ')),
        { maxLength: 30 },
      ),
      async (lines) => {
        const p = file(lines.join('\n'));
        const idx = await buildLineIndex(p, { chunkSize: 7 });
        const expected = splitJsonlText(lines.join('\n')).lines;
        assert.equal(idx.lineCount, expected.length);
        const got = await readLines(p, idx, 0, idx.lineCount);
        assert.deepEqual(
          got.map((r) => r.text),
          expected,
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('LineIndex.append rejects a gap', () => {
  const idx = new LineIndex();
  idx.append({ firstLine: 0, offsets: Float64Array.of(0, 5), lengths: Uint32Array.of(4, 4) });
  assert.throws(
    () => idx.append({ firstLine: 3, offsets: Float64Array.of(10), lengths: Uint32Array.of(1) }),
    /expected 2/,
  );
  assert.equal(idx.lineCount, 2);
});

test('row summaries of real RFT (tools), SFT, DPO and eval-item lines', async () => {
  const zava = readFileSync(ZAVA, 'utf8').split('\n')[0];
  const z = JSON.parse(zava) as { messages: { role: string; content: string }[]; [k: string]: unknown };
  const s = summarizeRow(0, zava);
  assert.equal(s.kind, 'rft');
  assert.deepEqual(
    s.roles,
    z.messages.map((m) => m.role),
  );
  const lastUser = [...z.messages]
    .reverse()
    .find((m) => m.role === 'user')!
    .content.replace(/\s+/g, ' ')
    .trim();
  assert.equal(s.lastUser, lastUser.length > 240 ? `${lastUser.slice(0, 239)}…` : lastUser);
  assert.deepEqual(
    s.fields.map((f) => f.name),
    Object.keys(z).filter((k) => k !== 'messages' && k !== 'tools'),
  );
  assert.ok(s.fields.every((f) => f.preview.length <= 80));

  const g = summarizeRow(3, readFileSync(GSM8K, 'utf8').split('\n')[0]);
  assert.equal(g.kind, 'sft');
  assert.deepEqual(g.roles, ['system', 'user', 'assistant']);
  assert.deepEqual(g.fields, []);

  const o = summarizeRow(0, readFileSync(ORCA, 'utf8').split('\n')[0]);
  assert.equal(o.kind, 'dpo');
  assert.deepEqual(o.roles, ['system', 'user', 'preferred|non_preferred']);

  const e = summarizeRow(0, readFileSync(EVAL, 'utf8').split('\n')[0]);
  assert.equal(e.kind, 'eval-item');
  assert.deepEqual(e.roles, []);
  assert.equal(e.lastUser, undefined);

  const bad = summarizeRow(9, '{"messages": [');
  assert.equal(bad.kind, 'invalid-json');
  assert.ok(bad.error);
  assert.equal(summarizeRow(1, '  ').kind, 'blank');
  const long = summarizeRow(3, '{"messages": [{"role": "us', 5_000_000, true);
  assert.equal(long.kind, 'unknown');
  assert.equal(long.truncated, true);
  assert.match(long.error ?? '', /5,000,000-byte line/);
});

test('row filter: text (raw or decoded escapes), format, field value; scan of a real file', async () => {
  const m = rowMatcher({ text: 'é' });
  assert.equal(m('{"a":"caf\\u00e9"}'), true, 'decoded \\u escapes are searched');
  assert.equal(m('{"a":"cafe"}'), false);
  const lines = readFileSync(TOOLCALL, 'utf8').split('\n').filter(Boolean);
  const want = lines.flatMap((l, i) => (l.toLowerCase().includes('goldman') ? [i] : []));
  assert.ok(want.length > 0);
  assert.deepEqual([...(await scanRows(TOOLCALL, { text: 'Goldman' }))], want);

  const mixed = file(
    [
      readFileSync(GSM8K, 'utf8').split('\n')[0],
      readFileSync(EVAL, 'utf8').split('\n')[0],
      '{"messages": [',
      JSON.stringify({ messages: [{ role: 'user', content: 'x' }], labels: ['trade', 'law'] }),
      JSON.stringify({ messages: [{ role: 'user', content: 'y' }], labels: 'law' }),
    ].join('\n'),
  );
  assert.deepEqual([...(await scanRows(mixed, { kinds: ['sft', 'invalid-json'] }))], [0, 2]);
  assert.deepEqual([...(await scanRows(mixed, { field: { path: 'labels', value: 'law' } }))], [3, 4]);
  assert.deepEqual(
    [...(await scanRows(mixed, { field: { path: 'labels', value: 'trade' }, kinds: ['rft'] }))],
    [3],
  );
  const target = (JSON.parse(readFileSync(EVAL, 'utf8').split('\n')[0]) as { item: { target: unknown } }).item
    .target;
  assert.deepEqual(
    [...(await scanRows(mixed, { field: { path: 'item.target', value: String(target) } }))],
    [1],
  );
  // Restricted to given lines (the has-problems filter): line 3 matches the text but is not among them.
  const all = readFileSync(mixed, 'utf8').split('\n');
  const only = [0, 1, 2].filter((i) => all[i].toLowerCase().includes('x'));
  assert.ok(all[3].includes('"x"'));
  assert.deepEqual([...(await scanRows(mixed, { text: 'x' }, { onlyLines: [0, 1, 2] }))], only);
});

test('readLines refuses a file swapped for a FIFO after indexing instead of blocking on it', async () => {
  const path = file('{"a":1}\n{"a":2}\n');
  const idx = await buildLineIndex(path);
  rmSync(path);
  execFileSync('mkfifo', [path]);
  await assert.rejects(readLines(path, idx, 0, 2), /named pipe \(FIFO\): give a regular file/);
});
