// Runs `rft-studio` in-process with captured output, in a temp working directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { runCli } from '../../../src/cli/app';

export function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rft-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function cli(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, out: out.join(''), err: err.join('') };
}
