// Many blank lines (or any one diagnostic on many lines) cost bounded memory: each chunk keeps only the lines
// the report can show and counts the rest, on worker threads and in-thread alike.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkChunk } from '../../../../src/core/datasets/chunkCheck';
import { validateDatasetFile } from '../../../../src/core/datasets/validate';
import { comparable, rftExamples, tempFile } from './helpers';

test('checkChunk keeps at most the cap of lines per code and counts the others', () => {
  const text = `${JSON.stringify(rftExamples(1)[0])}\n${'\n'.repeat(1000)}${JSON.stringify(rftExamples(1)[0])}\n`;
  const c = checkChunk(Buffer.from(text), 'rft', undefined, 5);
  assert.equal(c.lines, 1002);
  assert.equal(c.diags.filter((d) => d.diags[0]!.code === 'jsonl/blank-line').length, 5);
  assert.equal(c.overflow['jsonl/blank-line'], 995);
  assert.deepEqual(checkChunk(Buffer.from(text), 'rft').overflow, {});
});

test('a file of mostly blank lines: the same report and counts in-thread, on workers and without the chunk cap', async () => {
  const examples = rftExamples(20).map((e) => JSON.stringify(e));
  const text = examples.map((e) => `${e}\n${'\n'.repeat(500)}`).join('');
  const p = tempFile(text, 'blanks.jsonl');
  const opts = { maxPerRule: 7, chunkBytes: 256 };
  const inThread = await validateDatasetFile(p, opts);
  const script = join(__dirname, '../../../../dist/workers/datasetCheck.js');
  const onWorkers = await validateDatasetFile(p, { ...opts, parallel: { script, threads: 2, minBytes: 0 } });
  assert.deepEqual(comparable(onWorkers), comparable(inThread));
  const blank = inThread.diagnostics.filter((d) => d.code === 'jsonl/blank-line');
  assert.equal(blank.length, 7);
  const truncated = inThread.diagnostics.find((d) => d.code === 'dataset/truncated');
  assert.ok(truncated, 'the cap is reported');
  assert.match(truncated.message, /10,?000/, truncated.message); // 20 × 500 blank lines counted, not just those kept
});
