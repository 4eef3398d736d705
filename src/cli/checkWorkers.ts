// Where the CLI finds the dataset check worker threads: next to its bundle (dist/cli.js → dist/workers).
// Run from source there is no bundle, and the validator checks in-thread.
import * as path from 'node:path';
import type { ParallelCheckOptions } from '../core/datasets/chunkPool';

export function datasetCheckWorkers(): ParallelCheckOptions {
  return { script: path.join(__dirname, 'workers', 'datasetCheck.js') };
}
