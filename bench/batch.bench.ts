// `npm run bench -- batch [--quick]`: a 50,000-request batch against the emulator (in a child process, so this
// process's memory and CPU are our code's alone), end to end. (1) The batch sampler alone, one batch of 50,000
// requests: peak RSS above idle next to the sizes of the input and output files it streamed, the wall time spent in
// our code (spooling + upload, then download + mapping) next to the provider's processing time, CPU time, and the
// mapping (every request back exactly once). (2) runEval in batch mode on 25,000 items × 2 candidates: 50,000 rows
// graded locally, each (candidate, item, sample) exactly once. --quick: a tenth of the size.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { BatchRecord } from '../src/core/evals/batch/batchSampler';
import { BatchSampler } from '../src/core/evals/batch/batchSampler';
import { BatchInputWriter, PROVIDER_BATCH_LIMITS } from '../src/core/evals/batch/batchInput';
import { batchSamplerFor } from '../src/core/evals/batch/batchMode';
import { requestKey } from '../src/core/evals/requests';
import { runEval } from '../src/core/evals/runner';
import { loadEvalSpec } from '../src/core/evals/spec';
import type { EvalRequest, EvalResultRow } from '../src/core/evals/types';
import { fmt, measure, table } from './util';

const KEY = 'sk-bench-batch';
/** The sampler's V8 old-space cap in part (1): below the 108 MB of input and output files of 50,000 requests. */
const HEAP_CAP_MB = 64;
const MB = 1024 * 1024;

const CHILD = `
const { startEmulator } = require(${JSON.stringify(join(__dirname, '../src/emulator/server.ts'))});
(async () => {
  const em = await startEmulator({ keys: [${JSON.stringify(KEY)}], speed: 1000 });
  process.stdout.write(JSON.stringify({ url: em.url }) + '\\n');
  require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'quit') em.close().then(() => process.exit(0));
  });
})();
`;

