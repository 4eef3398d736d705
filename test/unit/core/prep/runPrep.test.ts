import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { checkOutputPaths, OutputPathError } from '../../../../src/core/prep/dataset';
import {
  PrepInputError,
  PrepRequestError,
  resolveValidCount,
  sampleFile,
  splitFile,
} from '../../../../src/core/prep/runPrep';
import { tempDir } from '../../../lib/tempFiles';

const field = ['labels'];

function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/(?<=\n)/)
    .filter(Boolean);
}

test('split copies every line byte for byte into exactly one file, in file order, keeping BOM and CRLF', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'data.jsonl');
  const body = Array.from(
    { length: 60 },
    (_, i) => `{"id":${i},  "labels":["${'abc'[i % 3]}"], "t":"é ${i}"}`,
  );
  const input = `\uFEFF${body.join('\r\n')}\r\n\r\n`;
  writeFileSync(file, input);
  const report = await splitFile(
    file,
    field,
    { validFraction: 0.25 },
    path.join(dir, 't.jsonl'),
    path.join(dir, 'v.jsonl'),
    {
      seed: '7',
    },
  );
  const t = readFileSync(path.join(dir, 't.jsonl'), 'utf8');
  const v = readFileSync(path.join(dir, 'v.jsonl'), 'utf8');
  assert.ok(t.startsWith('\uFEFF') && v.startsWith('\uFEFF'), 'outputs keep the BOM');
  assert.equal(report.train, 45);
  assert.equal(report.valid, 15);
  const all = [...lines(t), ...lines(v)];
  assert.deepEqual(
    all.map((l) => l.replace(/\r\n$/, '')).sort(),
    [...body].sort(),
    'nothing lost, nothing duplicated, bytes kept',
  );
  assert.ok(all.every((l) => l.endsWith('\r\n')));
  const order = (s: string) => lines(s).map((l) => JSON.parse(l).id as number);
  assert.deepEqual(
    order(t),
    [...order(t)].sort((a, b) => a - b),
    'file order',
  );
  assert.equal(readFileSync(file, 'utf8'), input, 'input untouched');
  assert.deepEqual(report.coverage, { needed: 3, covered: 3 });
  assert.deepEqual(readdirSync(dir).sort(), ['data.jsonl', 't.jsonl', 'v.jsonl']);
});

test('property (files): split and sample keep every line exactly once and are deterministic for a seed', async () => {
  const dir = tempDir();
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ labels: fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { maxLength: 2 }), n: fc.nat(3) }),
        {
          minLength: 2,
          maxLength: 40,
        },
      ),
      fc.boolean(),
      fc.string({ maxLength: 5 }),
      async (rows, crlf, seed) => {
        const file = path.join(dir, `in${run++}.jsonl`);
        const text = rows.map((r) => JSON.stringify(r)).join(crlf ? '\r\n' : '\n');
        writeFileSync(file, text);
        const outs = ['a', 'b', 'c', 'd'].map((x) => path.join(dir, `${x}${run}.jsonl`));
        const v = Math.max(1, Math.floor(rows.length / 3));
        if (new Set(rows.map((r) => JSON.stringify(r))).size === 1) {
          // One duplicate group cannot be split: a clear error, and nothing written.
          await assert.rejects(
            splitFile(file, field, { validCount: v }, outs[0], outs[1], { seed }),
            PrepRequestError,
          );
          assert.equal(readdirSync(dir).includes(path.basename(outs[0])), false);
          return;
        }
        await splitFile(file, field, { validCount: v }, outs[0], outs[1], { seed });
        const got = [...lines(readFileSync(outs[0], 'utf8')), ...lines(readFileSync(outs[1], 'utf8'))].map(
          (l) => l.replace(/\r?\n$/, ''),
        );
        assert.deepEqual(got.sort(), text.split(/\r?\n/).sort());
        await splitFile(file, field, { validCount: v }, outs[2], outs[3], { seed });
        assert.equal(readFileSync(outs[2], 'utf8'), readFileSync(outs[0], 'utf8'));
        assert.equal(readFileSync(outs[3], 'utf8'), readFileSync(outs[1], 'utf8'));
        const n = Math.ceil(rows.length / 2);
        await sampleFile(file, field, n, outs[0], { seed });
        await sampleFile(file, field, n, outs[1], { seed });
        const sample = readFileSync(outs[0], 'utf8');
        assert.equal(sample, readFileSync(outs[1], 'utf8'));
        const picked = lines(sample).map((l) => l.replace(/\r?\n$/, ''));
        assert.equal(picked.length, n);
        const pool = text.split(/\r?\n/);
        for (const p of picked) {
          const i = pool.indexOf(p);
          assert.ok(i >= 0, 'a sampled line is an input line');
          pool.splice(i, 1);
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('lines that are not JSON objects stop sample and split, with their lines, and nothing is written', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad.jsonl');
  writeFileSync(file, '{"labels":"a"}\n{"labels":\n[1,2]\n{"labels":"b"}\n');
  await assert.rejects(
    splitFile(file, field, { validCount: 1 }, path.join(dir, 't.jsonl'), path.join(dir, 'v.jsonl')),
    (e: PrepInputError) =>
      e instanceof PrepInputError &&
      e.lines.map((l) => l.line).join() === '2,3' &&
      /line 2: not valid JSON/.test(e.message),
  );
  await assert.rejects(sampleFile(file, field, 1, path.join(dir, 's.jsonl')), PrepInputError);
  assert.deepEqual(readdirSync(dir), ['bad.jsonl']);
});

test('examples without the field are kept and reported as unlabelled', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  writeFileSync(
    file,
    [
      '{"labels":"a"}',
      '{"labels":"a"}',
      '{"x":1}',
      '{"labels":null}',
      '{"labels":[{"o":1}]}',
      '{"labels":"b"}',
    ].join('\n'),
  );
  const r = await splitFile(
    file,
    field,
    { validCount: 2 },
    path.join(dir, 't.jsonl'),
    path.join(dir, 'v.jsonl'),
  );
  assert.equal(r.train + r.valid, 6);
  assert.equal(r.unlabelled.total.count, 3);
  assert.deepEqual(r.unlabelled.total.lines, [3, 4, 5]);
  assert.deepEqual(r.unlabelled.total.byReason, { missing: 1, null: 1, 'not-a-label': 1 });
  const s = await sampleFile(file, field, 6, path.join(dir, 's.jsonl'));
  assert.equal(s.unlabelled.after, 3);
});

