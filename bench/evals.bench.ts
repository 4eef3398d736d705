// `npm run bench -- evals [--quick]`: the eval runner against the emulator (in a child process, with per-model
// rate limits and 50 ms latency). Figures: the sustained request rate against the configured limit over 2,000
// requests with the buckets drained first (steady state, not the initial burst), items lost, 429s waited out;
// a 10,000-sample run killed at a random point and resumed (finished requests repeated must be 0); samples/s
// graded from the cache (the local path alone) against samples/s received online; peak RSS and heap meanwhile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { loadEvalSpec } from '../src/core/evals/spec';
import { runEval, type EvalRunDeps } from '../src/core/evals/runner';
import { fmt, table } from './util';

const RPM = 2400;
const LATENCY_MS = 50;

// The emulator on its own core: answers "count" with the model requests it answered 200 and 429, "quit" to stop.
const CHILD = `
const { startEmulator } = require(${JSON.stringify(join(__dirname, '../src/emulator/server.ts'))});
(async () => {
  const em = await startEmulator({ speed: 1000, rateLimits: JSON.parse(process.argv[1]) });
  if (process.argv[2] !== '0') em.addFault({ kind: 'slow', path: '/chat/completions', count: 0, delayMs: Number(process.argv[2]) });
  // The emulator's request log keeps the last 10,000 records: every record is kept here too, for exact counts.
  const all = [];
  const log = em.requests();
  const push = log.push;
  log.push = function (...r) { all.push(...r); return push.apply(this, r); };
  process.stdout.write(JSON.stringify({ url: em.url }) + '\\n');
  require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'count') {
      const r = all.filter((x) => x.path.endsWith('/chat/completions'));
      process.stdout.write(JSON.stringify({ ok: r.filter((x) => x.status === 200).length, limited: r.filter((x) => x.status === 429).length }) + '\\n');
    } else if (l === 'quit') em.close().then(() => process.exit(0));
  });
})();
`;

interface EmulatorChild {
  url: string;
  count(): Promise<{ ok: number; limited: number }>;
  quit(): void;
}

async function emulator(rateLimits: object, latencyMs: number): Promise<EmulatorChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', CHILD, JSON.stringify(rateLimits), String(latencyMs)],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(__dirname, '..') },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
  const { url } = (await next()) as { url: string };
  return {
    url,
    count: async () => {
      child.stdin!.write('count\n');
      return (await next()) as { ok: number; limited: number };
    },
    quit: () => child.stdin!.write('quit\n'),
  };
}

/** A workspace with `items` short prompts and a spec over two models (two rate-limit buckets). */
function workspace(
  items: number,
  samples: number,
  maxConcurrency: number,
): { root: string; specPath: string } {
  const root = mkdtempSync(join(tmpdir(), 'rft-evals-bench-'));
  mkdirSync(join(root, 'evals'));
  const lines = Array.from({ length: items }, (_, i) =>
    JSON.stringify({
      id: `q${i}`,
      messages: [{ role: 'user', content: `Describe item ${i} in one sentence.` }],
    }),
  );
  writeFileSync(join(root, 'items.jsonl'), `${lines.join('\n')}\n`);
  const specPath = join(root, 'evals/bench.rfteval.json');
  writeFileSync(
    specPath,
    JSON.stringify({
      name: 'bench',
      dataset: '../items.jsonl',
      graders: [
        {
          type: 'string_check',
          name: 'answered',
          input: '{{sample.output_text}}',
          reference: '',
          operation: 'ne',
        },
      ],
      samples_per_item: samples,
      candidates: [
        { label: 'base', model: 'gpt-4.1-mini', seed: 1 },
        { label: 'tuned', model: 'ft:gpt-4.1-mini:bench::x', seed: 1 },
      ],
      limits: { max_concurrency: maxConcurrency },
    }),
  );
  return { root, specPath };
}

function deps(url: string): EvalRunDeps {
  const client = new OpenAI({ baseURL: url, apiKey: 'k', maxRetries: 0 });
  return { clientFor: () => ({ client, kind: 'emulator' }) };
}

function rowsOf(dir: string): Array<{ error?: unknown }> {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { error?: unknown });
}

/** Sends requests to a model until its request bucket answers 429, so the run measures the refill rate. */
async function drain(url: string, model: string): Promise<void> {
  const client = new OpenAI({ baseURL: url, apiKey: 'k', maxRetries: 0 });
  for (;;) {
    const batch = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
      ),
    );
    if (batch.some((b) => b.status === 'rejected')) return;
  }
}

