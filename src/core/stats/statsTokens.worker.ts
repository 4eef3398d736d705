// Worker thread of dataset statistics (bundled to dist/workers/statsTokens.js): counts the tokens of the lines at
// the start of a file, fingerprints their texts for near duplicates when asked, and posts both back. See
// fileTokens.ts.
import { parentPort } from 'node:worker_threads';
import type { TokenJob, TokenReply } from './fileTokens';
import { countPrefixTokens } from './fileTokens';
import { countTokens } from '../tokens/tokenizer';
import { warmWorkerCode } from './warmUp';

const port = parentPort;
if (port) {
  // Load the rank table now: the job (sent right away, or later to a warmed spare) finds it ready.
  countTokens('warm up');
  // One job at a time; a warmed worker gets several in turn (fileTokens.ts keeps it as the spare).
  port.on('message', (job: TokenJob | { warm: true }) => {
    // A spare's warm-up (warmTokenWorker): no reply.
    if ('warm' in job) return warmWorkerCode();
    countPrefixTokens(job.path, job.endByte, undefined, job.near).then(
      ({ counts, lines, fingerprints: f }) => {
        const reply: TokenReply = { ok: true, counts, lines, ...(f ? { fingerprints: f } : {}) };
        const buffers = [
          counts.buffer,
          ...(f ? [f.offsets.buffer, f.shingles.buffer, f.meta.buffer, f.template.buffer] : []),
          ...(f ? f.bands.map((c) => c.buffer) : []),
        ];
        port.postMessage(reply, buffers as ArrayBuffer[]);
      },
      (e: unknown) => {
        const reply: TokenReply = { ok: false, error: e instanceof Error ? e.message : String(e) };
        port.postMessage(reply);
      },
    );
  });
}
