// JobPoller: decides when to poll each tracked job next — a base interval, exponential backoff on errors
// and when nothing changed, no polling while no job is active, or when the view is hidden and no job is
// active — and reports job, events and checkpoint changes and status transitions. Clock injected.
import type { Logger } from '../log';
import type { IDisposable } from '../lifecycle';
import { describeApiError } from '../providers/errors';
import type { ApiErrorInfo } from '../providers/types';
import { isActiveStatus, isTerminalStatus } from './jobsService';
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

interface JobState extends TrackedJob {
  /** Clock ms when this job should be polled next (undefined = not scheduled). */
  dueAt?: number;
  /** Server-requested minimum wait (429 retry-after). */
  retryAfterMs?: number;
}

/** The fields whose change counts as "something happened" (besides new events and checkpoints). */
function fingerprint(job: FineTuningJob): string {
  const j = job as FineTuningJob & { [k: string]: unknown };
  return JSON.stringify([
    j.status,
    j.fine_tuned_model,
    j.finished_at,
    j.estimated_finish,
    j.error,
    j.trained_tokens,
    j.result_files,
  ]);
}

function retryAfterOf(e: unknown): number | undefined {
  const headers = (e as { headers?: { get?: (k: string) => string | null } } | undefined)?.headers;
  if (!headers || typeof headers.get !== 'function') return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export class JobPoller implements IDisposable {
  private readonly jobs = new Map<string, JobState>();
  private readonly listeners = new Set<(change: PollerChange) => void>();
  private readonly clock: PollerClock;
  private readonly base: number;
  private readonly max: number;
  private readonly factor: number;
  private readonly hiddenBase: number;
  private readonly describe: (e: unknown) => ApiErrorInfo;
  private visible = true;
  private timer: unknown;
  private timerAt: number | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;

  constructor(readonly opts: PollerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.base = opts.intervalMs ?? 10_000;
    this.max = Math.max(this.base, opts.maxIntervalMs ?? 300_000);
    this.factor = Math.max(1, opts.backoffFactor ?? 2);
    this.hiddenBase = Math.max(this.base, opts.hiddenIntervalMs ?? 60_000);
    this.describe = opts.describeError ?? describeApiError;
  }

  /** Starts following a job (optionally with what is already known, e.g. after a window reload). */
  track(
    jobId: string,
    known?: { job?: FineTuningJob; lastEventId?: string; checkpointIds?: string[] },
  ): void {
    if (this.disposed) return;
    const existing = this.jobs.get(jobId);
    if (existing) {
      if (known?.job && !existing.job) existing.job = known.job;
      if (known?.lastEventId && !existing.lastEventId) existing.lastEventId = known.lastEventId;
      if (!existing.job || isActiveStatus(existing.job.status)) existing.dueAt ??= this.clock.now();
    } else {
      const state: JobState = {
        id: jobId,
        job: known?.job,
        lastEventId: known?.lastEventId,
        checkpointIds: [...(known?.checkpointIds ?? [])],
        consecutiveErrors: 0,
        unchangedPolls: 0,
      };
      // Unknown or active jobs are polled right away; terminal and paused ones only on pollNow().
      if (!known?.job || isActiveStatus(known.job.status)) state.dueAt = this.clock.now();
      this.jobs.set(jobId, state);
    }
    this.reschedule();
  }

  untrack(jobId: string): void {
    this.jobs.delete(jobId);
    this.reschedule();
  }

  tracked(): readonly TrackedJob[] {
    return [...this.jobs.values()].map(({ dueAt: _d, retryAfterMs: _r, ...t }) => ({
      ...t,
      checkpointIds: [...t.checkpointIds],
    }));
  }

  /** The monitor view's visibility: hidden + no active job = no requests at all. */
  setVisible(visible: boolean): void {
    if (this.visible === visible) return;
    this.visible = visible;
    if (visible) {
      // Coming back into view: refresh soon rather than at the end of a long hidden interval.
      const soon = this.clock.now() + Math.min(this.base, 1000);
      for (const j of this.jobs.values())
        if (j.dueAt !== undefined && j.dueAt > soon && !j.retryAfterMs) j.dueAt = soon;
    }
    this.reschedule();
  }

  /** Polls every tracked non-terminal job now and resets backoff (user pressed Refresh / acted on a job). */
  async pollNow(): Promise<void> {
    if (this.disposed) return;
    const due: JobState[] = [];
    for (const j of this.jobs.values()) {
      if (j.job && isTerminalStatus(j.job.status)) continue;
      j.unchangedPolls = 0;
      j.consecutiveErrors = 0;
      j.retryAfterMs = undefined;
      due.push(j);
    }
    await this.runPolls(due);
  }

  /** When the next poll is due (clock ms), or undefined when nothing is scheduled. */
  get nextPollAt(): number | undefined {
    return this.timerAt;
  }

  /** Whether any tracked job still needs polling. */
  get hasActiveJobs(): boolean {
    return [...this.jobs.values()].some((j) => !j.job || isActiveStatus(j.job.status));
  }

  onDidChange(listener: (change: PollerChange) => void): IDisposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.listeners.clear();
    this.jobs.clear();
  }

  private emit(change: PollerChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (e) {
        this.opts.logger?.error('job poller listener failed', e as Error);
      }
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  /** Delay before the next poll of a job given its history. */
  private delayFor(j: JobState): number {
    const base = this.visible ? this.base : this.hiddenBase;
    const steps = j.consecutiveErrors > 0 ? j.consecutiveErrors : j.unchangedPolls;
    const delay = Math.min(this.max, base * this.factor ** Math.min(steps, 30));
    return Math.max(delay, j.retryAfterMs ?? 0);
  }

  private reschedule(): void {
    if (this.disposed) return;
    let next: number | undefined;
    for (const j of this.jobs.values()) {
      const active = !j.job || isActiveStatus(j.job.status);
      if (!active) {
        j.dueAt = undefined;
        continue;
      }
      if (j.dueAt === undefined) j.dueAt = this.clock.now() + this.delayFor(j);
      if (next === undefined || j.dueAt < next) next = j.dueAt;
    }
    this.clearTimer();
    if (next !== undefined && !this.running) {
      const delay = Math.max(0, next - this.clock.now());
      this.timerAt = next;
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.timerAt = undefined;
        void this.tick();
      }, delay);
    }
    // Mid-poll the schedule is not decided yet; the poll's end reschedules and reports.
    if (this.running) return;
    this.emit({
      type: 'scheduled',
      atMs: this.timerAt,
      delayMs: this.timerAt === undefined ? undefined : Math.max(0, this.timerAt - this.clock.now()),
    });
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    const due = [...this.jobs.values()].filter((j) => j.dueAt !== undefined && j.dueAt <= now);
    await this.runPolls(due);
  }

  private async runPolls(due: JobState[]): Promise<void> {
    // Polls never overlap: each run starts after the previous one (a timer tick and a Refresh, say).
    const previous = this.running;
    const run = (async () => {
      await previous?.catch(() => undefined);
      for (const j of due) {
        if (this.disposed) return;
        if (!this.jobs.has(j.id)) continue;
        await this.pollOne(j);
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
      this.reschedule();
    }
  }

  private async pollOne(j: JobState): Promise<void> {
    const svc = this.opts.service;
    j.dueAt = undefined;
    j.lastPolledAt = this.clock.now();
    try {
      const job = await svc.retrieve(j.id);
      if (this.disposed || !this.jobs.has(j.id)) return;
      const previous = j.job;
      const jobChanged = !previous || fingerprint(previous) !== fingerprint(job);
      // Events after the status read, so a job's final events arrive with its final status.
      const fresh = await svc.eventsSince(j.id, j.lastEventId);
      let checkpoints: FineTuningJobCheckpoint[] | undefined;
      if (jobChanged || fresh.events.length > 0 || j.checkpointIds.length === 0) {
        const list = await svc.checkpoints(j.id);
        const ids = list.map((c) => c.id);
        if (ids.join() !== j.checkpointIds.join()) {
          checkpoints = list;
          j.checkpointIds = ids;
        }
      }
      if (this.disposed || !this.jobs.has(j.id)) return;
      const recovered = j.consecutiveErrors > 0;
      j.consecutiveErrors = 0;
      j.lastError = undefined;
      j.retryAfterMs = undefined;
      j.job = job;
      if (fresh.latestId) j.lastEventId = fresh.latestId;
      const changed = jobChanged || fresh.events.length > 0 || checkpoints !== undefined;
      j.unchangedPolls = changed ? 0 : j.unchangedPolls + 1;
      if (recovered) this.emit({ type: 'recovered', jobId: j.id });
      if (jobChanged) this.emit({ type: 'job', jobId: j.id, job });
      if (previous && previous.status !== job.status)
        this.emit({ type: 'transition', jobId: j.id, from: previous.status, to: job.status, job });
      if (fresh.events.length)
        this.emit({ type: 'events', jobId: j.id, events: fresh.events as FineTuningJobEvent[] });
      if (checkpoints) this.emit({ type: 'checkpoints', jobId: j.id, checkpoints });
    } catch (e) {
      if (this.disposed || !this.jobs.has(j.id)) return;
      const info = this.describe(e);
      j.consecutiveErrors++;
      j.lastError = info;
      j.retryAfterMs = retryAfterOf(e);
      const retryInMs = this.delayFor(j);
      j.dueAt = this.clock.now() + retryInMs;
      this.opts.logger?.warn(
        `polling job ${j.id} failed (${j.consecutiveErrors}× in a row): ${info.message}; next try in ${Math.round(retryInMs / 1000)} s`,
      );
      this.emit({ type: 'error', jobId: j.id, error: info, retryInMs });
    }
  }
}
