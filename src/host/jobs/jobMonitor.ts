// Follows every remembered job: one core JobPoller per provider (only new events, back-off on errors and when
// nothing changes, silence while no job is active and the view is hidden), folds what it learns into the view
// model, persists a snapshot per job, and tells the user about state changes and metric alerts.
import * as vscode from 'vscode';
import type { FineTuningJob, FineTuningJobCheckpoint, FineTuningJobEvent } from '../../core/jobs/jobsService';
import { JobsService } from '../../core/jobs/jobsService';
import type { PollerChange } from '../../core/jobs/poller';
import { JobPoller } from '../../core/jobs/poller';
import type { MetricsAlert, MetricsSeries } from '../../core/jobs/metrics';
import { detectAlerts, parseMetricsEvents } from '../../core/jobs/metrics';
import { describeApiError } from '../../core/providers';
import type { IDisposable } from '../../core/lifecycle';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import type { JobNotifier } from './jobNotifier';
import type { JobSnapshot, JobStore, TrackedJob } from './jobStore';
import { jobKey } from './jobStore';
import type { JobView } from './jobsModel';
import { actionsFor, isActiveStatus } from './jobsModel';
import { checkpointRow, eventRow } from './detailsModel';
import type { Providers } from '../providers/providers';
import { MissingCredentialError } from '../providers/providerStore';

interface RuntimeJob {
  tracked: TrackedJob;
  job?: FineTuningJob;
  events: Map<string, FineTuningJobEvent>;
  checkpoints: Map<string, FineTuningJobCheckpoint>;
  series: MetricsSeries;
  alerts: MetricsAlert[];
  alerted: Set<string>;
  pollProblem?: string;
  lastUpdated?: number;
  /** Polling stopped for good (the provider does not know the job, or has been removed). */
  lost?: boolean;
}

interface ProviderPoller {
  poller: JobPoller;
  service: JobsService;
  sub: IDisposable;
}

const EMPTY_SERIES: MetricsSeries = { points: [], graderNames: [] };

