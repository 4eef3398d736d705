// Agent tool latency (what an MCP client or the VS Code chat agent waits for): each read tool on the demo files and
// on a generated 10 MB dataset, against the baseline of the same CLI command in-process without the tool layer.
// The target: read tools answer in under 1 s on files up to 10 MB. Medians flatter what a process caches between
// runs, so the 10 MB statistics are also timed as the first call in a fresh process without a warm worker, and on
// the real MCP server (dist/cli.js mcp over stdio, the SDK's client): its first call, which a new server answers
// with its token worker warmed but nothing else, and the calls after it; three server starts, medians.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runCli } from '../src/cli/app';
import { cliArgsFor, runTool } from '../src/cli/tools/runTool';
import { fmt, table } from './util';

const demo = path.join(__dirname, '../demo');

/**
 * A 10 MB RFT dataset. `copies`: the demo's Countdown examples repeated (each of its 25 texts about 330 times — a
 * worst case for near-duplicate statistics); otherwise distinct examples of seeded random words, like a real dataset.
 */
function tenMegabytes(dir: string, copies: boolean): string {
  const file = path.join(dir, copies ? 'ten_mb_copies.jsonl' : 'ten_mb.jsonl');
  const src = fs
    .readFileSync(path.join(demo, 'datasets/rft/countdown_train.jsonl'), 'utf8')
    .trim()
    .split('\n');
  // A 5,000-word vocabulary: texts share words, as real ones do, without being near duplicates of each other.
  const words = Array.from({ length: 5000 }, (_, k) => `w${k.toString(36)}`);
  let seed = 42;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 10 * 2 ** 20; i++) {
    let line: string;
    if (copies) {
      const o = JSON.parse(src[i % src.length]!) as Record<string, unknown>;
      o.copy = i;
      line = JSON.stringify(o);
    } else {
      const text = Array.from({ length: 40 }, () => words[Math.floor(rand() * words.length)]).join(' ');
      line = JSON.stringify({
        messages: [{ role: 'user', content: `${i}: ${text}` }],
        reference_answer: String(i % 7),
      });
    }
    lines.push(line);
    size += line.length + 1;
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function median(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The first call of `tool` in this (fresh) process in milliseconds: nothing warmed, nothing cached. */
async function firstCall(scratch: string, tool: string, input: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  await runTool(tool, input, { roots: [scratch], allowPython: false, log: () => {} });
  return performance.now() - t0;
}

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

/**
 * The real MCP server on `scratch`: `starts` servers, each asked `tool` once 1.5 s after it started (what a client
 * gets between starting a server and its agent's first call) and then three times more. Medians over the starts of
 * the first call and of the next three's median.
 */
async function serverCalls(
  scratch: string,
  tool: string,
  input: Record<string, unknown>,
  starts: number,
): Promise<[number, number]> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run node esbuild.js`);
  const firsts: number[] = [];
  const nexts: number[] = [];
  for (let s = 0; s < starts; s++) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--root', scratch],
      stderr: 'ignore',
    });
    const client = new Client({ name: 'rft-studio-bench', version: '1' });
    await client.connect(transport);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const call = async () => {
        const t0 = performance.now();
        const r = await client.callTool({ name: tool, arguments: input });
        if (r.isError) throw new Error(`${tool} failed on the MCP server: ${JSON.stringify(r.content)}`);
        return performance.now() - t0;
      };
      firsts.push(await call());
      nexts.push(await median(call, 3));
    } finally {
      await client.close();
    }
  }
  const mid = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return [mid(firsts), mid(nexts)];
}

function firstCallInChild(scratch: string, tool: string, input: Record<string, unknown>): number {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', __filename, '--first-call', scratch, tool, JSON.stringify(input)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`first call of ${tool} failed: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').pop());
}

export default async function bench(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-tools-bench-'));
  try {
    fs.cpSync(demo, scratch, { recursive: true });
    const big = path.relative(scratch, tenMegabytes(scratch, false));
    const copies = path.relative(scratch, tenMegabytes(scratch, true));
    const ctx = { roots: [scratch], allowPython: false, log: () => {} };
    const cases: [string, string, Record<string, unknown>, number, boolean?][] = [
      [
        'validate demo (broken_example)',
        'rft_validate_dataset',
        { path: 'datasets/rft/broken_example.jsonl' },
        9,
      ],
      [
        'validate demo (countdown_train)',
        'rft_validate_dataset',
        { path: 'datasets/rft/countdown_train.jsonl' },
        9,
      ],
      [
        'stats demo (countdown_train)',
        'rft_dataset_stats',
        { path: 'datasets/rft/countdown_train.jsonl' },
        5,
      ],
      [
        'lint demo (countdown + 2 datasets)',
        'rft_lint_grader',
        {
          grader: 'graders/countdown.grader.json',
          data: ['datasets/rft/countdown_train.jsonl', 'datasets/rft/countdown_valid.jsonl'],
          response_format: 'graders/countdown.response_format.json',
        },
        9,
      ],
      [
        'grade demo (toy, inline outputs)',
        'rft_grade',
        {
          grader: 'graders/toy_sentiment.grader.json',
          data: 'datasets/rft/toy_val.jsonl',
          outputs: ['a', 'b'],
        },
        9,
      ],
      [`validate 10 MB (${big})`, 'rft_validate_dataset', { path: big }, 3],
      [`stats 10 MB`, 'rft_dataset_stats', { path: big }, 3, true],
      [`lint against 10 MB`, 'rft_lint_grader', { grader: 'graders/countdown.grader.json', data: [big] }, 3],
      [`stats 10 MB, each example ~330 times`, 'rft_dataset_stats', { path: copies }, 1],
    ];
    const rows: Record<string, string>[] = [];
    for (const [label, tool, input, runs, first] of cases) {
      // Before the medians, in other processes: nothing of theirs is cached yet.
      const cold = first ? firstCallInChild(scratch, tool, input) : NaN;
      const [warmed, warmedMedian] = first ? await serverCalls(scratch, tool, input, 3) : [NaN, NaN];
      const toolMs = await median(() => runTool(tool, input, ctx), runs);
      const argv = input.outputs ? undefined : cliArgsFor(tool, input, ctx);
      const cliMs = argv
        ? await median(
            () =>
              runCli(argv, {
                stdout: () => {},
                stderr: () => {},
                cwd: scratch,
                env: {},
                signal: new AbortController().signal,
              }),
            runs,
          )
        : NaN;
      rows.push({
        case: label,
        'tool ms (median)': fmt(toolMs),
        'CLI in-process ms': Number.isNaN(cliMs) ? '-' : fmt(cliMs),
        'tool / CLI': Number.isNaN(cliMs) ? '-' : fmt(toolMs / cliMs, 2),
        'first call ms, fresh process, no warm worker': Number.isNaN(cold) ? '-' : fmt(cold),
        'MCP server: first call / next 3 ms (medians of 3 starts)': Number.isNaN(warmed!)
          ? '-'
          : `${fmt(warmed!)} / ${fmt(warmedMedian!)}`,
        'under 1 s (median / MCP first call)': `${toolMs < 1000 ? 'yes' : 'NO'} / ${
          Number.isNaN(warmed!) ? '-' : warmed! < 1000 ? 'yes' : 'NO'
        }`,
      });
    }
    table(rows);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--first-call') {
  const [scratch, tool, input] = process.argv.slice(3);
  firstCall(scratch!, tool!, JSON.parse(input!) as Record<string, unknown>).then(
    (ms) => process.stdout.write(`${ms}\n`),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
