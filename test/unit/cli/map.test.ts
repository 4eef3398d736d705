import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, workDir } from './prepCliHarness';

function setup() {
  const dir = workDir();
  writeFileSync(
    path.join(dir, 'coded.jsonl'),
    [
      '{"id":1,"reference_answer":["10","56"]}',
      '{"id":2,"reference_answer":["99"]}',
      '{"id":3}',
      '{"id":4,"reference_answer":["20","98","99"]}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'map.csv'),
    'code,name\r\n10,EUROPEAN UNION\r\n56,"agriculture, forestry and fisheries"\r\n20,trade\r\n',
  );
  writeFileSync(
    path.join(dir, 'map.json'),
    JSON.stringify({
      10: 'EUROPEAN UNION',
      56: 'agriculture, forestry and fisheries',
      20: 'trade',
      99: 'x',
      98: 'y',
    }),
  );
  return dir;
}

test('map with a CSV mapping (quoted commas): unknown codes listed with lines, exit 1, output still written', async () => {
  const dir = setup();
  const r = await cli(
    dir,
    'map',
    'coded.jsonl',
    '--field',
    'reference_answer',
    '--mapping',
    'map.csv',
    '--out',
    'named.jsonl',
  );
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /Unknown codes \(not in the mapping, left unchanged\): 2/);
  assert.match(r.out, /"99" ×2 on line\(s\) 2, 4/);
  assert.match(r.out, /"98" ×1 on line\(s\) 4/);
  assert.match(r.out, /line 3: no field 'reference_answer'/);
  assert.equal(
    readFileSync(path.join(dir, 'named.jsonl'), 'utf8'),
    [
      '{"id":1,"reference_answer":["EUROPEAN UNION","agriculture, forestry and fisheries"]}',
      '{"id":2,"reference_answer":["99"]}',
      '{"id":3}',
      '{"id":4,"reference_answer":["trade","98","99"]}',
      '',
    ].join('\n'),
  );
});

test('map with a complete JSON mapping exits 0; --reporter json gives the report', async () => {
  const dir = setup();
  writeFileSync(path.join(dir, 'coded.jsonl'), '{"l":["10","99"]}\n{"l":"56"}\n');
  const r = await cli(
    dir,
    'map',
    'coded.jsonl',
    '--field',
    'l',
    '--mapping',
    'map.json',
    '--out',
    'named.jsonl',
    '--reporter',
    'json',
  );
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out).map;
  assert.equal(report.changedLines, 2);
  assert.deepEqual(report.unknown, []);
  assert.equal(report.file, 'coded.jsonl');
  assert.deepEqual(
    report.codes.map((c: { code: string }) => c.code),
    ['10', '56', '99'],
  );
});

test('map refuses to overwrite its input, and reports usage and mapping errors with exit 2', async () => {
  const dir = setup();
  const before = readFileSync(path.join(dir, 'coded.jsonl'), 'utf8');
  let r = await cli(
    dir,
    'map',
    'coded.jsonl',
    '--field',
    'reference_answer',
    '--mapping',
    'map.csv',
    '--out',
    './coded.jsonl',
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /is the input file/);
  assert.equal(readFileSync(path.join(dir, 'coded.jsonl'), 'utf8'), before);
  r = await cli(dir, 'map', 'coded.jsonl', '--field', 'a..b', '--mapping', 'map.csv', '--out', 'o.jsonl');
  assert.equal(r.code, 2);
  assert.match(r.err, /invalid field path 'a\.\.b'/);
  writeFileSync(path.join(dir, 'bad.csv'), '1,agriculture, forestry\n');
  r = await cli(dir, 'map', 'coded.jsonl', '--field', 'l', '--mapping', 'bad.csv', '--out', 'o.jsonl');
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.csv: line 1: expected 2 fields/);
  r = await cli(dir, 'map', 'missing.jsonl', '--field', 'l', '--mapping', 'map.csv', '--out', 'o.jsonl');
  assert.equal(r.code, 2);
  assert.match(r.err, /does not exist/);
  assert.equal(existsSync(path.join(dir, 'o.jsonl')), false);
  r = await cli(dir, 'map', 'coded.jsonl', '--field', 'l', '--mapping', 'map.csv');
  assert.equal(r.code, 2);
  assert.match(r.err, /--out FILE is required/);
});
