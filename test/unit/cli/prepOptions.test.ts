// The options `map`, `sample` and `split` share (src/cli/prepOptions.ts): each usage error, which one wins when
// several arguments are wrong, and the JSON report with paths relative to the working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, workDir } from './prepCliHarness';

function setup(): string {
  const dir = workDir();
  const rows = ['a', 'b', 'a', 'b', 'a', 'b'].map((l, i) => JSON.stringify({ id: i, l }));
  writeFileSync(path.join(dir, 'data.jsonl'), `${rows.join('\n')}\n`);
  writeFileSync(path.join(dir, 'map.csv'), 'a,alpha\nb,beta\n');
  return dir;
}

test('prep usage errors: the first wrong argument is named, with the usage, exit 2, nothing written', async () => {
  const dir = setup();
  const cases: [string[], RegExp][] = [
    [['map', '--reporter', 'sarif'], /give exactly one input file/],
    [['map', 'data.jsonl', 'x.jsonl', '--field', 'l'], /give exactly one input file/],
    [['map', 'data.jsonl', '--reporter', 'sarif'], /unknown reporter 'sarif' \(use text or json\)/],
    [['map', 'data.jsonl', '--out', 'o.jsonl'], /--field PATH is required/],
    [['map', 'data.jsonl', '--field', 'l', '--out', 'o.jsonl'], /--mapping FILE is required/],
    [['map', 'data.jsonl', '--field', 'l', '--mapping', 'map.csv'], /--out FILE is required/],
    [
      ['map', 'data.jsonl', '--field', 'l', '--mapping', 'map.csv', '--out', 'map.csv'],
      /is the mapping file/,
    ],
    [
      ['map', 'data.jsonl', '--field', 'l', '--mapping', 'data.jsonl', '--out', 'data.jsonl'],
      /is the input file/,
    ],
    [['sample', '--field', 'l', '--n', '2', '--out', 'o.jsonl'], /give exactly one input file/],
    [['sample', 'data.jsonl', '--reporter', 'xml', '--n', 'x'], /unknown reporter 'xml'/],
    [['sample', 'data.jsonl', '--field', 'a..b'], /invalid field path 'a\.\.b'/],
    [['sample', 'data.jsonl', '--field', 'l', '--out', 'o.jsonl'], /--n N is required/],
    [['sample', 'data.jsonl', '--field', 'l', '--n', '2', '--seed', ' '], /--out FILE is required/],
    [
      ['sample', 'data.jsonl', '--field', 'l', '--n', '2', '--out', 'data.jsonl', '--seed', ' '],
      /--seed must be/,
    ],
    [['sample', 'data.jsonl', '--field', 'l', '--n', '2', '--out', 'data.jsonl'], /is the input file/],
    [['split', 'data.jsonl', '--reporter', 'xml'], /unknown reporter 'xml'/],
    [['split', 'data.jsonl', '--valid-count', '2'], /--field PATH is required/],
    [
      ['split', 'data.jsonl', '--field', 'l', '--valid-count', '2'],
      /--out TRAIN\.jsonl VALID\.jsonl is required/,
    ],
    [
      [
        'split',
        'data.jsonl',
        '--field',
        'l',
        '--valid-count',
        '2',
        '--seed',
        '',
        '--out',
        't.jsonl',
        'v.jsonl',
      ],
      /--seed must be/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(dir, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
    assert.match(r.err, new RegExp(`^rft-studio ${args[0]}: [^\\n]+\\n\\nUsage: rft-studio ${args[0]} `));
    assert.equal(r.out, '');
  }
  for (const f of ['o.jsonl', 't.jsonl', 'v.jsonl']) assert.equal(existsSync(path.join(dir, f)), false, f);
});

/** Runs a prep command on data.jsonl with `--field l --reporter json`; returns its report and the raw output. */
async function jsonRun(dir: string, command: string, ...args: string[]) {
  const r = await cli(dir, command, 'data.jsonl', '--field', 'l', ...args, '--reporter', 'json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(Object.keys(JSON.parse(r.out)), [command]);
  return { report: JSON.parse(r.out)[command], out: r.out };
}

test('prep --reporter json: the report under the command name, paths relative to the working directory', async () => {
  const dir = setup();
  const map = await jsonRun(dir, 'map', '--mapping', 'map.csv', '--out', 'm.jsonl');
  assert.deepEqual(
    [map.report.file, map.report.out, map.report.mapping],
    ['data.jsonl', 'm.jsonl', 'map.csv'],
  );
  assert.ok(map.out.startsWith('{\n  "map": {\n    "file"') && map.out.endsWith('}\n'), map.out);
  const sample = (await jsonRun(dir, 'sample', '--n', '2', '--out', path.join(dir, 's.jsonl'))).report;
  assert.deepEqual([sample.file, sample.out, sample.seed], ['data.jsonl', 's.jsonl', '42']);
  const split = (
    await jsonRun(dir, 'split', '--valid-count', '2', '--seed', '7', '--out', 't.jsonl', 'v.jsonl')
  ).report;
  assert.deepEqual(
    [split.file, split.trainOut, split.validOut, split.seed],
    ['data.jsonl', 't.jsonl', 'v.jsonl', '7'],
  );

  const text = await cli(dir, 'sample', 'data.jsonl', '--field', 'l', '--n', '2', '--out', 's2.jsonl');
  assert.equal(text.code, 0, text.err);
  assert.throws(() => JSON.parse(text.out));
  assert.match(text.out, /s2\.jsonl/);
});
