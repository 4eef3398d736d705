// Runs the streaming validator in a worker thread (dist/workers/datasetValidate.js) with progress and
// cancellation; falls back to the same validator in-process when the worker bundle is missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DatasetReport, DatasetValidationOptions } from '../../core/datasets/validate';
import type { FromValidateWorker, ValidateWorkerData } from './datasetValidate.worker';

export class ValidationCancelled extends Error {
  constructor() {
    super('Validation cancelled');
  }
}

export interface FileValidationRun {
  extensionPath: string;
  file: string;
  options: ValidateWorkerData['options'];
  onProgress?: (lines: number, bytes: number) => void;
  /** Aborting terminates the worker. */
  signal?: AbortSignal;
}

export async function validateFileOffThread(run: FileValidationRun): Promise<DatasetReport> {
  const workerPath = path.join(run.extensionPath, 'dist', 'workers', 'datasetValidate.js');
  if (!fs.existsSync(workerPath)) {
    const { validateDatasetFile } = await import('../../core/datasets/validate');
    const opts: DatasetValidationOptions = { ...run.options, signal: run.signal, onProgress: run.onProgress };
    return validateDatasetFile(run.file, opts);
  }
  return new Promise<DatasetReport>((resolve, reject) => {
    // The validator may start its own worker threads for a large file (dist/workers/datasetCheck.js).
    const parallel = { script: path.join(run.extensionPath, 'dist', 'workers', 'datasetCheck.js') };
    const data: ValidateWorkerData = { path: run.file, options: { ...run.options, parallel } };
    const worker = new Worker(workerPath, { workerData: data });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(new ValidationCancelled()));
    if (run.signal?.aborted) return onAbort();
    run.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromValidateWorker) => {
      if (m.type === 'progress') run.onProgress?.(m.lines, m.bytes);
      else if (m.type === 'done') finish(() => resolve(m.report));
      else finish(() => reject(Object.assign(new Error(m.message), { code: m.code })));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`validation worker exited with code ${code}`))),
    );
  });
}
