// `npm run bench -- validate [--quick]`: dataset validation throughput and memory on generated RFT files
// (~10 MB, ~100 MB, ~1 GB; --quick skips 1 GB), against a baseline measured in the same run that only
// splits lines and JSON.parses each; plus the editor's re-check after a one-line edit in a 100,000-line
// document. Each file measurement runs in a fresh child process so peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DatasetDocumentModel } from '../src/core/datasets/documentModel';
import { readLineChunks } from '../src/core/datasets/jsonlReader';
import { validateDatasetFile, validateDatasetText } from '../src/core/datasets/validate';
import { fmt, table } from './util';

const DATA = join(__dirname, '.data');
const MB = 2 ** 20;
/** Built by `node esbuild.js --schemas`, which `npm run bench` runs first. */
const WORKER = join(__dirname, '../dist/workers/datasetCheck.js');

const PROMPT =
  'You are an expert in arithmetic problem solving. Given a target number and a list of numbers, combine all of the numbers exactly once using +, -, * or / to reach the target. Think step by step, then give the final expression on the last line as <answer>expression</answer>. Never reuse a number and never skip one.';

/** One realistic RFT line (~700 bytes): developer prompt, user question, reference fields. */
export function rftLine(i: number): string {
  const nums = [(i * 7) % 100, (i * 13) % 97, (i * 31) % 89, (i * 17) % 83];
  return JSON.stringify({
    messages: [
      { role: 'developer', content: PROMPT },
      {
        role: 'user',
        content: `Puzzle #${i}: use ${nums.join(', ')} to make ${(i * 11) % 250}. Show your reasoning briefly.`,
      },
    ],
    target: (i * 11) % 250,
    nums,
    id: `countdown-${i}`,
  });
}

