// The Grader Lab webview panel: one per window, restored after a reload. The lab itself (setup, pairing,
// sampling, runs, analysis, remote check) is a LabSession in src/core/lab; this panel adds the VS Code parts:
// file dialogs, the sampling confirmation, revealing a line, writing an export, and the webview bridge.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toCsv, toJsonl } from '../../core/lab/export';
import type { LabSetup } from '../../core/lab/types';
import { LabSession } from '../../core/lab/labSession';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { ExportFormat, GraderLabProtocol, LabToHost, PickTarget } from '../../shared/graderLabProtocol';
import { LAB_VIEW_TYPE, labToHostSpec } from '../../shared/graderLabProtocol';
import type { HostContext } from '../hostContext';
import { WebviewBridge } from '../webviews/webviewBridge';
import { renderWebviewHtml, webviewOptions } from '../webviews/webviewHtml';

const PICK_FILTERS: Record<PickTarget, Record<string, string[]>> = {
  dataset: { 'JSON Lines': ['jsonl'] },
  samples: { 'JSON Lines': ['jsonl'] },
  responseFormat: { JSON: ['json'] },
  grader: { 'Grader JSON': ['json'] },
};
const PICK_TITLES: Record<PickTarget, string> = {
  dataset: 'Dataset',
  samples: 'Sample outputs',
  responseFormat: 'Response format',
  grader: 'Add grader',
};

export class GraderLabPanel extends Disposable {
  private static current: GraderLabPanel | undefined;

  private readonly bridge: WebviewBridge<GraderLabProtocol>;
  private readonly session: LabSession;

  static show(ctx: HostContext, addGrader?: vscode.Uri): GraderLabPanel {
    if (!GraderLabPanel.current) {
      // No retainContextWhenHidden: a hidden lab is torn down and, when shown again, rebuilt from the session
      // snapshot the bridge re-sends on `ready` (its UI state — sort, filter — comes back from getState).
      const panel = vscode.window.createWebviewPanel(
        LAB_VIEW_TYPE,
        'Grader Lab',
        vscode.ViewColumn.Active,
        webviewOptions(ctx.extension.extensionUri),
      );
      GraderLabPanel.current = new GraderLabPanel(ctx, panel);
    } else {
      GraderLabPanel.current.panel.reveal();
    }
    if (addGrader) void GraderLabPanel.current.session.addGraders([addGrader.fsPath]);
    return GraderLabPanel.current;
  }

  static revive(ctx: HostContext, panel: vscode.WebviewPanel): void {
    GraderLabPanel.current?.dispose();
    panel.webview.options = webviewOptions(ctx.extension.extensionUri);
    GraderLabPanel.current = new GraderLabPanel(ctx, panel);
  }

