// What the python grader suites share: polling for a condition with a deadline, walking the processes in /proc,
// a local listener that grader code must not reach, and running the CLI in-process with its output captured.
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { runCli } from '../../../../src/cli/app';

/** True once `pred` holds, false if it still does not after `ms`. */
export async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

/** Calls `visit` with each process id in /proc (Linux); a process that ends while it is read is passed over. */
export function eachProcess(visit: (pid: number) => void): void {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      visit(Number(d));
    } catch {
      /* gone */
    }
  }
}

/** A TCP listener on 127.0.0.1 that counts the connections it gets (and drops them). */
export async function countingListener(): Promise<{
  port: number;
  connections: () => number;
  close: () => void;
}> {
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => server.close(),
  };
}

/** Runs the CLI with `args` in `cwd` and `env`, returning the exit code and everything it wrote. */
export async function runCliCaptured(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    env,
    signal: new AbortController().signal,
  });
  return { code, out: out.join(''), err: err.join('') };
}