export class JobMonitor extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires (coalesced) whenever anything shown in the tree or the details changes. */
  readonly onDidChange = this._onDidChange.event;
  private readonly runtime = new Map<string, RuntimeJob>();
  private readonly pollers = new Map<string, Promise<ProviderPoller | undefined>>();
  private visible = false;
  private readonly askedForKey = new Set<string>();
  private fireScheduled = false;

  constructor(
    private readonly ctx: HostContext,
    private readonly store: JobStore,
    private readonly providers: Providers,
    private readonly notifier: JobNotifier,
  ) {
    super();
    this._register(store.onDidChange(() => this.sync()));
    this._register(providers.onDidChange(() => this.restartPollers()));
    this._register(
      ctx.config.onDidChange((e) => {
        if (e.affectsConfiguration('rftStudio.jobs') || e.affectsConfiguration('rftStudio.alerts'))
          this.restartPollers();
      }),
    );
    this._register(
      toDisposable(() => {
        for (const p of this.pollers.values()) void p.then((pp) => this.disposePoller(pp));
        this.pollers.clear();
      }),
    );
    this.sync();
  }

  // ---- reading -------------------------------------------------------------------------------------------

  jobs(): JobView[] {
    return this.store
      .list()
      .map((t) => this.view(jobKey(t.providerId, t.jobId))!)
      .filter(Boolean);
  }

  view(key: string): JobView | undefined {
    const rt = this.runtime.get(key);
    if (!rt) return undefined;
    const t = rt.tracked;
    const provider = this.providers.get(t.providerId);
    const snapshot = this.snapshotOf(rt);
    const files: JobView['files'] = [];
    const job = rt.job as (FineTuningJob & Record<string, unknown>) | undefined;
    const localOf = (id: string | null | undefined, role: 'training' | 'validation') =>
      rt.tracked.files?.find((f) => f.id === id && f.role === role)?.localPath;
    const trainingId = job?.training_file ?? t.files?.find((f) => f.role === 'training')?.id;
    const validationId = job?.validation_file ?? t.files?.find((f) => f.role === 'validation')?.id;
    if (trainingId)
      files.push({ role: 'training', id: trainingId, localPath: localOf(trainingId, 'training') });
    if (validationId)
      files.push({ role: 'validation', id: validationId, localPath: localOf(validationId, 'validation') });
    for (const id of job?.result_files ?? []) files.push({ role: 'result', id });
    return {
      key,
      providerId: t.providerId,
      providerLabel: provider?.label ?? `${t.providerId} (removed)`,
      jobId: t.jobId,
      snapshot,
      events: [...rt.events.values()].map(eventRow),
      checkpoints: [...rt.checkpoints.values()].map(checkpointRow),
      files,
      alerts: rt.alerts.map((a) => ({ kind: a.kind, message: a.message, step: a.step })),
      actions:
        provider && !rt.lost
          ? actionsFor(snapshot.status, { pauseResume: true, cancel: true }, !!snapshot.fineTunedModel)
          : ['copyId'],
      pollProblem: rt.pollProblem,
      lastUpdated: rt.lastUpdated,
      orphan: !provider,
      lost: rt.lost,
    };
  }

  series(key: string): MetricsSeries {
    return this.runtime.get(key)?.series ?? EMPTY_SERIES;
  }

  /** Any job that is still moving (drives the status bar spinner); a job nobody can follow any more is not. */
  activeCount(): number {
    return this.jobs().filter((j) => isActiveStatus(j.snapshot.status) && !j.orphan && !j.lost).length;
  }

  // ---- acting --------------------------------------------------------------------------------------------

  setVisible(visible: boolean): void {
    this.visible = visible;
    for (const p of this.pollers.values()) void p.then((pp) => pp?.poller.setVisible(visible));
  }

  async refresh(): Promise<void> {
    for (const rt of this.runtime.values()) {
      if (rt.lost && this.providers.get(rt.tracked.providerId)) {
        rt.lost = false;
        rt.pollProblem = undefined;
      }
    }
    this.restartPollers();
    await Promise.all([...this.pollers.values()].map(async (p) => (await p)?.poller.pollNow()));
  }

  async act(key: string, action: 'pause' | 'resume' | 'cancel'): Promise<FineTuningJob> {
    const rt = this.runtime.get(key);
    if (!rt) throw new Error('This job is no longer in the list.');
    const pp = await this.pollerFor(rt.tracked.providerId, true);
    if (!pp) throw new Error(`The provider "${rt.tracked.providerId}" is not available.`);
    const job = await pp.service[action](rt.tracked.jobId);
    this.applyJob(rt, job);
    // The state machine moved: poll right away (and reset back-off) so the tree follows without waiting.
    void pp.poller.pollNow().catch((e) => this.ctx.log.warn(`poll after ${action} failed`, e));
    return job;
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** Aligns runtime entries and poller subscriptions with the stored job list. */
  private sync(): void {
    const keys = new Set<string>();
    for (const t of this.store.list()) {
      const key = jobKey(t.providerId, t.jobId);
      keys.add(key);
      let rt = this.runtime.get(key);
      if (!rt) {
        rt = {
          tracked: t,
          events: new Map(),
          checkpoints: new Map(),
          series: EMPTY_SERIES,
          alerts: [],
          alerted: new Set(t.snapshot?.alerted ?? []),
        };
        this.runtime.set(key, rt);
        void this.startTracking(rt);
      } else {
        rt.tracked = t;
      }
    }
    for (const [key, rt] of this.runtime) {
      if (!keys.has(key)) {
        this.runtime.delete(key);
        void this.pollers.get(rt.tracked.providerId)?.then((pp) => pp?.poller.untrack(rt.tracked.jobId));
      }
    }
    this.fire();
  }

  private async startTracking(rt: RuntimeJob): Promise<void> {
    const pp = await this.pollerFor(rt.tracked.providerId, false);
    if (!pp || !this.runtime.has(jobKey(rt.tracked.providerId, rt.tracked.jobId))) return;
    // After a reload the events are fetched again from the start (charts need them); afterwards only new ones.
    pp.poller.track(rt.tracked.jobId, { checkpointIds: [] });
  }

  private pollerFor(providerId: string, interactive: boolean): Promise<ProviderPoller | undefined> {
    const existing = this.pollers.get(providerId);
    if (existing) return existing;
    const created = (async (): Promise<ProviderPoller | undefined> => {
      try {
        const { client } = await this.providers.client(providerId, { interactive });
        const service = new JobsService(client);
        const jobs = this.ctx.config.section('jobs');
        const intervalMs = Math.max(1, jobs.pollIntervalSeconds) * 1000;
        const maxIntervalMs = Math.max(intervalMs, jobs.maxPollIntervalSeconds * 1000);
        const poller = new JobPoller({
          service,
          logger: this.ctx.log,
          intervalMs,
          maxIntervalMs,
          // Nobody is looking: a running job is still followed (for notifications), once a minute at most.
          hiddenIntervalMs: Math.min(maxIntervalMs, Math.max(intervalMs, 60_000)),
          describeError: describeApiError,
        });
        const sub = poller.onDidChange((c) => this.onPollerChange(providerId, c));
        poller.setVisible(this.visible);
        return { poller, service, sub };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.ctx.log.warn(`Cannot poll jobs of provider ${providerId}: ${message}`);
        if (e instanceof MissingCredentialError && !this.askedForKey.has(providerId)) {
          // Once per session: the jobs are there, only the key is missing on this machine.
          this.askedForKey.add(providerId);
          void this.notifier
            .show('warning', `RFT Studio cannot follow jobs on ${e.provider.label}: ${message}`, 'Enter Key')
            .then((pick) => pick && vscode.commands.executeCommand('rftStudio.setProviderKey', providerId));
        }
        for (const rt of this.runtime.values()) {
          if (rt.tracked.providerId === providerId) rt.pollProblem = message;
        }
        this.pollers.delete(providerId);
        this.fire();
        return undefined;
      }
    })();
    this.pollers.set(providerId, created);
    return created;
  }

  /** Settings, providers or keys changed: rebuild the pollers (clients) and re-track every job. */
  private restartPollers(): void {
    const old = [...this.pollers.values()];
    this.pollers.clear();
    for (const p of old) void p.then((pp) => this.disposePoller(pp));
    for (const rt of this.runtime.values()) {
      if (!rt.lost) void this.startTracking(rt);
    }
    this.fire();
  }

  private disposePoller(pp: ProviderPoller | undefined): void {
    if (!pp) return;
    pp.sub.dispose();
    pp.poller.dispose();
  }

  private onPollerChange(providerId: string, c: PollerChange): void {
    if (c.type === 'scheduled') return;
    const rt = this.runtime.get(jobKey(providerId, c.jobId));
    if (!rt) return;
    switch (c.type) {
      case 'job': {
        // The poller reports transitions only between two of its own reads; the first read after a reload is
        // compared with the snapshot stored before it, so a job that finished meanwhile is still announced.
        const before = rt.job ? undefined : rt.tracked.snapshot?.status;
        this.applyJob(rt, c.job);
        if (before && before !== c.job.status) this.notifyTransition(rt, before, c.job.status);
        break;
      }
      case 'transition':
        this.applyJob(rt, c.job);
        this.notifyTransition(rt, c.from ?? rt.tracked.snapshot?.status, c.to);
        break;
      case 'events': {
        for (const e of c.events) rt.events.set(String(e.id), e);
        this.recomputeMetrics(rt);
        rt.pollProblem = undefined;
        rt.lastUpdated = Date.now();
        break;
      }
      case 'checkpoints':
        // The provider keeps only its best few checkpoints: the list it returns replaces ours.
        rt.checkpoints = new Map(c.checkpoints.map((ck) => [String(ck.id), ck]));
        break;
      case 'error': {
        const secs = Math.round(c.retryInMs / 1000);
        if (c.error.status === 404) {
          rt.lost = true;
          rt.pollProblem = `${rt.tracked.providerId} does not know this job any more (404). It may have been deleted, or the server was restarted.`;
          void this.pollers.get(providerId)?.then((pp) => pp?.poller.untrack(c.jobId));
        } else {
          rt.pollProblem = `${c.error.message}${c.error.retryable ? ` — retrying in ${secs} s` : ''}`;
        }
        this.ctx.log.warn(
          `Polling ${c.jobId} failed: ${c.error.message}${c.error.requestId ? ` (request ${c.error.requestId})` : ''}`,
        );
        break;
      }
      case 'recovered':
        rt.pollProblem = undefined;
        this.ctx.log.info(`Polling ${c.jobId} recovered`);
        break;
    }
    this.persist(rt);
    this.fire();
  }

  private applyJob(rt: RuntimeJob, job: FineTuningJob): void {
    rt.job = job;
    rt.lastUpdated = Date.now();
  }

  private recomputeMetrics(rt: RuntimeJob): void {
    try {
      rt.series = parseMetricsEvents([...rt.events.values()]);
      rt.alerts = detectAlerts(rt.series, {
        validGap: this.ctx.config.value('alerts.validationGap'),
        parseErrorRise: this.ctx.config.value('alerts.parseErrorRise'),
      });
    } catch (e) {
      this.ctx.log.error('Could not read the metrics events', e);
      return;
    }
    for (const a of rt.alerts) {
      if (rt.alerted.has(a.kind)) continue;
      rt.alerted.add(a.kind);
      if (!isActiveStatus(this.snapshotOf(rt).status)) continue;
      void this.notifyAlert(rt, a);
    }
  }

  private snapshotOf(rt: RuntimeJob): JobSnapshot {
    const prev = rt.tracked.snapshot;
    const job = rt.job as (FineTuningJob & Record<string, unknown>) | undefined;
    const last = rt.series.points.at(-1);
    const lastValid = [...rt.series.points].reverse().find((p) => p.validRewardMean !== undefined);
    const suffix =
      (typeof job?.user_provided_suffix === 'string' ? job.user_provided_suffix : undefined) ??
      (typeof job?.suffix === 'string' ? job.suffix : undefined) ??
      prev?.suffix;
    return {
      status: job?.status ?? prev?.status ?? 'unknown',
      model: job?.model ?? prev?.model ?? '',
      suffix,
      fineTunedModel: job?.fine_tuned_model ?? prev?.fineTunedModel,
      createdAt: job?.created_at ?? prev?.createdAt,
      finishedAt: job?.finished_at ?? prev?.finishedAt,
      estimatedFinish: job?.estimated_finish ?? prev?.estimatedFinish,
      error: job?.error?.message
        ? { code: job.error.code ?? undefined, message: job.error.message }
        : job
          ? undefined
          : prev?.error,
      step: last?.step ?? prev?.step,
      totalSteps: last?.totalSteps ?? rt.series.totalSteps ?? prev?.totalSteps,
      trainReward: last?.trainRewardMean ?? prev?.trainReward,
      validReward: lastValid?.validRewardMean ?? prev?.validReward,
      alerted: [...rt.alerted],
    };
  }

  private persist(rt: RuntimeJob): void {
    const snapshot = this.snapshotOf(rt);
    rt.tracked = { ...rt.tracked, snapshot };
    void this.store.saveSnapshot(jobKey(rt.tracked.providerId, rt.tracked.jobId), snapshot);
  }

  private notifyTransition(rt: RuntimeJob, from: string | undefined, to: string): void {
    if (from === to || from === undefined) return;
    const mode = this.ctx.config.value('jobs.notifications');
    const terminal = ['succeeded', 'failed', 'cancelled'].includes(to);
    if (mode === 'none' || (mode === 'terminal' && !terminal)) return;
    const s = this.snapshotOf(rt);
    const name = s.suffix ? `"${s.suffix}" (${rt.tracked.jobId})` : rt.tracked.jobId;
    const key = jobKey(rt.tracked.providerId, rt.tracked.jobId);
    this.ctx.log.info(`Job ${rt.tracked.jobId}: ${from} → ${to}`);
    if (to === 'succeeded') {
      const model = s.fineTunedModel;
      const items = model ? ['Copy Model ID', 'Open Details'] : ['Open Details'];
      void this.notifier
        .show('info', `Fine-tuning job ${name} succeeded.${model ? ` Model: ${model}` : ''}`, ...items)
        .then((pick) => this.onNotificationPick(key, pick, model));
    } else if (to === 'failed') {
      const why = s.error ? ` ${s.error.code ? `${s.error.code}: ` : ''}${s.error.message}` : '';
      void this.notifier
        .show('error', `Fine-tuning job ${name} failed.${why}`, 'Open Details')
        .then((pick) => this.onNotificationPick(key, pick));
    } else if (to === 'cancelled') {
      void this.notifier.show('warning', `Fine-tuning job ${name} was cancelled.`);
    } else {
      void this.notifier
        .show('info', `Fine-tuning job ${name} is now ${to.replace(/_/g, ' ')}.`, 'Open Details')
        .then((pick) => this.onNotificationPick(key, pick));
    }
  }

  private async notifyAlert(rt: RuntimeJob, a: MetricsAlert): Promise<void> {
    const key = jobKey(rt.tracked.providerId, rt.tracked.jobId);
    this.ctx.log.warn(`Alert on ${rt.tracked.jobId} at step ${a.step}: ${a.message}`);
    const pick = await this.notifier.show(
      'warning',
      `Job ${rt.tracked.snapshot?.suffix ?? rt.tracked.jobId}: ${a.message}`,
      'Pause Job',
      'Open Details',
    );
    if (pick === 'Pause Job') {
      try {
        await this.act(key, 'pause');
      } catch (e) {
        void this.notifier.show('error', `Could not pause the job: ${describeApiError(e).message}`);
      }
    } else {
      await this.onNotificationPick(key, pick);
    }
  }

  private async onNotificationPick(key: string, pick: string | undefined, model?: string): Promise<void> {
    if (pick === 'Copy Model ID' && model) {
      await vscode.env.clipboard.writeText(model);
      void vscode.window.setStatusBarMessage(`Copied ${model}`, 3000);
    } else if (pick === 'Open Details') {
      await vscode.commands.executeCommand('rftStudio.openJobDetails', key);
    }
  }

  private fire(): void {
    if (this.fireScheduled) return;
    this.fireScheduled = true;
    setTimeout(() => {
      this.fireScheduled = false;
      this._onDidChange.fire();
    }, 50);
  }
}
