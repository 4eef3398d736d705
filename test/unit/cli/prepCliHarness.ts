// Runs `rft-studio` in-process with captured output, in a temp working directory.
import { runCli } from '../../../src/cli/app';
import { tempDir } from '../../lib/tempFiles';

export function workDir(): string {
  return tempDir('rft-cli-');
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
