// JobPoller: decides when to poll each tracked job next — a base interval, exponential backoff on errors
// and when nothing changed, no polling while no job is active, or when the view is hidden and no job is
// active — and reports job, events and checkpoint changes and status transitions. Clock injected.
import type { Logger } from '../log';
import type { IDisposable } from '../lifecycle';
import type { ApiErrorInfo } from '../providers/types';
import type {
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobEvent,
  JobsService,
  JobStatus,
} from './jobsService';

export interface PollerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: PollerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface PollerOptions {
  /** What the poller calls (the real JobsService, over any client). */
  service: Pick<JobsService, 'retrieve' | 'eventsSince' | 'checkpoints'>;
  clock?: PollerClock;
  logger?: Logger;
  /** Base interval while something changes (default 10 s). */
  intervalMs?: number;
  /** Ceiling for backoff (default 5 min). */
  maxIntervalMs?: number;
  /** Multiplier per unchanged poll or error (default 2). */
  backoffFactor?: number;
  /** Interval used while the view is hidden but a job is active (default 60 s). */
  hiddenIntervalMs?: number;
  /** Turn API errors into user-level info (default: providers' describeApiError). */
  describeError?: (e: unknown) => ApiErrorInfo;
}

export interface TrackedJob {
  id: string;
  job?: FineTuningJob;
  /** Newest event id seen. */
  lastEventId?: string;
  checkpointIds: string[];
  consecutiveErrors: number;
  unchangedPolls: number;
  lastError?: ApiErrorInfo;
  lastPolledAt?: number;
}

export type PollerChange =
  | { type: 'job'; jobId: string; job: FineTuningJob }
  | { type: 'transition'; jobId: string; from: JobStatus | undefined; to: JobStatus; job: FineTuningJob }
  | { type: 'events'; jobId: string; events: FineTuningJobEvent[] }
  | { type: 'checkpoints'; jobId: string; checkpoints: FineTuningJobCheckpoint[] }
  | { type: 'error'; jobId: string; error: ApiErrorInfo; retryInMs: number }
  | { type: 'recovered'; jobId: string }
  | { type: 'scheduled'; atMs: number | undefined; delayMs: number | undefined };

export class JobPoller implements IDisposable {
  constructor(readonly opts: PollerOptions) {}

  /** Starts following a job (optionally with what is already known, e.g. after a window reload). */
  track(
    jobId: string,
    known?: { job?: FineTuningJob; lastEventId?: string; checkpointIds?: string[] },
  ): void {
    void jobId;
    void known;
    throw new Error('not implemented yet');
  }

  untrack(jobId: string): void {
    void jobId;
    throw new Error('not implemented yet');
  }

  tracked(): readonly TrackedJob[] {
    throw new Error('not implemented yet');
  }

  /** The monitor view's visibility: hidden + no active job = no requests at all. */
  setVisible(visible: boolean): void {
    void visible;
    throw new Error('not implemented yet');
  }

  /** Polls every tracked non-terminal job now and resets backoff (user pressed Refresh / acted on a job). */
  pollNow(): Promise<void> {
    throw new Error('not implemented yet');
  }

  /** When the next poll is due (clock ms), or undefined when nothing is scheduled. */
  get nextPollAt(): number | undefined {
    throw new Error('not implemented yet');
  }

  onDidChange(listener: (change: PollerChange) => void): IDisposable {
    void listener;
    throw new Error('not implemented yet');
  }

  dispose(): void {}
}