  private constructor(
    private readonly ctx: HostContext,
    private readonly panel: vscode.WebviewPanel,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'webview', 'media', 'rft-studio.svg');
    panel.webview.html = renderWebviewHtml(panel.webview, ctx.extension.extensionUri, {
      app: 'graderLab',
      title: 'Grader Lab',
    });
    this.session = new LabSession({
      log: ctx.log,
      emit: (event) => this.bridge.post(event),
      provider: () => ctx.providers.active(),
      trusted: () => vscode.workspace.isTrusted,
      python: () => {
        const python = ctx.config.section('python');
        return {
          interpreter: python.interpreter,
          timeoutMs: python.timeoutSeconds * 1000,
          allowUnsandboxed: python.allowUnsandboxed,
        };
      },
      textSimilarity: () => ({ tokenizerSwitch: ctx.config.value('grading.tokenizerSwitch') }),
      confirmSampling: async (plan, provider) =>
        (await vscode.window.showWarningMessage(
          `Sample ${plan.model} through ${provider.label}?`,
          { modal: true, detail: `${plan.summary}\nNothing is sent until you confirm.` },
          'Send',
        )) === 'Send',
      store: ctx.extension.workspaceState,
      defaults: () => this.workspaceDefaults(),
      readText: async (file) =>
        Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8'),
    });
    this.bridge = this._register(
      new WebviewBridge<GraderLabProtocol>({
        webview: panel.webview,
        spec: labToHostSpec,
        log: ctx.log,
        onReady: () => this.session.snapshot(),
        replayQueued: (m) => m.type === 'notice',
        onMessage: (m) => this.onMessage(m),
      }),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.bridge.reset();
      }),
    );
    this._register(toDisposable(() => this.session.dispose()));
    this._register(
      toDisposable(() => GraderLabPanel.current === this && (GraderLabPanel.current = undefined)),
    );
    void this.session.start();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  /** Workspace settings rftStudio.lab.* seed an empty lab (the demo workspace uses them). */
  private workspaceDefaults(): Partial<LabSetup> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) return {};
    const abs = (p: string | undefined) => (p ? path.resolve(folder, p) : undefined);
    const lab = this.ctx.config.section('lab');
    const graders = lab.graders.map((g) => path.resolve(folder, g));
    return {
      dataset: abs(lab.dataset),
      samplesFile: abs(lab.samples),
      responseFormat: abs(lab.responseFormat),
      graders: graders.map((p) => ({ path: p, label: path.basename(p), type: '' })),
    };
  }

  private async onMessage(m: LabToHost): Promise<void> {
    const session = this.session;
    switch (m.type) {
      case 'pick':
        return this.pick(m.what);
      case 'removeGrader':
        return session.removeGrader(m.path);
      case 'clearResponseFormat':
        return session.setResponseFormat(undefined);
      case 'setMode':
        return session.setMode(m.mode);
      case 'setPasted':
        return session.setPasted(m.itemIndex, m.text);
      case 'setModel':
        return session.setModel(m.model, m.k);
      case 'setThreshold':
        return session.setThreshold(m.threshold);
      case 'run':
        return session.run();
      case 'cancel':
        return session.cancel();
      case 'export':
        return this.export(m.format);
      case 'verifyRemote':
        return session.verifyRemote(m.count);
      case 'revealInEditor':
        return this.reveal(m.line);
    }
  }

  private async pick(what: PickTarget): Promise<void> {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: what === 'grader',
      filters: PICK_FILTERS[what],
      title: `Grader Lab: ${PICK_TITLES[what]}`,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!uris?.length) return;
    const file = uris[0].fsPath;
    switch (what) {
      case 'grader':
        return this.session.addGraders(uris.map((u) => u.fsPath));
      case 'dataset':
        return this.session.setDataset(file);
      case 'samples':
        return this.session.setSamplesFile(file);
      case 'responseFormat':
        return this.session.setResponseFormat(file);
    }
  }

  private async export(format: ExportFormat): Promise<void> {
    const rows = this.session.exportRows();
    if (!rows.length) {
      this.bridge.post({
        type: 'notice',
        level: 'warning',
        message: 'Run the lab first: there is nothing to export.',
      });
      return;
    }
    const dataset = this.session.setup.dataset;
    const base = dataset
      ? dataset.replace(/\.jsonl$/i, '')
      : path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'grader-lab');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}.lab-results.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      title: `Export Grader Lab results (${format.toUpperCase()})`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(
      target,
      Buffer.from(format === 'csv' ? toCsv(rows) : toJsonl(rows), 'utf8'),
    );
    const where = vscode.workspace.asRelativePath(target);
    this.bridge.post({
      type: 'notice',
      level: 'info',
      message: `Exported ${rows.length} row(s) to ${where}.`,
    });
    void vscode.window.showInformationMessage(`Grader Lab: exported ${rows.length} row(s) to ${where}.`);
  }

  private async reveal(line: number): Promise<void> {
    const dataset = this.session.setup.dataset;
    if (!dataset) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(dataset));
    const pos = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
    await vscode.window.showTextDocument(doc, {
      selection: new vscode.Range(pos, pos),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  }
}
