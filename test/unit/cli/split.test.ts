import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, workDir } from './prepCliHarness';

function data(dir: string, n = 90) {
  const rows = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: i, labels: i % 30 === 0 ? ['x', 'rare'] : ['x', ['p', 'q', 'r'][i % 3]] }),
  );
  writeFileSync(path.join(dir, 'data.jsonl'), `${rows.join('\n')}\n`);
  return rows;
}

test('split --out TRAIN VALID: per-label table side by side, coverage line, every line in exactly one file', async () => {
  const dir = workDir();
  const rows = data(dir);
  const r = await cli(
    dir,
    'split',
    'data.jsonl',
    '--field',
    'labels',
    '--valid-fraction',
    '0.33',
    '--out',
    'train.jsonl',
    'valid.jsonl',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /90 examples → 60 training \+ 30 validation/);
  assert.match(r.out, /label\s+total\s+train\s+valid\s+train %\s+valid %/);
  assert.match(r.out, /rare\s+3\s+2\s+1\s/);
  assert.match(r.out, /every label with ≥2 examples is in both files \(5\/5\)/);
  const t = readFileSync(path.join(dir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
  const v = readFileSync(path.join(dir, 'valid.jsonl'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual([...t, ...v].sort(), [...rows].sort());
});

test('split --out TRAIN --out VALID and --valid-count; json reporter; same seed same files', async () => {
  const dir = workDir();
  data(dir);
  const a = await cli(
    dir,
    'split',
    'data.jsonl',
    '--field',
    'labels',
    '--valid-count',
    '20',
    '--seed',
    'abc',
    '--out',
    'a.jsonl',
    '--out',
    'b.jsonl',
    '--reporter',
    'json',
  );
  assert.equal(a.code, 0, a.err);
  const rep = JSON.parse(a.out).split;
  assert.equal(rep.valid, 20);
  assert.equal(rep.trainOut, 'a.jsonl');
  assert.deepEqual(rep.coverage, { needed: 5, covered: 5 });
  const b = await cli(
    dir,
    'split',
    'data.jsonl',
    '--field',
    'labels',
    '--valid-count',
    '20',
    '--seed',
    'abc',
    '--out',
    'c.jsonl',
    'd.jsonl',
  );
  assert.equal(b.code, 0);
  assert.equal(
    readFileSync(path.join(dir, 'a.jsonl'), 'utf8'),
    readFileSync(path.join(dir, 'c.jsonl'), 'utf8'),
  );
  assert.equal(
    readFileSync(path.join(dir, 'b.jsonl'), 'utf8'),
    readFileSync(path.join(dir, 'd.jsonl'), 'utf8'),
  );
});

test('split: provider limit, input as output, ambiguous sizes and swapped arguments are refused (exit 2)', async () => {
  const dir = workDir();
  data(dir, 2100);
  const before = readFileSync(path.join(dir, 'data.jsonl'), 'utf8');
  const cases: [string[], RegExp][] = [
    [
      ['data.jsonl', '--valid-fraction', '0.5', '--out', 't.jsonl', 'v.jsonl'],
      /1050 examples, over the provider limit of 1000/,
    ],
    [['data.jsonl', '--valid-count', '10', '--out', 't.jsonl', 'data.jsonl'], /is the input file/],
    [
      ['data.jsonl', '--valid-count', '10', '--valid-fraction', '0.1', '--out', 't.jsonl', 'v.jsonl'],
      /exactly one of/,
    ],
    [['data.jsonl', '--valid-fraction', '1.5', '--out', 't.jsonl', 'v.jsonl'], /between 0 and 1/],
    [['data.jsonl', '--valid-count', '10', '--out', 't.jsonl'], /two outputs/],
    [['data.jsonl', '--valid-count', '10', '--out', 'same.jsonl', 'same.jsonl'], /same file/],
  ];
  for (const [args, msg] of cases) {
    const r = await cli(dir, 'split', '--field', 'labels', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, msg);
  }
  // A first correct run, then the same command with the input given last: the "validation output" would be the dataset.
  assert.equal(
    (
      await cli(
        dir,
        'split',
        'data.jsonl',
        '--field',
        'labels',
        '--valid-count',
        '10',
        '--out',
        't.jsonl',
        'v.jsonl',
      )
    ).code,
    0,
  );
  const swapped = await cli(
    dir,
    'split',
    '--field',
    'labels',
    '--valid-count',
    '5',
    '--out',
    't.jsonl',
    'v.jsonl',
    'data.jsonl',
  );
  assert.equal(swapped.code, 2);
  assert.match(swapped.err, /are the arguments in the right order/);
  assert.equal(readFileSync(path.join(dir, 'data.jsonl'), 'utf8'), before, 'the dataset was not overwritten');
});

test('split exits 1 when a label cannot be in both files (all its examples are one duplicate group)', async () => {
  const dir = workDir();
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, l: 'common' })),
    '{"l":"dup"}',
    '{"l":"dup"}',
  ];
  writeFileSync(path.join(dir, 'd.jsonl'), rows.join('\n'));
  const r = await cli(
    dir,
    'split',
    'd.jsonl',
    '--field',
    'l',
    '--valid-count',
    '5',
    '--out',
    't.jsonl',
    'v.jsonl',
  );
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /dup\s+2\s+(2\s+0|0\s+2)\s.*NOT IN BOTH/);
  assert.match(r.out, /warning: 'dup' is not in both files: its 2 examples are exact duplicates/);
  assert.match(r.out, /Exact duplicates: 1 group\(s\), 2 lines/);
});
