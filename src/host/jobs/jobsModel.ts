// The view model the Jobs tree, the status bar and the details panel read: one entry per remembered job, with
// what polling has learned so far. Plain data, no vscode types, so the mapping helpers can be reasoned about alone.
import type { AlertRow, CheckpointRow, EventRow, JobAction } from '../../shared/jobDetailsProtocol';
import type { JobSnapshot } from './jobStore';

export interface JobFileRef {
  role: 'training' | 'validation' | 'result';
  id: string;
  /** Local path the file was uploaded from, when this workspace launched the job. */
  localPath?: string;
}

export interface JobView {
  key: string;
  providerId: string;
  providerLabel: string;
  jobId: string;
  snapshot: JobSnapshot;
  events: EventRow[];
  checkpoints: CheckpointRow[];
  files: JobFileRef[];
  alerts: AlertRow[];
  /** Actions possible now (status × provider capabilities). */
  actions: JobAction[];
  /** Human text for the last polling problem (429, network…), cleared on the next success. */
  pollProblem?: string;
  lastUpdated?: number;
  /** The provider entry no longer exists (removed); the job is shown greyed and not polled. */
  orphan?: boolean;
  /** The provider no longer knows the job (404): polling stopped, the snapshot is what was last seen. */
  lost?: boolean;
}

export const TERMINAL_STATUSES: readonly string[] = ['succeeded', 'failed', 'cancelled'];

export function isActiveStatus(status: string): boolean {
  return !TERMINAL_STATUSES.includes(status) && status !== 'paused';
}

export function actionsFor(
  status: string,
  caps: { pauseResume: boolean; cancel: boolean },
  hasModel: boolean,
): JobAction[] {
  const out: JobAction[] = [];
  if (caps.pauseResume && status === 'running') out.push('pause');
  if (caps.pauseResume && status === 'paused') out.push('resume');
  if (caps.cancel && !TERMINAL_STATUSES.includes(status)) out.push('cancel');
  // A succeeded job's model can be compared with its base model (rftStudio.evaluateJob).
  if (hasModel && status === 'succeeded') out.push('evaluate');
  if (hasModel) out.push('copyModel');
  out.push('copyId', 'refresh');
  return out;
}

/** "about 12 min left" from an estimated finish (epoch seconds) or from step progress and elapsed time. */
export function etaText(s: JobSnapshot, nowMs: number): string | undefined {
  if (!isActiveStatus(s.status)) return undefined;
  let remainingSec: number | undefined;
  if (s.estimatedFinish && s.estimatedFinish * 1000 > nowMs) remainingSec = s.estimatedFinish - nowMs / 1000;
  else if (s.step && s.totalSteps && s.createdAt && s.step > 0 && s.step < s.totalSteps) {
    const elapsed = nowMs / 1000 - s.createdAt;
    remainingSec = (elapsed / s.step) * (s.totalSteps - s.step);
  }
  if (remainingSec === undefined || !Number.isFinite(remainingSec) || remainingSec < 0) return undefined;
  if (remainingSec < 90) return 'about a minute left';
  if (remainingSec < 3600) return `about ${Math.round(remainingSec / 60)} min left`;
  const h = Math.floor(remainingSec / 3600);
  const m = Math.round((remainingSec % 3600) / 60);
  return `about ${h} h ${m} min left`;
}

export function fmtReward(v: number | undefined): string | undefined {
  return v === undefined || !Number.isFinite(v) ? undefined : v.toFixed(3);
}

/** One-line description for the tree row: model · step k/n · rewards · ETA. */
export function describeJob(s: JobSnapshot, nowMs: number): string {
  const parts: string[] = [s.status.replace(/_/g, ' ')];
  if (s.step !== undefined) parts.push(s.totalSteps ? `step ${s.step}/${s.totalSteps}` : `step ${s.step}`);
  const tr = fmtReward(s.trainReward);
  const vr = fmtReward(s.validReward);
  if (tr || vr) parts.push([tr && `train ${tr}`, vr && `valid ${vr}`].filter(Boolean).join(' / '));
  const eta = etaText(s, nowMs);
  if (eta) parts.push(eta);
  return parts.join(' · ');
}

/**
 * The "Last job" CodeLens of a spec: the job and its status as the monitor knows it. A job the monitor can no
 * longer follow (the provider forgot it, or is not configured) shows its status as last seen, never as current.
 */
export function lastJobLens(
  job: Pick<JobView, 'jobId' | 'snapshot' | 'providerLabel' | 'pollProblem' | 'orphan' | 'lost'>,
): { title: string; tooltip: string } {
  const status = job.snapshot.status === 'unknown' ? undefined : job.snapshot.status.replace(/_/g, ' ');
  const why = job.lost
    ? `${job.providerLabel} no longer knows it`
    : job.orphan
      ? 'its provider is not configured'
      : undefined;
  if (why) {
    return {
      title: `$(warning) Last job: ${job.jobId} (${status ? `${status} when last seen; ` : ''}${why})`,
      tooltip: job.pollProblem ?? `The job can no longer be followed: ${why}.`,
    };
  }
  return {
    title: `$(graph-line) Last job: ${job.jobId}${status ? ` (${status})` : ''}`,
    tooltip: job.pollProblem ? `Open the job details. ${job.pollProblem}` : 'Open the job details',
  };
}
