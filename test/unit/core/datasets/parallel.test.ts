// The streaming validator on worker threads (chunkPool.ts + datasetCheck.worker.ts, through the bundle
// `node esbuild.js --schemas` builds) must give exactly the report the in-thread path gives, whatever the
// chunk boundaries, and must fail fast and cleanly when a worker does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ParallelCheckOptions } from '../../../../src/core/datasets/chunkPool';
import type { DatasetReport, DatasetValidationOptions } from '../../../../src/core/datasets/validate';
import { validateDatasetFile, validateDatasetText } from '../../../../src/core/datasets/validate';
import { comparable, tempFile } from './helpers';

const root = join(__dirname, '../../../..');
const script = join(root, 'dist/workers/datasetCheck.js');
const parallel: ParallelCheckOptions = { script, threads: 2, minBytes: 0 };

const walk = (d: string): string[] =>
  readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.jsonl') ? [p] : [];
  });

/** Everything a report says, fingerprints included (same hashes, inserted in the same order). */
function whole(r: DatasetReport): unknown {
  const f = r.fingerprints;
  return { ...(comparable(r) as object), fingerprints: f && { keys: [...f.keys], lines: [...f.lines] } };
}

async function sameBothWays(p: string, opts: DatasetValidationOptions = {}): Promise<DatasetReport> {
  const inThread = await validateDatasetFile(p, opts);
  const onWorkers = await validateDatasetFile(p, { ...opts, parallel });
  assert.deepEqual(whole(onWorkers), whole(inThread), `${p}: workers and in-thread disagree`);
  return onWorkers;
}

test('the worker bundle exists (built by `node esbuild.js --schemas`, which npm run test:unit runs)', () => {
  assert.ok(existsSync(script), `${script} is missing`);
});

test('every real fixture and demo dataset: the same report on workers, in 16 kB chunks', async () => {
  const files = [...walk(join(root, 'test/fixtures/real')), ...walk(join(root, 'demo'))];
  assert.ok(files.length >= 20, `only ${files.length} files found`);
  for (const p of files) await sameBothWays(p, { chunkBytes: 16_384 });
});

test('BOM, CRLF, blanks, bad JSON, a long line, duplicates and drift across chunk boundaries', async () => {
  const ex = (i: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ messages: [{ role: 'user', content: `Question ${i}?` }], target: i, ...extra });
  const rows: string[] = [];
  for (let i = 0; i < 400; i++) {
    if (i % 97 === 0) rows.push('');
    else if (i % 89 === 0) rows.push('{"messages": [');
    else if (i % 83 === 0)
      rows.push(ex(1)); // a duplicate of line 1's example
    else if (i % 71 === 0)
      rows.push(ex(i, { target: String(i) })); // a field whose type drifts
    else if (i % 67 === 0)
      rows.push(JSON.stringify({ messages: [{ role: 'user', content: 'x' }] })); // no target
    else if (i === 200)
      rows.push(ex(i, { essay: 'long '.repeat(40_000) })); // ~200 kB: spans many chunks
    else rows.push(ex(i));
  }
  const text = `\ufeff${rows.join('\r\n')}`; // CRLF, and no final newline
  const p = tempFile(text, 'mixed_train.jsonl');
  for (const chunkBytes of [1, 7, 64, 4096, undefined]) {
    const r = await sameBothWays(p, { chunkBytes, maxPerRule: 5 });
    assert.deepEqual(comparable(r), comparable(validateDatasetText(text, { fileName: p, maxPerRule: 5 })));
    const codes = new Set(r.diagnostics.map((d) => d.code));
    for (const c of [
      'jsonl/blank-line',
      'jsonl/invalid-json',
      'dataset/duplicate-example',
      'dataset/field-type',
      'dataset/field-missing',
    ])
      assert.ok(codes.has(c), `${c} missing (chunks of ${chunkBytes}): ${[...codes].join(', ')}`);
    assert.equal(r.examples, 395); // 400 lines, 5 of them blank
    assert.equal(r.hasBom, true);
  }
});

test('the example limit is found on the right line when the examples come back from workers', async () => {
  const rows = Array.from({ length: 1_200 }, (_, i) =>
    JSON.stringify({ messages: [{ role: 'user', content: `Q${i}` }], n: i }),
  );
  const p = tempFile(`${rows.join('\n')}\n`, 'big_valid.jsonl');
  const r = await sameBothWays(p, { chunkBytes: 1000 });
  const over = r.diagnostics.find((d) => d.code === 'dataset/too-many-examples');
  assert.ok(over, 'a validation file of 1,200 examples is over the limit');
  assert.equal(over.range.start.line, 1_000);
});

test('progress is reported in order and ends with every line and byte', async () => {
  const rows = Array.from({ length: 20_000 }, (_, i) =>
    JSON.stringify({ messages: [{ role: 'user', content: `Q${i}` }], n: i }),
  );
  const text = `${rows.join('\n')}\n`;
  const p = tempFile(text);
  const seen: [number, number][] = [];
  await validateDatasetFile(p, {
    parallel,
    chunkBytes: 50_000,
    onProgress: (lines, bytes) => seen.push([lines, bytes]),
  });
  assert.ok(seen.length > 2);
  for (let i = 1; i < seen.length; i++)
    assert.ok(seen[i][0] >= seen[i - 1][0] && seen[i][1] >= seen[i - 1][1]);
  assert.deepEqual(seen.at(-1), [20_000, Buffer.byteLength(text) - 1]);
});

test('a worker that crashes, or cannot start, fails the validation with its reason instead of hanging', async () => {
  const data = tempFile(`${JSON.stringify({ messages: [{ role: 'user', content: 'Q' }] })}\n`.repeat(50));
  const crashing = tempFile(
    "require('node:worker_threads').parentPort.on('message', () => process.exit(3));",
    'crash.js',
  );
  await assert.rejects(
    validateDatasetFile(data, { parallel: { ...parallel, script: crashing }, chunkBytes: 100 }),
    /exited with code 3/,
  );
  const throwing = tempFile("throw new Error('broken bundle');", 'throw.js');
  await assert.rejects(
    validateDatasetFile(data, { parallel: { ...parallel, script: throwing }, chunkBytes: 100 }),
    /broken bundle/,
  );
});

test('a missing worker bundle falls back to checking in-thread', async () => {
  const p = tempFile(`${JSON.stringify({ messages: [{ role: 'user', content: 'Q' }] })}\n`.repeat(20));
  const r = await validateDatasetFile(p, {
    parallel: { ...parallel, script: join(root, 'no/such/worker.js') },
  });
  assert.equal(r.examples, 20);
});

test('aborting stops the workers and rejects', async () => {
  const rows = Array.from({ length: 50_000 }, (_, i) =>
    JSON.stringify({ messages: [{ role: 'user', content: `Q${i}` }] }),
  );
  const p = tempFile(`${rows.join('\n')}\n`);
  const controller = new AbortController();
  const run = validateDatasetFile(p, {
    parallel,
    chunkBytes: 10_000,
    signal: controller.signal,
    onProgress: () => controller.abort(new Error('stop here')),
  });
  await assert.rejects(run, /stop here/);
});
