// Batch mode in a run: the batch sampler wired to the runner's context — the candidates' clients, the batch ids of
// run.json resumed after a restart, and every batch created or changing status written back to run.json.
import type { EvalSamplerContext } from '../runner';
import type { EvalSampler } from '../types';
import type { BatchRecord, BatchSamplerOptions } from './batchSampler';
import { BatchSampler } from './batchSampler';

export type BatchModeOptions = Omit<BatchSamplerOptions, 'clientFor' | 'resume' | 'log'>;

/** For `runEval`'s `sampler` option: `sampler: batchSamplerFor()` (the runner uses it when the spec says `mode: "batch"`). */
export function batchSamplerFor(options: BatchModeOptions = {}): (ctx: EvalSamplerContext) => EvalSampler {
  return (ctx) => {
    const batches = new Map<string, BatchRecord>(
      (ctx.manifest().batches ?? []).map((b) => [b.id, b] as const),
    );
    return new BatchSampler({
      ...options,
      clientFor: (label) => ctx.clients.get(label)!.client,
      resume: [...batches.values()],
      log: ctx.log,
      metadata: { rft_studio_eval: ctx.spec.name.slice(0, 512), ...options.metadata },
      // Awaited by the sampler: one run.json write at a time, none left pending when the run writes its own.
      onBatch: async (record) => {
        batches.set(record.id, record);
        try {
          await ctx.updateManifest({ batches: [...batches.values()] });
        } catch (e) {
          ctx.log.warn(`batch: could not record ${record.id} in run.json: ${String(e)}`);
        }
        await options.onBatch?.(record);
      },
    });
  };
}
