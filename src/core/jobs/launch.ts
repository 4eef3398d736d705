// Launching a job: upload both files (files API, or the uploads API above a size threshold) with progress,
// wait for processing, and create the job exactly once even when the create request is retried.
import type OpenAI from 'openai';
import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import type { ResolvedJobSpec } from './jobSpec';

export type LaunchStage = 'upload-training' | 'upload-validation' | 'processing' | 'creating';

export interface LaunchProgress {
  stage: LaunchStage;
  /** 0..1 within the stage, when known. */
  fraction?: number;
  message: string;
}

export interface LaunchDeps {
  client: OpenAI;
  onProgress?: (p: LaunchProgress) => void;
  signal?: AbortSignal;
  /** Unique per launch (a UUID): sent as the Idempotency-Key and stored in job metadata `rft_studio_launch`. */
  launchId: string;
}

/** Metadata key carrying the launch id on every job RFT Studio creates. */
export const LAUNCH_METADATA_KEY = 'rft_studio_launch';

export function launchJob(resolved: ResolvedJobSpec, deps: LaunchDeps): Promise<FineTuningJob> {
  void resolved;
  void deps;
  throw new Error('launchJob: not implemented yet');
}