test('sizes: fraction, count and the provider limits give clear errors', () => {
  assert.equal(resolveValidCount(150, { validFraction: 1 / 3 }), 50);
  assert.equal(resolveValidCount(150, { validCount: 50 }), 50);
  assert.equal(resolveValidCount(3, { validFraction: 0.01 }), 1, 'at least one');
  assert.throws(
    () => resolveValidCount(5000, { validFraction: 0.25 }),
    /1250 examples, over the provider limit of 1000.*fraction ≤ 0.2/,
  );
  assert.throws(() => resolveValidCount(5000, { validCount: 1001 }), /over the provider limit of 1000/);
  assert.equal(resolveValidCount(5000, { validCount: 1001, maxValid: 2000 }), 1001);
  assert.throws(
    () => resolveValidCount(60_000, { validCount: 500 }),
    /59500 examples, over the provider limit of 50000/,
  );
  assert.throws(() => resolveValidCount(10, { validCount: 10 }), /would leave none for training/);
  assert.throws(() => resolveValidCount(10, { validFraction: 1 }), PrepRequestError);
  assert.throws(() => resolveValidCount(1, { validCount: 1 }), /at least 2/);
  assert.throws(() => resolveValidCount(10, {}), /fraction or a validation count/);
});

test('outputs may never be the input (also through a different spelling) nor each other', () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  writeFileSync(file, '{}\n');
  assert.throws(() => checkOutputPaths(file, [path.join(dir, 'sub', '..', 'd.jsonl')]), OutputPathError);
  assert.throws(
    () => checkOutputPaths(file, [path.join(dir, 'a.jsonl'), path.join(dir, './a.jsonl')]),
    /same file/,
  );
  checkOutputPaths(file, [path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl')]);
});

test('sample: asking for more than the file holds is a request error', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  writeFileSync(file, '{"labels":"a"}\n{"labels":"b"}\n');
  await assert.rejects(
    sampleFile(file, field, 3, path.join(dir, 's.jsonl')),
    /has 2 examples, fewer than the 3 asked for/,
  );
});

test('a dry run (write: false) reports the same counts and writes nothing', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  writeFileSync(
    file,
    Array.from({ length: 30 }, (_, i) => JSON.stringify({ labels: ['a', 'b', 'c'][i % 3] })).join('\n'),
  );
  const dry = await splitFile(
    file,
    field,
    { validCount: 10 },
    path.join(dir, 't.jsonl'),
    path.join(dir, 'v.jsonl'),
    { write: false },
  );
  const wet = await splitFile(
    file,
    field,
    { validCount: 10 },
    path.join(dir, 't.jsonl'),
    path.join(dir, 'v.jsonl'),
  );
  assert.deepEqual({ ...dry, written: true }, wet);
});
