// Child-process runner of the hostile-input suite (bundled beside the CLI): runs a batch of `rft-studio`
// argument lists in-process through runCli, one after the other, each with a time limit, and writes every
// exit code, output and duration to a JSON file. Progress goes to stderr, so a batch killed at its limit
// still names the case that hung.
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/app';

interface Case {
  args: string[];
}

async function main() {
  const [casesFile, resultsFile, cwd, limitMs] = process.argv.slice(2);
  const cases = JSON.parse(readFileSync(casesFile!, 'utf8')) as Case[];
  const results: { code: number | 'timeout'; out: string; err: string; ms: number }[] = [];
  for (const [i, c] of cases.entries()) {
    process.stderr.write(`case ${i}: ${c.args.join(' ')}\n`);
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      runCli(c.args, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        cwd: cwd!,
        env: { OPENAI_API_KEY: 'sk-hostile-test' },
        signal: controller.signal,
      }),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Number(limitMs)))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') controller.abort();
    results.push({
      code,
      out: out.join('').slice(0, 4000),
      err: err.join('').slice(0, 4000),
      ms: Date.now() - t0,
    });
    writeFileSync(resultsFile!, JSON.stringify(results));
  }
  process.exit(0);
}

void main();
