// map, sample and split never overwrite an existing file unless --force is given, and never rewrite bytes:
// a file that is not UTF-8 is refused with nothing written.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cli, workDir } from './prepCliHarness';

const line = (i: number, label: string) =>
  JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], label });
const data = Array.from({ length: 12 }, (_, i) => line(i, i % 3 ? 'a' : 'b')).join('\n') + '\n';

const commands = (dir: string) => {
  const f = (n: string) => path.join(dir, n);
  writeFileSync(f('map.json'), JSON.stringify({ a: 'alpha', b: 'beta' }));
  return [
    {
      name: 'map',
      outs: [f('mapped.jsonl')],
      args: ['map', 'data.jsonl', '--field', 'label', '--mapping', 'map.json', '--out', 'mapped.jsonl'],
    },
    {
      name: 'sample',
      outs: [f('s.jsonl')],
      args: ['sample', 'data.jsonl', '--field', 'label', '--n', '4', '--out', 's.jsonl'],
    },
    {
      name: 'split',
      outs: [f('t.jsonl'), f('v.jsonl')],
      args: ['split', 'data.jsonl', '--field', 'label', '--valid-count', '4', '--out', 't.jsonl', 'v.jsonl'],
    },
  ];
};

test('an existing output is refused (exit 2, the file and --force named) and kept; --force overwrites it', async () => {
  const dir = workDir();
  writeFileSync(path.join(dir, 'data.jsonl'), data);
  for (const c of commands(dir)) {
    for (const o of c.outs) writeFileSync(o, 'precious\n');
    const refused = await cli(dir, ...c.args);
    assert.equal(refused.code, 2, `${c.name}: ${refused.err}`);
    assert.match(
      refused.err,
      new RegExp(`${path.basename(c.outs[0]!)} already exists: give --force to overwrite it`),
    );
    for (const o of c.outs) assert.equal(readFileSync(o, 'utf8'), 'precious\n', `${c.name} touched ${o}`);
    const forced = await cli(dir, ...c.args, '--force');
    assert.ok(forced.code === 0 || forced.code === 1, `${c.name}: ${forced.err}`);
    for (const o of c.outs) assert.notEqual(readFileSync(o, 'utf8'), 'precious\n');
    const help = await cli(dir, c.name, '--help');
    assert.match(help.out, /--force\s+overwrite output files that already exist/);
  }
});

test('input bytes that are not UTF-8 are refused by map, sample and split, with the line, and nothing is written', async () => {
  const dir = workDir();
  const bytes = Buffer.concat([
    Buffer.from(data),
    Buffer.from('{"messages":[{"role":"user","content":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}],"label":"a"}\n'),
  ]);
  writeFileSync(path.join(dir, 'data.jsonl'), bytes);
  for (const c of commands(dir)) {
    const r = await cli(dir, ...c.args);
    assert.equal(r.code, 1, `${c.name}: ${r.err}`);
    assert.match(r.err, /line 13.*not valid UTF-8/s, c.name);
    for (const o of c.outs) assert.equal(existsSync(o), false, `${c.name} wrote ${o}`);
  }
});
