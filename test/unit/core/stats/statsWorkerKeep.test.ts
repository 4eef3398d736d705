// The editor's policy for the statistics worker (its own file: a process whose worker was never warmed for good):
// nothing starts ahead of time; the worker that answered waits for the next job, then leaves after the idle time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  countPrefixTokens,
  hasSpareWorker,
  keepTokenWorkerAfterUse,
  startTokenWorker,
  tokenWorkerScript,
} from '../../../../src/core/stats/fileTokens';

const FILE = join(
  __dirname,
  '../../../fixtures/real/openai-build-hours/05-4o_fine_tuning/static-vuln-fixes-eval.jsonl',
);

test('kept after use: none before the first job, the answering worker waits for the next, gone after the idle time', async () => {
  const script = tokenWorkerScript();
  assert.ok(script, 'the worker bundle is built (node esbuild.js --schemas)');
  if (availableParallelism() < 2) {
    assert.equal(keepTokenWorkerAfterUse(500, script), false, 'one core: no worker is kept');
    return;
  }
  assert.ok(keepTokenWorkerAfterUse(500, script));
  assert.equal(hasSpareWorker(script), false, 'nothing started ahead of time');
  const expected = await countPrefixTokens(FILE, Infinity);
  const first = await startTokenWorker(script, FILE, Infinity);
  assert.deepEqual(
    [...first.counts.subarray(0, first.lines)],
    [...expected.counts.subarray(0, expected.lines)],
  );
  assert.equal(hasSpareWorker(script), true, 'the worker that answered waits');
  const second = await startTokenWorker(script, FILE, Infinity);
  assert.deepEqual(
    [...second.counts.subarray(0, second.lines)],
    [...expected.counts.subarray(0, expected.lines)],
  );
  assert.equal(hasSpareWorker(script), true, 'and again after its next job');
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(hasSpareWorker(script), false, 'gone after the idle time');
});
