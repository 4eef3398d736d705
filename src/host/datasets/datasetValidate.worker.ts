// Worker thread: streams one dataset file from disk through the core validator, off the extension
// host's main thread. Messages: in {type:'cancel'}; out progress / done / error.
import { parentPort, workerData } from 'node:worker_threads';
import type { DatasetValidationOptions } from '../../core/datasets/validate';
import { validateDatasetFile } from '../../core/datasets/validate';

export interface ValidateWorkerData {
  path: string;
  options: Omit<DatasetValidationOptions, 'signal' | 'onProgress'>;
}

export type FromValidateWorker =
  | { type: 'progress'; lines: number; bytes: number }
  | { type: 'done'; report: Awaited<ReturnType<typeof validateDatasetFile>> }
  | { type: 'error'; message: string; code?: string };

const port = parentPort;
if (port) {
  const data = workerData as ValidateWorkerData;
  const controller = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'cancel') controller.abort(new Error('cancelled'));
  });
  const post = (m: FromValidateWorker) => port.postMessage(m);
  validateDatasetFile(data.path, {
    ...data.options,
    signal: controller.signal,
    onProgress: (lines, bytes) => post({ type: 'progress', lines, bytes }),
  }).then(
    (report) => post({ type: 'done', report }),
    (e: NodeJS.ErrnoException) => post({ type: 'error', message: e?.message ?? String(e), code: e?.code }),
  );
}
