// Messages between the extension host and the dataset preview worker thread (dist/workers/datasetPreview.js).
import type { RowQuery } from '../../core/preview/rowSummary';
import type { PriceTable } from '../../core/stats/pricing';

export interface StatsJobOptions {
  field?: string;
  tokenLimit?: number;
  epochs?: number;
  prices?: PriceTable;
}

export type ToWorker =
  | { op: 'index'; id: number; path: string }
  | { op: 'filter'; id: number; path: string; query: RowQuery; onlyLines?: number[] }
  | { op: 'stats'; id: number; path: string; validationPath?: string; options: StatsJobOptions }
  | { op: 'cancel'; id: number };

export type FromWorker =
  | {
      op: 'batch';
      id: number;
      firstLine: number;
      offsets: Float64Array;
      lengths: Uint32Array;
      bytesRead: number;
    }
  | { op: 'progress'; id: number; scanned: number }
  | { op: 'result'; id: number; result: unknown }
  | { op: 'error'; id: number; message: string; cancelled?: boolean };
