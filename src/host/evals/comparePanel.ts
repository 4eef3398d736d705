// The eval comparison panels: one webview panel per comparison (a run folder's two candidates, or two run
// folders), restored after a window reload from the source the webview persists. The numbers come from
// src/core/evals/compareView.ts; this file adds the VS Code parts: loading with progress, the save dialog of an
// export, revealing an item's dataset line, and the webview bridge.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareModel, CompareQuery, CompareSource } from '../../core/evals/compareView';
import {
  CompareError,
  comparisonToCsv,
  comparisonToJsonl,
  compareView,
  loadComparison,
} from '../../core/evals/compareView';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type {
  CompareExportFormat,
  CompareSourceState,
  EvalComparePersistedState,
  EvalCompareProtocol,
  EvalCompareToHost,
  HostToEvalCompare,
} from '../../shared/evalCompareProtocol';
import {
  EVAL_COMPARE_VIEW_TYPE,
  evalCompareRequestSpec,
  evalCompareToHostSpec,
  isEvalComparePersistedState,
} from '../../shared/evalCompareProtocol';
import type { HostContext } from '../hostContext';
import { isTestMode } from '../testMode';
import { WebviewBridge } from '../webviews/webviewBridge';
import { renderWebviewHtml, webviewOptions } from '../webviews/webviewHtml';

const LOG_LIMIT = 200;

type CompareUiState = Omit<EvalComparePersistedState, 'source'>;

function sameRuns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => path.resolve(r) === path.resolve(b[i]));
}

/** What the in-editor tests read about an open comparison panel (test mode only). */
export interface ComparePanelTestView {
  title: string;
  source: CompareSourceState | undefined;
  posted: string[];
}

export class EvalComparePanels extends Disposable {
  private readonly panels = new Set<EvalComparePanel>();

  /** What VS Code calls with each comparison panel it brings back after a reload: the webview kept its source. */
  readonly serializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      if (!isEvalComparePersistedState(state)) {
        panel.dispose();
        return;
      }
      const { source, ...restore } = state;
      this.adopt(
        panel,
        { runs: source.runs as CompareSource['runs'], candidates: source.candidates },
        restore,
      );
    },
  };

  constructor(private readonly ctx: HostContext) {
    super();
    this._register(
      toDisposable(() => {
        for (const p of [...this.panels]) p.panel.dispose();
        this.panels.clear();
      }),
    );
    this._register(vscode.window.registerWebviewPanelSerializer(EVAL_COMPARE_VIEW_TYPE, this.serializer));
  }

  /** Opens (or reveals) the panel of a comparison. */
  open(source: CompareSource): void {
    const existing = [...this.panels].find((p) => p.shows(source));
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      EVAL_COMPARE_VIEW_TYPE,
      'Eval comparison',
      vscode.ViewColumn.Active,
      webviewOptions(this.ctx.extension.extensionUri),
    );
    this.adopt(panel, source);
  }

  /** Open panels as the in-editor tests see them. */
  testView(): ComparePanelTestView[] {
    return [...this.panels].map((p) => ({
      title: p.panel.title,
      source: p.source,
      posted: p.postedMessages(),
    }));
  }

  private adopt(panel: vscode.WebviewPanel, source: CompareSource, restore?: CompareUiState): void {
    const p = new EvalComparePanel(this.ctx, panel, source, restore);
    this.panels.add(p);
    panel.onDidDispose(() => {
      this.panels.delete(p);
      p.dispose();
    });
  }
}

