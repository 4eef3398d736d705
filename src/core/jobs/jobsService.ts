// Thin wrappers over the fine-tuning jobs API: list, retrieve, cancel, pause, resume, new events, checkpoints.
import type OpenAI from 'openai';
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';

export type { FineTuningJob, FineTuningJobEvent, FineTuningJobCheckpoint };

/** Job status as an open string: the API also returns `paused` (and Azure may return more). */
export type JobStatus =
  'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'paused' | (string & {});

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** succeeded, failed, cancelled: nothing will change any more. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

/** Worth polling: not terminal and not paused (paused jobs change only when someone resumes them). */
export function isActiveStatus(status: JobStatus): boolean {
  return !TERMINAL.has(status) && status !== 'paused';
}

export interface NewEvents {
  /** Events newer than the known id, oldest first. */
  events: FineTuningJobEvent[];
  /** Newest event id seen (the known id when nothing is new). */
  latestId?: string;
}

export class JobsService {
  constructor(readonly client: OpenAI) {}

  list(opts: { limit?: number; after?: string; metadata?: Record<string, string> } = {}): Promise<{
    jobs: FineTuningJob[];
    hasMore: boolean;
  }> {
    void opts;
    throw new Error('JobsService.list: not implemented yet');
  }

  retrieve(id: string, signal?: AbortSignal): Promise<FineTuningJob> {
    void id;
    void signal;
    throw new Error('not implemented yet');
  }

  cancel(id: string): Promise<FineTuningJob> {
    void id;
    throw new Error('not implemented yet');
  }

  pause(id: string): Promise<FineTuningJob> {
    void id;
    throw new Error('not implemented yet');
  }

  resume(id: string): Promise<FineTuningJob> {
    void id;
    throw new Error('not implemented yet');
  }

  /** Only the events after `knownLatestId` (events come newest first; pages are walked until the known id). */
  eventsSince(id: string, knownLatestId?: string, signal?: AbortSignal): Promise<NewEvents> {
    void id;
    void knownLatestId;
    void signal;
    throw new Error('not implemented yet');
  }

  checkpoints(id: string, signal?: AbortSignal): Promise<FineTuningJobCheckpoint[]> {
    void id;
    void signal;
    throw new Error('not implemented yet');
  }
}
