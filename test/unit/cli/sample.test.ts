import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, workDir } from './prepCliHarness';

function skewed(dir: string) {
  // 300 lines: label "a" on every line, "b" on every 3rd, "rare" on 4 lines.
  const rows = Array.from({ length: 300 }, (_, i) => {
    const labels = ['a'];
    if (i % 3 === 0) labels.push('b');
    if (i % 75 === 1) labels.push('rare');
    return JSON.stringify({ id: i, item: { labels } });
  });
  writeFileSync(path.join(dir, 'data.jsonl'), `${rows.join('\n')}\n`);
}

test('sample reports counts before and after, keeps rare labels, and is deterministic for a seed', async () => {
  const dir = workDir();
  skewed(dir);
  const r = await cli(
    dir,
    'sample',
    'data.jsonl',
    '--field',
    'item.labels',
    '--n',
    '20',
    '--seed',
    '5',
    '--out',
    's1.jsonl',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /rare\s+4\s+1\.3\s+4\s+20\.0/);
  assert.match(r.out, /Every label is in the sample \(3\/3\)/);
  const again = await cli(
    dir,
    'sample',
    'data.jsonl',
    '--field',
    'item.labels',
    '--n',
    '20',
    '--seed',
    '5',
    '--out',
    's2.jsonl',
  );
  assert.equal(again.code, 0);
  assert.equal(
    readFileSync(path.join(dir, 's1.jsonl'), 'utf8'),
    readFileSync(path.join(dir, 's2.jsonl'), 'utf8'),
  );
  assert.equal(readFileSync(path.join(dir, 's1.jsonl'), 'utf8').split('\n').filter(Boolean).length, 20);
});

test('sample --reporter json', async () => {
  const dir = workDir();
  skewed(dir);
  const r = await cli(
    dir,
    'sample',
    'data.jsonl',
    '--field',
    'item.labels',
    '--n',
    '10',
    '--out',
    's.jsonl',
    '--reporter',
    'json',
  );
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out).sample;
  assert.equal(rep.selected, 10);
  assert.equal(rep.seed, '42');
  assert.deepEqual(
    rep.labels.map((l: { label: string }) => l.label),
    ['a', 'b', 'rare'],
  );
});

test('sample usage errors exit 2; bad lines exit 1', async () => {
  const dir = workDir();
  skewed(dir);
  for (const [args, msg] of [
    [['--n', 'ten'], /--n must be a whole number/],
    [['--n', '0'], /--n must be a whole number/],
    [['--n', '301'], /fewer than the 301 asked for/],
    [['--n', '5', '--reporter', 'sarif'], /unknown reporter 'sarif'/],
  ] as const) {
    const r = await cli(dir, 'sample', 'data.jsonl', '--field', 'item.labels', '--out', 'o.jsonl', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, msg);
  }
  writeFileSync(path.join(dir, 'bad.jsonl'), '{"l":"a"}\nnot json\n');
  const r = await cli(dir, 'sample', 'bad.jsonl', '--field', 'l', '--n', '1', '--out', 'o.jsonl');
  assert.equal(r.code, 1);
  assert.match(r.err, /line 2: not valid JSON/);
});
