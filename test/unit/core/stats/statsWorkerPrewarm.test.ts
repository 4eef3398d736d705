// The editor's pre-warmed statistics worker (its own file: a process with no other worker policy): started when
// asked, used by the next statistics job with the in-thread counts, gone after its idle time if nobody asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  countPrefixTokens,
  hasSpareWorker,
  prewarmTokenWorker,
  startTokenWorker,
  tokenWorkerScript,
} from '../../../../src/core/stats/fileTokens';

const FILE = join(
  __dirname,
  '../../../fixtures/real/openai-build-hours/05-4o_fine_tuning/static-vuln-fixes-eval.jsonl',
);

test('pre-warmed: waits for a job, serves it with the in-thread counts, and leaves after the idle time unused', async () => {
  const script = tokenWorkerScript();
  assert.ok(script, 'the worker bundle is built (node esbuild.js --schemas)');
  if (availableParallelism() < 2) {
    assert.equal(prewarmTokenWorker(500, script), false, 'one core: no worker');
    return;
  }
  assert.equal(hasSpareWorker(script), false);
  assert.ok(prewarmTokenWorker(60_000, script));
  assert.equal(hasSpareWorker(script), true, 'started ahead of the job');
  assert.ok(prewarmTokenWorker(60_000, script), 'asking again keeps the one waiting');
  const expected = await countPrefixTokens(FILE, Infinity);
  const got = await startTokenWorker(script, FILE, Infinity);
  assert.deepEqual([...got.counts.subarray(0, got.lines)], [...expected.counts.subarray(0, expected.lines)]);
  // Taken by the job and, with no keep policy here, ended after it.
  assert.equal(hasSpareWorker(script), false, 'used up by the job');
  assert.ok(prewarmTokenWorker(300, script));
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(hasSpareWorker(script), false, 'gone after the idle time');
});
