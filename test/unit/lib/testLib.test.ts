// The shared test helpers (test/lib): waitFor returns the first truthy probe and fails with a useful message;
// tempDir/tempFile give fresh paths that removeTempDir deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../../lib/waitFor';
import { removeTempDir, tempDir, tempFile } from '../../lib/tempFiles';

test('waitFor returns the first truthy value, retrying probes that throw', async () => {
  let calls = 0;
  const v = await waitFor(
    'the third call',
    () => {
      calls++;
      if (calls === 1) throw new Error('not yet');
      return calls >= 3 && { calls };
    },
    { intervalMs: 1 },
  );
  assert.deepEqual(v, { calls: 3 });
});

test('waitFor times out naming what it waited for, the last error and the detail', async () => {
  await assert.rejects(
    waitFor(
      'a miracle',
      async () => {
        throw new Error('still broken');
      },
      { timeoutMs: 20, intervalMs: 5, detail: () => 'state: none' },
    ),
    /timed out after 20 ms waiting for a miracle; last error: Error: still broken; state: none/,
  );
});

test('tempFile writes into a directory of its own; removeTempDir deletes a tempDir', () => {
  const a = tempFile('{"a":1}\n');
  const b = tempFile('{"b":2}\n', 'b.jsonl');
  assert.notEqual(path.dirname(a), path.dirname(b));
  assert.equal(readFileSync(a, 'utf8'), '{"a":1}\n');
  assert.equal(path.basename(b), 'b.jsonl');
  const dir = tempDir('rft-lib-test-');
  assert.ok(existsSync(dir));
  removeTempDir(dir);
  assert.ok(!existsSync(dir));
});
