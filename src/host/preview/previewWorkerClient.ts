// The extension-host end of the dataset preview worker thread: requests with ids, progress callbacks, cancellation.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/log';
import type { FromWorker, ToWorker } from './workerProtocol';

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (scanned: number) => void;
  onBatch?: (msg: Extract<FromWorker, { op: 'batch' }>) => void;
};

/** A job message without its id (distributes over the union so each op keeps its own fields). */
export type JobMessage =
  Exclude<ToWorker, { op: 'cancel' }> extends infer T
    ? T extends { id: number }
      ? Omit<T, 'id'>
      : never
    : never;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export class PreviewWorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    workerPath: string,
    private readonly log: Logger,
  ) {
    this.worker = new Worker(workerPath);
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (e) => {
      this.log.error('Dataset preview worker failed', e);
      this.failAll(e);
    });
    this.worker.on('exit', (code) => {
      if (!this.disposed) this.failAll(new Error(`dataset preview worker exited with code ${code}`));
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.op) {
      case 'batch':
        p.onBatch?.(msg);
        return;
      case 'progress':
        p.onProgress?.(msg.scanned);
        return;
      case 'result':
        this.pending.delete(msg.id);
        p.resolve(msg.result);
        return;
      case 'error':
        this.pending.delete(msg.id);
        p.reject(msg.cancelled ? new CancelledError() : new Error(msg.message));
        return;
    }
  }

  /** Starts a job; returns its id (for cancel) and a promise of its result. */
  start<T>(
    msg: JobMessage,
    hooks: Pick<Pending, 'onProgress' | 'onBatch'> = {},
  ): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      if (this.disposed) return reject(new Error('the preview was closed'));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...hooks });
      this.worker.postMessage({ ...msg, id } as ToWorker);
    });
    return { id, result };
  }

  cancel(id: number): void {
    if (this.pending.has(id)) this.worker.postMessage({ op: 'cancel', id } satisfies ToWorker);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new Error('the preview was closed'));
    void this.worker.terminate();
  }
}
