// Worker thread of the streaming validator (bundled to dist/workers/datasetCheck.js): checks the chunks of
// lines it is sent and posts back their packed summaries. See chunkPool.ts.
import { parentPort } from 'node:worker_threads';
import { checkChunk, chunkTransferables } from './chunkCheck';
import type { ChunkJob, ChunkReply } from './chunkPool';

const port = parentPort;
if (port) {
  port.on('message', (job: ChunkJob) => {
    let reply: ChunkReply;
    try {
      const summary = checkChunk(
        new Uint8Array(job.buffer, job.byteOffset, job.byteLength),
        job.format,
        job.sftTokens,
        job.capPerCode,
      );
      reply = { id: job.id, summary };
      port.postMessage(reply, chunkTransferables(summary));
    } catch (e) {
      reply = { id: job.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      port.postMessage(reply);
    }
  });
}
