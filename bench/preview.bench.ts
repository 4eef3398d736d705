// `npm run bench -- preview [--quick]`: the dataset preview on generated 100 MB and 1 GB RFT files (bench/.data/,
// gitignored; --quick skips 1 GB). Figures: time to the first rows on screen (first index batch + reading and
// summarizing the first 60 rows), time to the full line index (in a worker thread, as the extension runs it), the
// main thread's worst event-loop delay meanwhile, peak RSS, a full-file text filter, and the baseline measured in
// the same run: plain newline counting of the same file.
import { createReadStream, existsSync, mkdirSync, statSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { buildLineIndex, LineIndex, readLines } from '../src/core/preview/lineIndex';
import { summarizeRow } from '../src/core/preview/rowSummary';
import { scanRows } from '../src/core/preview/rowScan';
import type { FromWorker, ToWorker } from '../src/host/preview/workerProtocol';
import { fmt, measure, table } from './util';

const DATA = join(__dirname, '.data');
const LABELS = [
  'trade',
  'EUROPEAN UNION',
  'finance',
  'law',
  'energy',
  'environment',
  'transport',
  'industry',
  'science',
  'politics',
];
const WORDS =
  'the council regulation member states shall apply article annex provisions market goods services tariff quota import export agreement commission decision'.split(
    ' ',
  );

/** Deterministic RFT lines of about 1,070 bytes (so 1 GB ≈ 1,000,000 lines) (developer + user message, id, reference_answer). */
async function generate(path: string, bytes: number): Promise<void> {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  mkdirSync(DATA, { recursive: true });
  const out = createWriteStream(path);
  let seed = 42;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let written = 0;
  let i = 0;
  const t0 = performance.now();
  while (written < bytes) {
    const chunk: string[] = [];
    for (let k = 0; k < 2000; k++, i++) {
      const n = 40 + Math.floor(rnd() * 120);
      const text = Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
      const labels = [LABELS[i % LABELS.length], LABELS[Math.floor(rnd() * LABELS.length)]];
      chunk.push(
        JSON.stringify({
          id: String(i),
          messages: [
            { role: 'developer', content: 'Classify the legal document into EuroVoc level-1 labels.' },
            { role: 'user', content: `Document ${i}: ${text}` },
          ],
          reference_answer: [...new Set(labels)],
        }),
      );
    }
    const s = `${chunk.join('\n')}\n`;
    written += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  console.log(
    `generated ${path}: ${fmt(written / 2 ** 20)} MB, ${i} lines in ${fmt((performance.now() - t0) / 1000)} s`,
  );
}

/** Baseline: count newlines with a plain read stream. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) !== -1) n++;
  }
  return n;
}

/** The extension's own worker (src/host/preview/datasetPreview.worker.ts), bundled the way esbuild.js does it. */
async function bundleWorker(): Promise<string> {
  const outfile = join(DATA, 'datasetPreview.worker.js');
  await build({
    entryPoints: [join(__dirname, '../src/host/preview/datasetPreview.worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Full index in the worker thread, with the main thread's event-loop delay measured meanwhile. */
async function indexInWorker(
  workerFile: string,
  path: string,
): Promise<{ lines: number; firstBatchMs: number; maxLoopDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // execArgv [] : the extension host starts its worker without the tsx loader this benchmark runs under.
  const worker = new Worker(workerFile, { execArgv: [] });
  const t0 = performance.now();
  let firstBatchMs = -1;
  const lines = await new Promise<number>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.op === 'batch' && firstBatchMs < 0) firstBatchMs = performance.now() - t0;
      if (m.op === 'result') resolve((m.result as { lines: number }).lines);
      if (m.op === 'error') reject(new Error(m.message));
    });
    worker.on('error', reject);
    worker.postMessage({ op: 'index', id: 1, path } satisfies ToWorker);
  });
  h.disable();
  await worker.terminate();
  return { lines, firstBatchMs, maxLoopDelayMs: h.max / 1e6 };
}

/** What the host does before the first rows can be drawn: first index batch, then read + summarize 60 rows. */
async function timeToFirstRows(path: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const ac = new AbortController();
  const index = await new Promise<LineIndex>((resolve, reject) => {
    let got: LineIndex | undefined;
    buildLineIndex(path, {
      signal: ac.signal,
      onBatch: (b) => {
        if (got) return;
        got = new LineIndex();
        got.append(b);
        ac.abort(new Error('first batch is enough'));
        resolve(got);
      },
    }).catch((e: unknown) => (got ? undefined : reject(e)));
  });
  const rows = await readLines(path, index, 0, 60);
  const summaries = rows.map((r) => summarizeRow(r.line, r.text));
  return { ms: performance.now() - t0, rows: summaries.length };
}

export default async function (flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  const sizes: [string, number][] = [['100 MB', 100 * 2 ** 20]];
  if (!quick) sizes.push(['1 GB', 2 ** 30]);
  const rows: Record<string, string | number>[] = [];
  const workerFile = await bundleWorker();
  for (const [label, bytes] of sizes) {
    const path = join(DATA, `preview-${label.replace(' ', '')}.jsonl`);
    await generate(path, bytes);
    const base = await measure(() => countLines(path));
    const first = await measure(() => timeToFirstRows(path));
    const inProcess = await measure(() => buildLineIndex(path));
    const worker = await measure(() => indexInWorker(workerFile, path));
    const filter = await measure(() => scanRows(path, { text: 'document 12345:' }));
    if (inProcess.result.lineCount !== base.result || worker.result.lines !== base.result) {
      throw new Error(
        `line counts disagree: baseline ${base.result}, index ${inProcess.result.lineCount}, worker ${worker.result.lines}`,
      );
    }
    rows.push({
      file: label,
      lines: base.result.toLocaleString('en-US'),
      'baseline count ms': fmt(base.ms, 0),
      'first rows ms': fmt(first.ms, 1),
      'first batch ms (worker)': fmt(worker.result.firstBatchMs, 1),
      'full index ms (worker)': fmt(worker.ms, 0),
      'index/baseline': `${fmt(worker.ms / base.ms, 2)}×`,
      'main-thread max delay ms': fmt(worker.result.maxLoopDelayMs, 1),
      'index in-process ms': fmt(inProcess.ms, 0),
      'peak RSS MB (index)': fmt(inProcess.peakRssMb, 0),
      'text filter ms': fmt(filter.ms, 0),
      'filter/baseline': `${fmt(filter.ms / base.ms, 2)}×`,
    });
  }
  table(rows);
  console.log(
    '\nfirst rows = first index batch (256 lines) + read and summarize 60 rows by byte offset; target < 1,000 ms on 1 GB.\n' +
      'full index runs in a worker thread; "main-thread max delay" is the worst event-loop stall meanwhile (the extension host stays responsive).',
  );
}