class EvalComparePanel extends Disposable {
  private readonly bridge: WebviewBridge<EvalCompareProtocol>;
  private model: CompareModel | undefined;
  private failure: string | undefined;
  /** The loaded comparison's source (with its candidates resolved), once loading succeeded. */
  source: CompareSourceState | undefined;
  private readonly posted: string[] | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly ctx: HostContext,
    readonly panel: vscode.WebviewPanel,
    private readonly requested: CompareSource,
    private readonly restore?: CompareUiState,
  ) {
    super();
    this.posted = isTestMode(ctx.extension) ? [] : undefined;
    const webview = panel.webview;
    webview.options = webviewOptions(ctx.extension.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'webview', 'media', 'rft-studio.svg');
    this.bridge = this._register(
      new WebviewBridge<EvalCompareProtocol>({
        webview,
        spec: evalCompareToHostSpec,
        log: ctx.log,
        onReady: () => [this.stateMessage()].map((m) => this.record(m)),
        replayQueued: (m) => m.type === 'notice',
        onMessage: (m) => this.onMessage(m),
        requests: {
          spec: evalCompareRequestSpec,
          handlers: {
            getView: async ({ query }) => {
              if (!this.model) throw new Error(this.failure ?? 'The comparison is still loading.');
              const view = compareView(this.model, query);
              this.record({ type: 'view', view } as unknown as HostToEvalCompare);
              return view;
            },
          },
        },
      }),
    );
    webview.html = renderWebviewHtml(webview, ctx.extension.extensionUri, {
      app: 'evalCompare',
      title: 'Eval comparison',
    });
    this._register(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.bridge.reset();
      }),
    );
    this._register(toDisposable(() => this.abort.abort()));
    void this.load();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  /** Whether this panel shows that comparison (no candidates asked: the defaults this panel resolved to). */
  shows(source: CompareSource): boolean {
    if (!sameRuns(source.runs, this.requested.runs)) return false;
    if (!source.candidates) return !this.requested.candidates;
    const shown = this.source?.candidates ?? this.requested.candidates;
    return JSON.stringify(source.candidates) === JSON.stringify(shown);
  }

  postedMessages(): string[] {
    return [...(this.posted ?? [])];
  }

  private record<M>(m: M): M {
    if (this.posted) {
      this.posted.push(JSON.stringify(m));
      if (this.posted.length > LOG_LIMIT) this.posted.splice(0, this.posted.length - LOG_LIMIT);
    }
    return m;
  }

  private post(m: HostToEvalCompare): void {
    this.bridge.post(this.record(m));
  }

  private stateMessage(): HostToEvalCompare {
    if (this.failure) return { type: 'failed', message: this.failure };
    const model = this.model;
    if (!model || !this.source)
      return { type: 'loading', what: this.requested.runs.map((r) => path.basename(r)).join(' and ') };
    return {
      type: 'header',
      header: {
        title: this.panel.title,
        source: this.source,
        names: model.names,
        runNames: [...new Set([model.a.runName, model.b.runName])],
        defaultThreshold: model.defaultThreshold,
        restore: this.restore,
      },
    };
  }

  private async load(): Promise<void> {
    try {
      const model = await vscode.window.withProgress(
        { location: { viewId: 'workbench.view.explorer' }, title: 'Loading the eval comparison' },
        () => loadComparison(this.requested, { signal: this.abort.signal }),
      );
      if (this.isDisposed) return;
      this.model = model;
      this.source = {
        runs: [...new Set([model.a.run, model.b.run])],
        candidates: [model.a.candidate, model.b.candidate],
      };
      this.panel.title = `Eval: ${model.names[0]} vs ${model.names[1]}`;
    } catch (e) {
      if (this.isDisposed) return;
      this.failure =
        e instanceof CompareError ? e.message : `The comparison could not be loaded: ${(e as Error).message}`;
      if (!(e instanceof CompareError)) this.ctx.log.error('Eval comparison failed to load', e);
      this.panel.title = 'Eval comparison';
    }
    this.post(this.stateMessage());
  }

  private async onMessage(m: EvalCompareToHost): Promise<void> {
    switch (m.type) {
      case 'revealItem':
        return this.reveal(m.line);
      case 'export':
        return this.export(m.format, m.query);
    }
  }

  private async reveal(line: number): Promise<void> {
    const dataset = this.model?.dataset;
    if (!dataset) {
      this.post({ type: 'notice', level: 'warning', message: 'The run’s dataset file was not found.' });
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(dataset));
    const pos = new vscode.Position(Math.min(line, Math.max(0, doc.lineCount - 1)), 0);
    await vscode.window.showTextDocument(doc, {
      selection: new vscode.Range(pos, pos),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  }

  private async export(format: CompareExportFormat, query: CompareQuery): Promise<void> {
    const model = this.model;
    if (!model) return;
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(
        path.join(
          model.a.run,
          `comparison-${safe(model.a.candidate)}-vs-${safe(model.b.candidate)}.${format}`,
        ),
      ),
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      title: `Export the eval comparison (${format.toUpperCase()})`,
    });
    // The save dialog asks before replacing an existing file; without a target nothing is written.
    if (!target) return;
    const text = format === 'csv' ? comparisonToCsv(model, query) : comparisonToJsonl(model, query);
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    const where = vscode.workspace.asRelativePath(target);
    this.post({ type: 'notice', level: 'info', message: `Exported the comparison to ${where}.` });
  }
}
