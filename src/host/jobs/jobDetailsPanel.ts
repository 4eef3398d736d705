// The job details webview panel: one per job, fed with the monitor's view model on every change, restored after
// a window reload by a WebviewPanelSerializer (the webview persists the job key with setState).
import * as vscode from 'vscode';
import type {
  HostToJobDetails,
  JobDetailsProtocol,
  JobDetailsState,
  JobDetailsToHost,
} from '../../shared/jobDetailsProtocol';
import {
  JOB_DETAILS_VIEW_TYPE,
  isJobDetailsPersistedState,
  jobDetailsToHostSpec,
} from '../../shared/jobDetailsProtocol';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { isTestMode } from '../testMode';
import { WebviewBridge } from '../webviews/webviewBridge';
import { renderWebviewHtml, webviewOptions } from '../webviews/webviewHtml';
import type { HostContext } from '../hostContext';
import type { JobMonitor } from './jobMonitor';
import { chartsFromSeries } from './detailsModel';
import { etaText } from './jobsModel';

const LOG_LIMIT = 500;

export class JobDetailsPanels extends Disposable {
  private readonly panels = new Map<string, JobDetailsPanel>();
  private readonly _onDidChangeVisibility = this._register(new vscode.EventEmitter<void>());
  /** A details panel was shown, hidden, opened or closed (someone may be watching a job). */
  readonly onDidChangeVisibility = this._onDidChangeVisibility.event;

  /** What VS Code calls with each details panel it brings back after a reload: the webview kept the job key. */
  readonly serializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      if (isJobDetailsPersistedState(state)) this.adopt(panel, state.key);
      else panel.dispose();
    },
  };

  /**
   * Under the test harness only: every message posted to a details webview, newest last (bounded), so the in-editor
   * tests can prove no secret is ever sent. Undefined in a user's window, where nothing is kept.
   */
  private readonly posted: string[] | undefined;

  constructor(
    private readonly ctx: HostContext,
    private readonly monitor: JobMonitor,
  ) {
    super();
    this.posted = isTestMode(ctx.extension) ? [] : undefined;
    this._register(
      toDisposable(() => {
        for (const p of this.panels.values()) p.panel.dispose();
        this.panels.clear();
      }),
    );
    this._register(vscode.window.registerWebviewPanelSerializer(JOB_DETAILS_VIEW_TYPE, this.serializer));
  }

  open(key: string): void {
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const job = this.monitor.view(key);
    const panel = vscode.window.createWebviewPanel(
      JOB_DETAILS_VIEW_TYPE,
      job ? `Job ${job.snapshot.suffix ?? job.jobId}` : 'Job details',
      vscode.ViewColumn.Active,
      webviewOptions(this.ctx.extension.extensionUri),
    );
    this.adopt(panel, key);
  }

  /** Open panels (for tests). */
  openKeys(): string[] {
    return [...this.panels.keys()];
  }

  /** The messages posted to details webviews so far (test mode only; empty otherwise). */
  postedMessages(): string[] {
    return [...(this.posted ?? [])];
  }

  anyVisible(): boolean {
    return [...this.panels.values()].some((p) => p.panel.visible);
  }

  private adopt(panel: vscode.WebviewPanel, key: string): void {
    const p = new JobDetailsPanel(this.ctx, this.monitor, panel, key, (text) => this.record(text));
    this.panels.set(key, p);
    panel.onDidChangeViewState(() => this._onDidChangeVisibility.fire());
    panel.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
      p.dispose();
      this._onDidChangeVisibility.fire();
    });
    this._onDidChangeVisibility.fire();
  }

  private record(text: string): void {
    const posted = this.posted;
    if (!posted) return;
    posted.push(text);
    if (posted.length > LOG_LIMIT) posted.splice(0, posted.length - LOG_LIMIT);
  }
}

class JobDetailsPanel extends Disposable {
  private readonly bridge: WebviewBridge<JobDetailsProtocol>;
  private lastSent = '';

  constructor(
    private readonly ctx: HostContext,
    private readonly monitor: JobMonitor,
    readonly panel: vscode.WebviewPanel,
    private readonly key: string,
    private readonly record: (text: string) => void,
  ) {
    super();
    this._register(toDisposable(() => this.ctx.log.debug(`Job details for ${this.key} closed`)));
    const webview = panel.webview;
    webview.options = webviewOptions(ctx.extension.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'webview', 'media', 'rft-studio.svg');
    this.bridge = this._register(
      new WebviewBridge<JobDetailsProtocol>({
        webview,
        spec: jobDetailsToHostSpec,
        log: ctx.log,
        onReady: () => {
          this.lastSent = '';
          const m = this.message();
          this.lastSent = JSON.stringify(m);
          this.record(this.lastSent);
          return [m];
        },
        onMessage: (msg) => this.onMessage(msg),
      }),
    );
    webview.html = renderWebviewHtml(webview, ctx.extension.extensionUri, {
      app: 'jobDetails',
      title: 'Job details',
    });
    this._register(monitor.onDidChange(() => this.push()));
    this._register(
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.push();
        else this.bridge.reset();
      }),
    );
  }

  private message(): HostToJobDetails {
    const job = this.monitor.view(this.key);
    if (!job) {
      return {
        type: 'missing',
        key: this.key,
        reason:
          'This job is no longer in the Jobs view (it was removed from the list, or its provider was removed).',
      };
    }
    const s = job.snapshot;
    this.panel.title = `Job ${s.suffix ?? job.jobId}`;
    const state: JobDetailsState = {
      header: {
        key: job.key,
        id: job.jobId,
        providerLabel: job.providerLabel,
        status: s.status,
        model: s.model,
        suffix: s.suffix,
        fineTunedModel: s.fineTunedModel,
        step: s.step,
        totalSteps: s.totalSteps,
        eta: etaText(s, Date.now()),
        createdAt: s.createdAt,
        finishedAt: s.finishedAt,
        error: s.error,
        actions: job.actions,
        lastUpdated: job.lastUpdated,
        pollProblem: job.pollProblem,
      },
      charts: chartsFromSeries(this.monitor.series(this.key)),
      events: job.events,
      checkpoints: job.checkpoints,
      alerts: job.alerts,
    };
    return { type: 'state', state };
  }

  private push(): void {
    // Hidden panels (retainContextWhenHidden is off) get the full state on their next `ready`.
    if (!this.panel.visible) return;
    const m = this.message();
    const text = JSON.stringify(m);
    if (text === this.lastSent) return;
    this.lastSent = text;
    this.record(text);
    this.bridge.post(m);
  }

  private async onMessage(msg: JobDetailsToHost): Promise<void> {
    switch (msg.type) {
      case 'action': {
        const command = {
          pause: 'rftStudio.pauseJob',
          resume: 'rftStudio.resumeJob',
          cancel: 'rftStudio.cancelJob',
          evaluate: 'rftStudio.evaluateJob',
          copyId: 'rftStudio.copyJobId',
          copyModel: 'rftStudio.copyFineTunedModel',
          refresh: 'rftStudio.refreshJobs',
        }[msg.action];
        await vscode.commands.executeCommand(command, this.key);
        break;
      }
    }
  }
}
