// Worker thread of the dataset preview: indexes the file, runs filters and statistics over it, so neither the
// extension host's main thread nor the webview ever blocks on a large file. Bundled to dist/workers/datasetPreview.js.
import { parentPort } from 'node:worker_threads';
import { buildLineIndex } from '../../core/preview/lineIndex';
import { scanRows } from '../../core/preview/rowScan';
import { computeDatasetStats, computePairStats } from '../../core/stats/datasetStats';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('datasetPreview worker must run in a worker thread');
const jobs = new Map<number, AbortController>();

function post(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  port!.postMessage(msg, transfer);
}

async function run(msg: Exclude<ToWorker, { op: 'cancel' }>, signal: AbortSignal): Promise<unknown> {
  switch (msg.op) {
    case 'index': {
      const t0 = Date.now();
      const index = await buildLineIndex(msg.path, {
        signal,
        onBatch: (b, bytesRead) =>
          post(
            {
              op: 'batch',
              id: msg.id,
              firstLine: b.firstLine,
              offsets: b.offsets,
              lengths: b.lengths,
              bytesRead,
            },
            [b.offsets.buffer as ArrayBuffer, b.lengths.buffer as ArrayBuffer],
          ),
      });
      return { lines: index.lineCount, ms: Date.now() - t0, hasBom: index.hasBom };
    }
    case 'filter': {
      const lines = await scanRows(msg.path, msg.query, {
        signal,
        onlyLines: msg.onlyLines,
        onProgress: (scanned) => post({ op: 'progress', id: msg.id, scanned }),
      });
      return lines;
    }
    case 'stats': {
      const opts = {
        ...msg.options,
        signal,
        progressEvery: 500,
        onProgress: (scanned: number) => post({ op: 'progress', id: msg.id, scanned }),
      };
      return msg.validationPath
        ? await computePairStats(msg.path, msg.validationPath, opts)
        : await computeDatasetStats(msg.path, opts);
    }
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.op === 'cancel') {
    jobs.get(msg.id)?.abort(new Error('cancelled'));
    return;
  }
  const ac = new AbortController();
  jobs.set(msg.id, ac);
  run(msg, ac.signal)
    .then((result) => post({ op: 'result', id: msg.id, result }))
    .catch((e: unknown) =>
      post({
        op: 'error',
        id: msg.id,
        message: (e as Error)?.message ?? String(e),
        cancelled: ac.signal.aborted,
      }),
    )
    .finally(() => jobs.delete(msg.id));
});