async function sustainedRate(quick: boolean): Promise<number> {
  const items = quick ? 250 : 1000; // × 2 candidates = the requests
  const em = await emulator({ requestsPerMinute: RPM }, LATENCY_MS);
  try {
    await Promise.all([drain(em.url, 'gpt-4.1-mini'), drain(em.url, 'ft:gpt-4.1-mini:bench::x')]);
    const { root, specPath } = workspace(items, 1, 32);
    const spec = await loadEvalSpec(specPath);
    const before = await em.count();
    const t0 = performance.now();
    const r = await runEval(spec, deps(em.url), { root });
    const seconds = (performance.now() - t0) / 1000;
    const after = await em.count();
    const rows = rowsOf(r.dir);
    const perModel = items / seconds;
    const limit = RPM / 60;
    table([
      {
        requests: items * 2,
        'limit / model (req/s)': fmt(limit),
        'achieved / model (req/s)': fmt(perModel),
        'of limit': `${fmt((perModel / limit) * 100)}%`,
        '429s waited out': after.limited - before.limited,
        'items lost': items * 2 - rows.filter((x) => !x.error).length,
        seconds: fmt(seconds),
      },
    ]);
    // The local path alone: an unchanged rerun answers everything from the cache and only grades and writes.
    const t1 = performance.now();
    const again = await runEval(await loadEvalSpec(specPath), deps(em.url), { root });
    const gradedPerSec = (items * 2) / ((performance.now() - t1) / 1000);
    table([
      {
        'received online (samples/s)': fmt((items * 2) / seconds),
        'graded from cache (samples/s)': fmt(gradedPerSec),
        'rerun model requests': (await em.count()).ok - after.ok,
        'rerun cached': again.manifest.counts.cached,
      },
    ]);
    return perModel / limit;
  } finally {
    em.quit();
  }
}

async function killAndResume(quick: boolean): Promise<void> {
  const items = quick ? 500 : 2500; // × 2 samples × 2 candidates
  const total = items * 4;
  const em = await emulator({ requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 }, 0);
  try {
    const { root, specPath } = workspace(items, 2, 32);
    const killAt = Math.floor(total * (0.1 + Math.random() * 0.8));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../test/unit/evals/runChild.ts'), specPath, root, em.url],
      { stdio: ['ignore', 'ignore', 'inherit'], cwd: join(__dirname, '..') },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let dir: string | undefined;
    let written = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      const evals = join(root, '.rft/evals');
      try {
        dir ??= join(evals, readdirSync(evals)[0]!);
        written = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').length - 1;
      } catch {
        continue;
      }
      if (written >= killAt) break;
    }
    child.kill('SIGKILL');
    await exited;
    const cachedAtKill = readdirSync(join(root, '.rft/cache/evals'), { recursive: true }).filter((f) =>
      String(f).endsWith('.json'),
    ).length;
    const before = await em.count();
    let peakRss = process.memoryUsage.rss();
    let peakHeap = process.memoryUsage().heapUsed;
    const timer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    const baseRss = process.memoryUsage.rss();
    const t0 = performance.now();
    const r = await runEval(await loadEvalSpec(specPath), deps(em.url), { root });
    clearInterval(timer);
    const after = await em.count();
    const sentOnResume = after.ok - before.ok;
    const rows = rowsOf(r.dir);
    table([
      {
        samples: total,
        'killed at row': written,
        'cached at kill': cachedAtKill,
        'sent on resume': sentOnResume,
        'finished requests repeated': sentOnResume - (total - cachedAtKill),
        'rows after resume': rows.length,
        'failed rows': rows.filter((x) => x.error).length,
        resumed: String(r.resumed),
        'resume s': fmt((performance.now() - t0) / 1000),
        'peak RSS MB (start)': `${fmt(peakRss / 1048576)} (${fmt(baseRss / 1048576)})`,
        'peak heap MB': fmt(peakHeap / 1048576),
      },
    ]);
  } finally {
    em.quit();
  }
}

export default async function bench(flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  console.log(
    `sustained rate: ${RPM} requests/min per model, ${LATENCY_MS} ms latency, buckets drained first`,
  );
  const ratio = await sustainedRate(quick);
  console.log(`\nresume: a ${quick ? '2,000' : '10,000'}-sample run killed at a random point`);
  await killAndResume(quick);
  if (ratio < 0.9) console.log(`\nBELOW TARGET: ${fmt(ratio * 100)}% of the request limit (target ≥ 90%)`);
}
