import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/app';
import type { CliCommand, CliIO } from '../../../src/cli/command';
import { UsageError } from '../../../src/cli/command';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: process.cwd(),
    env: {},
    signal: new AbortController().signal,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

const echo: CliCommand = {
  name: 'echo',
  summary: 'prints its arguments',
  usage: 'Usage: rft-studio echo <words...> [--upper]',
  options: { upper: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, cio) {
    if (positionals.length === 0) throw new UsageError('nothing to echo');
    const s = positionals.join(' ');
    cio.stdout(`${values.upper ? s.toUpperCase() : s}\n`);
    return 0;
  },
};

test('--help lists every command and exits 0', async () => {
  const c = io();
  assert.equal(await runCli(['--help'], c.io, [echo]), 0);
  assert.match(c.out(), /echo\s+prints its arguments/);
});

test('no arguments prints help and exits 2', async () => {
  const c = io();
  assert.equal(await runCli([], c.io, [echo]), 2);
});

test('unknown command and unknown option are usage errors (exit 2)', async () => {
  const a = io();
  assert.equal(await runCli(['nope'], a.io, [echo]), 2);
  assert.match(a.err(), /unknown command 'nope'/);
  const b = io();
  assert.equal(await runCli(['echo', '--loud', 'x'], b.io, [echo]), 2);
  assert.match(b.err(), /Unknown option '--loud'/);
});

test('a command runs with parsed options; UsageError maps to exit 2', async () => {
  const a = io();
  assert.equal(await runCli(['echo', 'hi', 'there', '--upper'], a.io, [echo]), 0);
  assert.equal(a.out(), 'HI THERE\n');
  const b = io();
  assert.equal(await runCli(['echo'], b.io, [echo]), 2);
  assert.match(b.err(), /nothing to echo/);
});

test('I/O errors exit 2 with the message', async () => {
  const failing: CliCommand = {
    ...echo,
    name: 'read',
    async run() {
      const { readFile } = await import('node:fs/promises');
      await readFile('/definitely/not/here.jsonl');
      return 0;
    },
  };
  const c = io();
  assert.equal(await runCli(['read'], c.io, [failing]), 2);
  assert.match(c.err(), /\/definitely\/not\/here\.jsonl does not exist/);
  assert.doesNotMatch(c.err(), /ENOENT|\n\s+at /);
});
