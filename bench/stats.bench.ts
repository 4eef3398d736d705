// `npm run bench -- stats [--quick]`: dataset statistics (computeDatasetStats: tokens, fields, duplicates,
// near duplicates) on a normal ~10 MB RFT file, beside hostile single lines with no whitespace (5 MB, and
// 50 MB unless --quick): a tokenizer that goes quadratic on one long token shows up as a collapse of the
// long-line MB/s against the normal file's. Each case runs in a fresh child process for its own peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeDatasetStats } from '../src/core/stats/datasetStats';
import { fmt, table } from './util';

const DATA = join(__dirname, '.data');
const MB = 2 ** 20;

function normalLine(i: number): string {
  return JSON.stringify({
    messages: [
      {
        role: 'developer',
        content: 'Solve the arithmetic puzzle. Think step by step, then answer on the last line.',
      },
      {
        role: 'user',
        content: `Puzzle #${i}: use ${i % 97}, ${i % 89} and ${i % 83} to make ${(i * 11) % 250}.`,
      },
    ],
    target: (i * 11) % 250,
    label: `L${i % 17}`,
  });
}

function generate(name: string, bytes: number, kind: 'normal' | 'long-token'): string {
  const file = join(DATA, name);
  if (existsSync(file) && statSync(file).size >= bytes) return file;
  mkdirSync(DATA, { recursive: true });
  if (kind === 'long-token') {
    // One example whose content is a single run of letters: one pre-split piece for the tokenizer.
    writeFileSync(
      file,
      `${JSON.stringify({ messages: [{ role: 'user', content: 'abcdefghij'.repeat(bytes / 10) }] })}\n`,
    );
  } else {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const l = normalLine(i);
      lines.push(l);
      size += l.length + 1;
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
  return file;
}

async function child(file: string): Promise<void> {
  const t0 = performance.now();
  const s = await computeDatasetStats(file);
  const ms = performance.now() - t0;
  process.stdout.write(
    `${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, examples: s.examples })}\n`,
  );
}

function runChild(file: string): { ms: number; maxRssMb: number; examples: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--stats-child', file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (r.status !== 0) throw new Error(`stats on ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; maxRssMb: number; examples: number };
}

export default async function (flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  const cases: [string, string][] = [
    ['normal RFT file (~10 MB)', generate('stats-normal-10mb.jsonl', 10 * MB, 'normal')],
    ['one 5 MB line, no whitespace', generate('stats-long-token-5mb.jsonl', 5 * MB, 'long-token')],
    ...(quick
      ? []
      : ([
          ['one 50 MB line, no whitespace', generate('stats-long-token-50mb.jsonl', 50 * MB, 'long-token')],
        ] as [string, string][])),
  ];
  const rows: Record<string, string>[] = [];
  let normalRate = 0;
  let worstRatio = Infinity;
  for (const [label, file] of cases) {
    const size = statSync(file).size / MB;
    const r = runChild(file);
    const rate = size / (r.ms / 1000);
    if (!normalRate) normalRate = rate;
    else worstRatio = Math.min(worstRatio, rate / normalRate);
    rows.push({
      case: label,
      examples: r.examples.toLocaleString('en-US'),
      s: fmt(r.ms / 1000, 2),
      'MB/s': fmt(rate, 2),
      'vs normal': fmt(rate / normalRate, 2),
      'peak RSS MB': fmt(r.maxRssMb, 0),
    });
  }
  console.log(
    `computeDatasetStats, fresh process each. Load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPU(s).`,
  );
  table(rows);
  console.log(
    `long-token target ${worstRatio >= 0.1 ? 'MET' : 'MISSED'}: the long lines run at ${fmt(worstRatio, 2)}× the normal file's MB/s (target ≥ 0.10: linear, not quadratic; before the fix a 5 MB line took over 100 s)`,
  );
}

if (process.argv[2] === '--stats-child') {
  child(process.argv[3]!).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
