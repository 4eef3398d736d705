// The jobs this workspace remembers (workspaceState): which provider, which job id, where its spec lives, and the
// last snapshot seen, so the Jobs view is filled instantly after a reload and polling resumes where it stopped.
import { Disposable } from '../../core/lifecycle';
import * as vscode from 'vscode';

export interface JobSnapshot {
  status: string;
  model: string;
  suffix?: string;
  fineTunedModel?: string;
  createdAt?: number;
  finishedAt?: number;
  estimatedFinish?: number;
  error?: { code?: string; message: string };
  step?: number;
  totalSteps?: number;
  trainReward?: number;
  validReward?: number;
  /** Alert kinds already notified for this job (each kind is announced once). */
  alerted?: string[];
}

export interface TrackedJob {
  providerId: string;
  jobId: string;
  /** Workspace-relative path of the spec the job was launched from, if any. */
  specPath?: string;
  trackedAt: number;
  /** Files this workspace uploaded for the job (id ↔ local path). */
  files?: Array<{ role: 'training' | 'validation'; id: string; localPath: string }>;
  snapshot?: JobSnapshot;
}

const KEY = 'rftStudio.trackedJobs';

export function jobKey(providerId: string, jobId: string): string {
  return `${providerId}/${jobId}`;
}

export class JobStore extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly state: vscode.Memento) {
    super();
  }

  list(): TrackedJob[] {
    const raw = this.state.get<unknown>(KEY, []);
    if (!Array.isArray(raw)) return [];
    return raw.filter(
      (j): j is TrackedJob =>
        typeof j === 'object' &&
        j !== null &&
        typeof j.providerId === 'string' &&
        typeof j.jobId === 'string',
    );
  }

  get(key: string): TrackedJob | undefined {
    return this.list().find((j) => jobKey(j.providerId, j.jobId) === key);
  }

  async track(job: TrackedJob): Promise<void> {
    const key = jobKey(job.providerId, job.jobId);
    const others = this.list().filter((j) => jobKey(j.providerId, j.jobId) !== key);
    await this.state.update(KEY, [job, ...others]);
    this._onDidChange.fire();
  }

  /** Updates the stored snapshot without firing a change (the monitor fires its own). */
  async saveSnapshot(key: string, snapshot: JobSnapshot): Promise<void> {
    const all = this.list();
    const i = all.findIndex((j) => jobKey(j.providerId, j.jobId) === key);
    if (i < 0) return;
    all[i] = { ...all[i], snapshot };
    await this.state.update(KEY, all);
  }

  async forget(key: string): Promise<void> {
    await this.state.update(
      KEY,
      this.list().filter((j) => jobKey(j.providerId, j.jobId) !== key),
    );
    this._onDidChange.fire();
  }

  /** How many remembered jobs run on a provider. */
  countFor(providerId: string): number {
    return this.list().filter((j) => j.providerId === providerId).length;
  }

  async forgetProvider(providerId: string): Promise<void> {
    await this.state.update(
      KEY,
      this.list().filter((j) => j.providerId !== providerId),
    );
    this._onDidChange.fire();
  }
}
