// Runs any grader locally and returns the platform's `graders/run` result shape.
import type OpenAI from 'openai';
import type { Logger } from '../log';
import type { Sample } from './sample';
import type { Grader, GraderResult } from './types';

export interface GraderEngineOptions {
  log?: Logger;
  /** Python graders run only when `allow` is true (trusted workspace / `--allow-python`). */
  python?: { allow: boolean; interpreter?: string; timeoutMs?: number };
  /** Any OpenAI-compatible client (its baseURL may be a local model server). */
  modelClient?: OpenAI;
  /** Parallel rows in gradeMany (default 8). */
  concurrency?: number;
  /** Directory for the model-grader response cache (in memory only when unset). */
  cacheDir?: string;
}

export class GraderEngine {
  constructor(readonly opts: GraderEngineOptions) {}

  grade(grader: Grader, item: Record<string, unknown>, sample: Sample, signal?: AbortSignal): Promise<GraderResult> {
    void grader;
    void item;
    void sample;
    void signal;
    throw new Error('GraderEngine.grade: not implemented yet');
  }

  gradeMany(
    grader: Grader,
    rows: Array<{ item: Record<string, unknown>; sample: Sample }>,
    opts: { signal?: AbortSignal; concurrency?: number; onResult?: (index: number, r: GraderResult) => void } = {},
  ): Promise<GraderResult[]> {
    void grader;
    void rows;
    void opts;
    throw new Error('GraderEngine.gradeMany: not implemented yet');
  }

  /** Kills python workers. */
  dispose(): void {}
}
