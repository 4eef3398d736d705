// `npm run bench -- emulator [--quick]`: file uploads into the emulator, run in a child process so its memory
// is measured alone. Figures: upload time of one 100 MB file and of 4 × 400 MB at once (--quick: 4 × 100 MB),
// the emulator's peak RSS above idle, its worst event-loop delay, and the latency of small requests sent
// meanwhile; the baseline measured in the same run is the same small requests against the idle emulator.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { fmt, table } from './util';

const MB = 1024 * 1024;
const KEY = 'sk-bench';

// The child: starts the emulator, samples its own RSS and event-loop delay, answers "report" / "reset" on stdin.
const CHILD = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { startEmulator } = require(${JSON.stringify(join(__dirname, '../src/emulator/server.ts'))});
(async () => {
  const em = await startEmulator({ keys: [${JSON.stringify(KEY)}], maxFileBytes: 512 * 1024 * 1024, maxStorageBytes: 4 * 1024 * 1024 * 1024 });
  let peak = process.memoryUsage.rss();
  setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10).unref();
  let h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.stdout.write(JSON.stringify({ url: em.url }) + '\\n');
  require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'reset') { global.gc && global.gc(); peak = process.memoryUsage.rss(); h.disable(); h = monitorEventLoopDelay({ resolution: 10 }); h.enable(); process.stdout.write('{}\\n'); }
    else if (l === 'report') process.stdout.write(JSON.stringify({ rssMb: process.memoryUsage.rss() / 1048576, peakMb: peak / 1048576, maxDelayMs: h.max / 1e6 }) + '\\n');
    else if (l === 'quit') em.close().then(() => process.exit(0));
  });
})();
`;

interface Report {
  rssMb: number;
  peakMb: number;
  maxDelayMs: number;
}

function multipartBody(bytes: number, boundary: string): ReadableStream<Uint8Array> {
  const line = Buffer.from(
    `${JSON.stringify({ messages: [{ role: 'user', content: 'z'.repeat(1000) }] })}\n`,
  );
  const chunk = Buffer.concat(Array.from({ length: Math.floor(MB / line.length) }, () => line));
  let sent = 0;
  let stage = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === 0) {
        stage = 1;
        controller.enqueue(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.jsonl"\r\n\r\n`,
          ),
        );
      } else if (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        controller.enqueue(piece);
      } else {
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
      }
    },
  });
}

async function upload(url: string, bytes: number): Promise<number> {
  const boundary = `----bench${Math.random().toString(36).slice(2)}`;
  const r = await fetch(`${url}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: multipartBody(bytes, boundary),
    duplex: 'half',
  } as RequestInit);
  const body = (await r.json()) as { bytes?: number; error?: { message: string } };
  if (r.status !== 200) throw new Error(`upload failed: ${r.status} ${body.error?.message}`);
  return body.bytes!;
}

async function smallRequestLatencies(url: string, until: () => boolean, min = 0): Promise<number[]> {
  const out: number[] = [];
  while (!until() || out.length < min) {
    const t0 = performance.now();
    const r = await fetch(`${url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
    await r.arrayBuffer();
    out.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 20));
  }
  return out;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export default async function run(flags: string[]): Promise<void> {
  const quick = flags.includes('--quick');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '-e', CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ask = async <T>(cmd?: string): Promise<T> => {
    if (cmd) child.stdin!.write(`${cmd}\n`);
    const { value } = await lines.next();
    return JSON.parse(value as string) as T;
  };
  try {
    const { url } = await ask<{ url: string }>();
    const rows: Record<string, string | number>[] = [];
    const scenario = async (name: string, files: number, bytes: number) => {
      await ask('reset');
      const idle = await ask<Report>('report');
      let done = false;
      const t0 = performance.now();
      const uploads = Promise.all(Array.from({ length: files }, () => upload(url, bytes))).finally(() => {
        done = true;
      });
      const latencies = await smallRequestLatencies(url, () => done, files ? 0 : 50);
      await uploads;
      const ms = performance.now() - t0;
      const rep = await ask<Report>('report');
      rows.push({
        scenario: name,
        'upload s': files ? fmt(ms / 1000, 2) : '-',
        'MB/s': files ? fmt((files * bytes) / MB / (ms / 1000), 0) : '-',
        'peak RSS above idle MB': fmt(rep.peakMb - idle.rssMb, 0),
        'max loop delay ms': fmt(rep.maxDelayMs, 0),
        'small req p50 ms': fmt(pct(latencies, 0.5), 1),
        'small req max ms': fmt(Math.max(...latencies), 1),
        'small reqs': latencies.length,
      });
    };
    await scenario('baseline: idle emulator', 0, 0);
    await scenario('1 × 100 MB', 1, 100 * MB);
    if (quick) await scenario('4 × 100 MB at once', 4, 100 * MB);
    else await scenario('4 × 400 MB at once', 4, 400 * MB);
    table(rows);
  } finally {
    child.stdin!.write('quit\n');
    await new Promise((r) => child.once('exit', r));
  }
}
