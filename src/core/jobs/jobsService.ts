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

/** How many event pages eventsSince walks at most before giving up on finding the known id. */
const MAX_EVENT_PAGES = 50;

export class JobsService {
  constructor(readonly client: OpenAI) {}

  /** One page of jobs, newest first. */
  async list(
    opts: { limit?: number; after?: string; metadata?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<{
    jobs: FineTuningJob[];
    hasMore: boolean;
  }> {
    const page = await this.client.fineTuning.jobs.list(
      {
        limit: opts.limit ?? 20,
        ...(opts.after ? { after: opts.after } : {}),
        ...(opts.metadata ? { metadata: opts.metadata } : {}),
      },
      { signal: opts.signal },
    );
    return { jobs: page.data, hasMore: page.has_more };
  }

  retrieve(id: string, signal?: AbortSignal): Promise<FineTuningJob> {
    return this.client.fineTuning.jobs.retrieve(id, { signal });
  }

  cancel(id: string): Promise<FineTuningJob> {
    return this.client.fineTuning.jobs.cancel(id);
  }

  pause(id: string): Promise<FineTuningJob> {
    return this.client.fineTuning.jobs.pause(id);
  }

  resume(id: string): Promise<FineTuningJob> {
    return this.client.fineTuning.jobs.resume(id);
  }

  /**
   * Only the events after `knownLatestId`. Events come newest first, so pages are read until the known id
   * shows up (or the list ends); with no known id, every event is fetched.
   */
  async eventsSince(id: string, knownLatestId?: string, signal?: AbortSignal): Promise<NewEvents> {
    const fresh: FineTuningJobEvent[] = [];
    let after: string | undefined;
    for (let pageNo = 0; pageNo < MAX_EVENT_PAGES; pageNo++) {
      const page = await this.client.fineTuning.jobs.listEvents(
        id,
        { limit: 100, ...(after ? { after } : {}) },
        { signal },
      );
      let reachedKnown = false;
      for (const ev of page.data) {
        if (knownLatestId && ev.id === knownLatestId) {
          reachedKnown = true;
          break;
        }
        fresh.push(ev);
      }
      if (reachedKnown || !page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1]!.id;
    }
    fresh.reverse();
    return { events: fresh, latestId: fresh.length ? fresh[fresh.length - 1]!.id : knownLatestId };
  }

  /** All checkpoints, newest first. */
  async checkpoints(id: string, signal?: AbortSignal): Promise<FineTuningJobCheckpoint[]> {
    const out: FineTuningJobCheckpoint[] = [];
    let after: string | undefined;
    for (let pageNo = 0; pageNo < 20; pageNo++) {
      const page = await this.client.fineTuning.jobs.checkpoints.list(
        id,
        { limit: 100, ...(after ? { after } : {}) },
        { signal },
      );
      out.push(...page.data);
      if (!page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1]!.id;
    }
    return out;
  }
}