/** Appends blocks of 2,000 RFT lines (numbered on from 0), each rendered by `block`, until `path` has ~`bytes`. */
async function writeLines(path: string, bytes: number, block: (lines: string[]) => string): Promise<void> {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  mkdirSync(DATA, { recursive: true });
  const out = createWriteStream(path);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const chunk: string[] = [];
    for (let k = 0; k < 2000; k++) chunk.push(rftLine(i++));
    const s = block(chunk);
    written += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

function generate(path: string, bytes: number): Promise<void> {
  return writeLines(path, bytes, (lines) => `${lines.join('\n')}\n`);
}

/** ~`bytes` of RFT lines, each followed by ten blank lines (about 1M blank lines in 70 MB). */
function generateBlankHeavy(path: string, bytes: number): Promise<void> {
  return writeLines(path, bytes, (lines) => lines.map((l) => `${l}\n${'\n'.repeat(10)}`).join(''));
}

interface ChildResult {
  ms: number;
  /** CPU time (user + system): steadier than wall time on a busy machine. */
  cpuMs: number;
  maxRssMb: number;
  lines: number;
  diagnostics: number;
}

/** Child mode: `node --import tsx bench/validate.bench.ts --child baseline|validate|workers FILE`. */
async function child(mode: string, file: string): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let lines = 0;
  let diagnostics = 0;
  if (mode === 'baseline') {
    // The same chunked reader the validator uses, then split at LF and JSON.parse each line: nothing else.
    for await (const c of readLineChunks(file)) {
      const b = Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
      let start = 0;
      while (start < b.length) {
        let nl = b.indexOf(0x0a, start);
        if (nl < 0) nl = b.length;
        const end = nl > start && b[nl - 1] === 0x0d ? nl - 1 : nl;
        if (end > start) JSON.parse(b.toString('utf8', start, end));
        lines++;
        start = nl + 1;
      }
    }
  } else {
    // The 1 GB file is over the 512 MB upload limit: the one file-level error that is expected.
    const r = await validateDatasetFile(file, {
      maxPerRule: 100,
      // `workers`: the chunks are checked on worker threads, as the CLI and the editor do for large files.
      parallel: mode === 'workers' ? { script: WORKER } : undefined,
    });
    lines = r.examples;
    diagnostics = r.diagnostics.length;
    // The blank-heavy file: a warning per blank line (capped) and the cap's note are expected too.
    const expected = ['dataset/too-many-examples', 'dataset/file-too-large'];
    if (file.includes('blank')) expected.push('jsonl/blank-line', 'dataset/truncated');
    if (r.diagnostics.some((d) => !expected.includes(d.code)))
      throw new Error(`unexpected diagnostics: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const result: ChildResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    lines,
    diagnostics,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** One table row: throughput of each mode on a file of `size` MB, and its ratio to the baseline. */
function fileRow(
  file: string,
  size: number,
  base: ChildResult,
  seq: ChildResult,
  par: ChildResult,
): Record<string, string> {
  return {
    file,
    'baseline MB/s': fmt(size / (base.ms / 1000)),
    'workers MB/s': fmt(size / (par.ms / 1000)),
    'workers ratio': fmt(base.ms / par.ms, 2),
    'in-thread MB/s': fmt(size / (seq.ms / 1000)),
    'in-thread ratio': fmt(base.ms / seq.ms, 2),
    'in-thread CPU ratio': fmt(base.cpuMs / seq.cpuMs, 2),
    'peak RSS MB (base / in-thread / workers)': `${fmt(base.maxRssMb, 0)} / ${fmt(seq.maxRssMb, 0)} / ${fmt(par.maxRssMb, 0)}`,
  };
}

function runChild(mode: string, file: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', mode, file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (r.status !== 0) throw new Error(`${mode} on ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

function incremental(): void {
  const N = 100_000;
  const lines = Array.from({ length: N }, (_, i) => rftLine(i));
  const text = `${lines.join('\n')}\n`;
  const model = new DatasetDocumentModel({ bomInTextShifts: true });
  let t = performance.now();
  model.setText(text);
  model.report();
  const openMs = performance.now() - t;
  t = performance.now();
  validateDatasetText(text);
  const fullMs = performance.now() - t;
  const edit = (line: number) => {
    const times: number[] = [];
    for (let k = 0; k < 600; k++) {
      const t0 = performance.now();
      // Type one character, then delete it: each is an edit followed by a fresh report.
      if (k % 2 === 0)
        model.applyChange({ startLine: line, startCharacter: 1, endLine: line, endCharacter: 1, text: ' ' });
      else
        model.applyChange({ startLine: line, startCharacter: 1, endLine: line, endCharacter: 2, text: '' });
      const r = model.report();
      times.push(performance.now() - t0);
      if (r.examples !== N) throw new Error('lost an example');
    }
    return times;
  };
  const clean = edit(50_000);
  // A file with drift (one example lacks a field): the field lists are rebuilt from the cached summaries.
  model.applyChange({
    startLine: 10,
    startCharacter: 0,
    endLine: 10,
    endCharacter: lines[10].length,
    text: lines[10].replace(/,"id":"[^"]*"/, ''),
  });
  const drift = edit(50_000);
  const rows = [
    {
      case: 'open 100,000-line document (model + report)',
      ms: fmt(openMs),
      'vs full validateDatasetText': '',
    },
    { case: 'full validateDatasetText (baseline)', ms: fmt(fullMs), 'vs full validateDatasetText': '1.0x' },
    {
      case: 'one-line edit + report, clean file (median)',
      ms: fmt(median(clean), 3),
      'vs full validateDatasetText': `${fmt(fullMs / median(clean), 0)}x faster`,
    },
    {
      case: 'one-line edit + report, clean file (min)',
      ms: fmt(Math.min(...clean), 3),
      'vs full validateDatasetText': '',
    },
    {
      case: 'one-line edit + report, clean file (p95)',
      ms: fmt(p95(clean), 3),
      'vs full validateDatasetText': '',
    },
    {
      case: 'one-line edit + report, field drift (min)',
      ms: fmt(Math.min(...drift), 3),
      'vs full validateDatasetText': '',
    },
    {
      case: 'one-line edit + report, field drift (median)',
      ms: fmt(median(drift), 3),
      'vs full validateDatasetText': `${fmt(fullMs / median(drift), 0)}x faster`,
    },
    {
      case: 'one-line edit + report, field drift (p95)',
      ms: fmt(p95(drift), 3),
      'vs full validateDatasetText': '',
    },
  ];
  console.log('\nEditor re-check, 100,000-line RFT document (target: < 5 ms)');
  table(rows);
  console.log(
    `target ${median(clean) < 5 ? 'MET' : 'MISSED'}: median ${fmt(median(clean), 3)} ms (clean), ${fmt(median(drift), 3)} ms (drift); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPU(s)`,
  );
}

export default async function (flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  const sizes: [string, number][] = [
    ['10 MB', 10 * MB],
    ['100 MB', 100 * MB],
    ...(quick ? [] : ([['1 GB', 1024 * MB]] as [string, number][])),
  ];
  const rows: Record<string, string>[] = [];
  let worstShipped = Infinity;
  let worstInThreadCpu = Infinity;
  let rss1g: number | undefined;
  let blankRss = Infinity;
  for (const [label, bytes] of sizes) {
    const file = join(DATA, `rft-${label.replace(' ', '').toLowerCase()}.jsonl`);
    await generate(file, bytes);
    const size = statSync(file).size / MB;
    // Warm the page cache, then alternate the runs and keep each one's best time (this machine may be
    // shared; the minimum is the least disturbed run).
    runChild('baseline', file);
    const rounds = bytes > 200 * MB ? 1 : 3;
    const best: Record<string, ChildResult | undefined> = {};
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['baseline', 'validate', 'workers']) {
        const x = runChild(mode, file);
        const y = best[mode];
        best[mode] = {
          ...x,
          ms: Math.min(x.ms, y?.ms ?? Infinity),
          cpuMs: Math.min(x.cpuMs, y?.cpuMs ?? Infinity),
          maxRssMb: Math.max(x.maxRssMb, y?.maxRssMb ?? 0),
        };
      }
    }
    const base = best.baseline!;
    const seq = best.validate!;
    const par = best.workers!;
    // What the CLI and the editor run: workers for files of 64 MiB and more, in-thread below.
    worstShipped = Math.min(worstShipped, base.ms / par.ms);
    worstInThreadCpu = Math.min(worstInThreadCpu, base.cpuMs / seq.cpuMs);
    if (label === '1 GB') rss1g = Math.max(seq.maxRssMb, par.maxRssMb);
    const name = `${label} (${fmt(size, 0)} MB, ${seq.lines.toLocaleString('en-US')} lines)`;
    rows.push(fileRow(name, size, base, seq, par));
  }
  {
    // Hostile shape at the worker threshold: ~1M blank lines in 70 MB. Each one is a diagnostic that must be
    // counted but not kept, or cloned from the workers (it took 15 s and 1.7 GB before the per-chunk cap).
    const file = join(DATA, 'rft-blank-heavy-70mb.jsonl');
    await generateBlankHeavy(file, 70 * MB);
    const size = statSync(file).size / MB;
    const base = runChild('baseline', file);
    const seq = runChild('validate', file);
    const par = runChild('workers', file);
    blankRss = par.maxRssMb;
    const name = `blank-heavy (${fmt(size, 0)} MB, ${seq.lines.toLocaleString('en-US')} examples, ~1M blank lines)`;
    rows.push(fileRow(name, size, base, seq, par));
  }
  console.log(
    `Streaming validation (validateDatasetFile) vs a baseline that only splits lines and JSON.parses each (same chunked reader), fresh process each, best of the rounds. "workers": chunks checked on ${Math.min(2, os.availableParallelism() - 1)} worker thread(s), as the CLI and the editor run it; "in-thread": no workers. Ratios are throughput ÷ baseline throughput (wall time; CPU ratio = CPU time). Load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPU(s).`,
  );
  table(rows);
  console.log(
    `throughput target ${worstShipped >= 0.7 ? 'MET' : 'MISSED'}: worst ratio ${fmt(worstShipped, 2)} as shipped (workers; target ≥ 0.70). In one thread the validator does ${fmt(worstInThreadCpu, 2)}× the baseline's work rate (CPU time): besides parsing it runs the schema, the rules, the duplicate hash and the field statistics.`,
  );
  console.log(
    `blank-heavy peak RSS target ${blankRss < 300 ? 'MET' : 'MISSED'}: ${fmt(blankRss, 0)} MB on workers (target < 300 MB; it was 1.7 GB)`,
  );
  if (rss1g !== undefined)
    console.log(
      `1 GB peak RSS target ${rss1g < 300 ? 'MET' : 'MISSED'}: ${fmt(rss1g, 0)} MB (target < 300 MB)`,
    );
  incremental();
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