const COUNTDOWN = readFileSync(join(__dirname, '../demo/datasets/rft/countdown_valid.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { messages: Array<{ role: string; content: string }>; target?: unknown });

/** The demo's Countdown items, each copy with its own prompt (so each is a request of its own). */
function item(i: number) {
  const base = COUNTDOWN[i % COUNTDOWN.length]!;
  const messages = base.messages.map((m, j) =>
    j === base.messages.length - 1 ? { ...m, content: `${m.content}\n(copy ${i})` } : m,
  );
  return { ...base, messages, id: `i${i}` };
}

function* requests(n: number, baseUrl: string): Generator<EvalRequest> {
  for (let i = 0; i < n; i++) {
    const body = { model: 'o4-mini-2025-04-16', messages: item(i).messages, seed: 7 };
    yield {
      key: requestKey('/v1/chat/completions', baseUrl, body, 0),
      candidate: 'base',
      item: i,
      sample: 0,
      endpoint: '/v1/chat/completions',
      body,
    };
  }
}

/** Run in a child with a capped heap (see HEAP_CAP_MB): prints its figures as one JSON line. */
export async function samplerAlone(url: string, n: number) {
  const client = new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 2 });
  const marks: { created?: number; ended?: number } = {};
  const records: BatchRecord[] = [];
  const sampler = new BatchSampler({
    clientFor: () => client,
    poll: { initialMs: 100, maxMs: 500 },
    onBatch: (r) => {
      records.push(r);
      if (r.status === 'validating') marks.created ??= performance.now();
      if (['completed', 'failed', 'expired', 'cancelled'].includes(r.status))
        marks.ended ??= performance.now();
    },
  });
  global.gc?.();
  const idleMb = process.memoryUsage.rss() / MB;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const seen = new Set<string>();
  let answered = 0;
  let failed = 0;
  let duplicates = 0;
  const m = await measure(async () => {
    for await (const s of sampler.sample(requests(n, url))) {
      const id = `${s.request.item}`;
      if (seen.has(id)) duplicates++;
      seen.add(id);
      if ('response' in s) answered++;
      else failed++;
    }
  });
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const batch = await client.batches.retrieve(records[0]!.id);
  const [input, output] = await Promise.all([
    client.files.retrieve(batch.input_file_id),
    client.files.retrieve(batch.output_file_id!),
  ]);
  const ours = marks.created! - t0 + (end - marks.ended!);
  return {
    n,
    batches: sampler.stats.batches,
    exact: seen.size === n && duplicates === 0 && answered + failed === n,
    answered,
    failed,
    stats: sampler.stats,
    idleMb,
    peakMb: m.peakRssMb,
    inputMb: input.bytes / MB,
    outputMb: output.bytes / MB,
    totalS: (end - t0) / 1000,
    spoolUploadS: (marks.created! - t0) / 1000,
    providerS: (marks.ended! - marks.created!) / 1000,
    downloadMapS: (end - marks.ended!) / 1000,
    oursS: ours / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

/** Our share of "spool + upload" without the upload: building the requests (the runner's work) and spooling them. */
async function spoolOnly(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rft-bench-spool-'));
  try {
    const t0 = performance.now();
    const all = [...requests(n, 'http://bench/v1')];
    const t1 = performance.now();
    const writer = new BatchInputWriter(
      dir,
      () => PROVIDER_BATCH_LIMITS.openai,
      (r) => r.endpoint,
    );
    for (const r of all) await writer.add(r);
    await writer.drain();
    await writer.dispose();
    return { buildS: (t1 - t0) / 1000, spoolS: (performance.now() - t1) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runEnd2End(url: string, items: number) {
  const root = mkdtempSync(join(tmpdir(), 'rft-bench-batch-'));
  try {
    const lines: string[] = [];
    for (let i = 0; i < items; i++) lines.push(JSON.stringify(item(i)));
    writeFileSync(join(root, 'items.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(root, 'bench.rfteval.json'),
      JSON.stringify({
        name: 'bench-batch',
        dataset: 'items.jsonl',
        graders: [
          {
            type: 'string_check',
            name: 'solved',
            input: '{{sample.output_json.result}}',
            reference: '{{item.target}}',
            operation: 'eq',
          },
        ],
        response_format: join(__dirname, '../demo/graders/countdown.response_format.json'),
        samples_per_item: 1,
        mode: 'batch',
        candidates: [
          { label: 'base', model: 'o4-mini-2025-04-16', seed: 7 },
          { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123', seed: 7 },
        ],
      }),
    );
    const spec = await loadEvalSpec(join(root, 'bench.rfteval.json'));
    const client = new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 2 });
    const m = await measure(() =>
      runEval(
        spec,
        { clientFor: () => ({ client, kind: 'emulator' }) },
        { root, sampler: batchSamplerFor({ poll: { initialMs: 100, maxMs: 500 } }) },
      ),
    );
    const rows = readFileSync(join(m.result.dir, 'results.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EvalResultRow);
    const ids = new Set(rows.map((r) => `${r.candidate}/${r.item}/${r.sample}`));
    return {
      requests: items * 2,
      rows: rows.length,
      exact: ids.size === items * 2 && rows.length === items * 2,
      errors: rows.filter((r) => r.error).length,
      status: m.result.manifest.status,
      s: m.ms / 1000,
      peakMb: m.peakRssMb,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export default async function bench(flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  const n = quick ? 5_000 : 50_000;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  const { url } = JSON.parse(String(first.value)) as { url: string };
  try {
    // Part (1) runs in a child whose V8 heap is capped below the size of the files it streams: holding either
    // file whole would end it with an out-of-memory error.
    const part1 = spawn(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${HEAP_CAP_MB}`,
        '--import',
        'tsx',
        '-e',
        `require(${JSON.stringify(__filename)}).samplerAlone(${JSON.stringify(url)}, ${n}).then((r) => process.stdout.write(JSON.stringify(r) + '\\n'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    part1.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => part1.once('exit', r));
    if (code !== 0) throw new Error(`part (1) ended with exit code ${code} under a ${HEAP_CAP_MB} MB heap`);
    const a = JSON.parse(out.trim().split('\n').pop()!) as Awaited<ReturnType<typeof samplerAlone>>;
    console.log(
      `\n(1) the batch sampler alone: one batch of ${n.toLocaleString('en-US')} requests, heap capped at ${HEAP_CAP_MB} MB`,
    );
    table([
      {
        requests: a.n,
        'back exactly once': a.exact ? 'yes' : 'NO',
        answered: a.answered,
        failed: a.failed,
        'unknown/dup/missing lines': `${a.stats.unknownLines}/${a.stats.duplicateLines}/${a.stats.missing}`,
      },
    ]);
    table([
      {
        'input MB': fmt(a.inputMb),
        'output MB': fmt(a.outputMb),
        'idle RSS MB': fmt(a.idleMb),
        'peak RSS MB': fmt(a.peakMb),
        'peak - idle MB': fmt(a.peakMb - a.idleMb),
        '(peak - idle) / files': fmt((a.peakMb - a.idleMb) / (a.inputMb + a.outputMb), 2),
      },
    ]);
    table([
      {
        'total s': fmt(a.totalS, 2),
        'spool + upload s': fmt(a.spoolUploadS, 2),
        'provider s': fmt(a.providerS, 2),
        'download + map s': fmt(a.downloadMapS, 2),
        'ours s': fmt(a.oursS, 2),
        'ours / provider': fmt(a.oursS / a.providerS, 2),
        'our CPU s': fmt(a.cpuS, 2),
        'ours µs/request': fmt((a.oursS * 1e6) / n, 0),
      },
    ]);
    const sp = await spoolOnly(n);
    console.log('of which, measured alone in this process (no upload):');
    table([
      {
        'build requests + keys s (runner)': fmt(sp.buildS, 2),
        'spool to JSONL s (sampler)': fmt(sp.spoolS, 2),
        'spool µs/request': fmt((sp.spoolS * 1e6) / n, 0),
      },
    ]);
    const e = await runEnd2End(url, n / 2);
    console.log(
      `\n(2) runEval in batch mode: ${(n / 2).toLocaleString('en-US')} items × 2 candidates, graded locally`,
    );
    table([
      {
        requests: e.requests,
        rows: e.rows,
        'each row exactly once': e.exact ? 'yes' : 'NO',
        'error rows': e.errors,
        status: e.status,
        s: fmt(e.s, 1),
        'peak RSS MB': fmt(e.peakMb),
      },
    ]);
    if (!a.exact || !e.exact) process.exitCode = 1;
  } finally {
    child.stdin!.write('quit\n');
    await new Promise((r) => child.once('exit', r));
  }
}
