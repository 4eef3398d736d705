// The custom editor "RFT Studio Dataset Preview" for *.jsonl: one DatasetPreviewDocument per file (index, rows,
// diagnostics, worker jobs) and one webview per editor, talking through the WebviewBridge.
import * as vscode from 'vscode';
import type { HostContext } from '../hostContext';
import { renderWebviewHtml } from '../webviews/webviewHtml';
import type { RequestHandlers } from '../webviews/webviewBridge';
import { WebviewBridge } from '../webviews/webviewBridge';
import type {
  DatasetPreviewProtocol,
  HostToPreview,
  InitMessage,
  PreviewRequests,
  PreviewToHost,
} from '../../shared/datasetPreviewProtocol';
import { previewRequestSpec, previewToHostSpec } from '../../shared/datasetPreviewProtocol';
import { DatasetPreviewDocument } from './datasetPreviewDocument';
import { resolvePriceTable } from '../../core/stats/pricing';
import { CancelledError } from './previewWorkerClient';

interface PanelEntry {
  panel: vscode.WebviewPanel;
  bridge: WebviewBridge<DatasetPreviewProtocol>;
  document: DatasetPreviewDocument;
  validation?: vscode.Uri;
}

export class DatasetPreviewProvider implements vscode.CustomReadonlyEditorProvider<DatasetPreviewDocument> {
  private readonly panels = new Set<PanelEntry>();
  private lastActive: PanelEntry | undefined;

  constructor(private readonly ctx: HostContext) {}

  private get workerPath(): string {
    return vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'workers', 'datasetPreview.js')
      .fsPath;
  }

  async openCustomDocument(uri: vscode.Uri): Promise<DatasetPreviewDocument> {
    if (uri.scheme !== 'file') {
      throw new Error(
        `The dataset preview reads files on disk; ${uri.toString()} is not one. Open a local .jsonl file.`,
      );
    }
    const doc = new DatasetPreviewDocument(uri, this.workerPath, this.ctx.log);
    void doc.startIndex();
    return doc;
  }

  /** The preview editors showing `uri`, most recently active first. */
  panelsFor(uri: vscode.Uri): PanelEntry[] {
    const list = [...this.panels].filter((p) => p.document.uri.toString() === uri.toString());
    return list.sort((a, b) => (a === this.lastActive ? -1 : b === this.lastActive ? 1 : 0));
  }

  /** Scrolls the preview of `uri` to `line` and expands it (after the webview is ready). */
  reveal(uri: vscode.Uri, line: number): boolean {
    const entry = this.panelsFor(uri)[0];
    if (!entry) return false;
    entry.panel.reveal(entry.panel.viewColumn, false);
    entry.bridge.post({ type: 'reveal', line });
    return true;
  }

  async resolveCustomEditor(document: DatasetPreviewDocument, panel: vscode.WebviewPanel): Promise<void> {
    const extensionUri = this.ctx.extension.extensionUri;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    };
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, {
      app: 'datasetPreview',
      title: document.fileName,
    });
    const subs: vscode.Disposable[] = [];
    const entry: PanelEntry = { panel, document } as PanelEntry;
    const indexMessage = (): HostToPreview => ({
      type: 'indexProgress',
      lines: document.state.lines,
      bytesRead: document.state.bytesRead,
      totalBytes: document.state.totalBytes,
      done: document.state.done,
      ms: document.state.ms,
    });
    const problemsMessage = (): HostToPreview => {
      const lines = document.problemLines();
      return { type: 'problems', lines: lines.slice(0, 200_000), total: lines.length };
    };
    const initMessage = (): InitMessage => ({
      type: 'init',
      fileName: document.fileName,
      bytes: document.state.totalBytes,
      tokenLimit: this.tokenLimit(),
      ...(entry.validation ? { validationFileName: vscode.workspace.asRelativePath(entry.validation) } : {}),
    });
    entry.bridge = new WebviewBridge<DatasetPreviewProtocol>({
      webview: panel.webview,
      spec: previewToHostSpec,
      log: this.ctx.log,
      onReady: () => {
        const out: HostToPreview[] = [initMessage(), indexMessage(), problemsMessage()];
        if (document.state.error) out.push({ type: 'indexError', message: document.state.error });
        return out;
      },
      onMessage: (msg) => this.onMessage(entry, msg),
      requests: { spec: previewRequestSpec, handlers: this.requestHandlers(entry) },
    });
    subs.push(
      entry.bridge,
      document.onIndex((s) => {
        entry.bridge.post(indexMessage());
        if (s.error) entry.bridge.post({ type: 'indexError', message: s.error });
      }),
      document.onProblems(() => entry.bridge.post(problemsMessage())),
      document.onReset(() => entry.bridge.post({ ...initMessage(), reset: true })),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.lastActive = entry;
        // Hidden webviews are torn down (no retainContextWhenHidden): wait for the next `ready`.
        if (!panel.visible) entry.bridge.reset();
      }),
      this.ctx.config.onDidChange((e) => {
        if (e.affectsConfiguration('rftStudio.stats')) entry.bridge.post(initMessage());
      }),
    );
    this.panels.add(entry);
    this.lastActive = entry;
    panel.onDidDispose(() => {
      this.panels.delete(entry);
      if (this.lastActive === entry) this.lastActive = undefined;
      for (const s of subs) s.dispose();
    });
  }

  private tokenLimit(): number {
    // An integer ≥ 1 (the catalogue's shape); anything else reads as the package.json default.
    return this.ctx.config.value('stats.tokenLimit');
  }

  private async onMessage(entry: PanelEntry, msg: PreviewToHost): Promise<void> {
    switch (msg.type) {
      case 'revealInEditor':
        await revealLineInTextEditor(entry.document.uri, msg.line, entry.panel.viewColumn);
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'rftStudio.stats');
        return;
    }
  }

  private requestHandlers(entry: PanelEntry): RequestHandlers<PreviewRequests> {
    const doc = entry.document;
    return {
      getRows: async (msg) => ({ rows: await doc.rows(msg.lines) }),
      getRow: (msg) => doc.detail(msg.line),
      filter: async (msg) => {
        try {
          return await doc.filter(msg.query, (scanned) =>
            entry.bridge.post({ type: 'progress', task: 'filter', scanned, total: doc.state.lines }),
          );
        } catch (e) {
          if (e instanceof CancelledError) throw new Error('superseded');
          throw e;
        }
      },
      stats: async (msg) => {
        const options = {
          ...(msg.field.trim() ? { field: msg.field.trim() } : {}),
          tokenLimit: this.tokenLimit(),
          epochs: this.ctx.config.value('stats.epochs'),
          prices: resolvePriceTable(this.ctx.config.value('stats.prices')),
        };
        const validation = msg.withValidation ? entry.validation?.fsPath : undefined;
        try {
          return await doc.stats(options, validation, (scanned) =>
            entry.bridge.post({ type: 'progress', task: 'stats', scanned, total: doc.state.lines }),
          );
        } catch (e) {
          if (e instanceof CancelledError) throw new Error('superseded');
          throw e;
        }
      },
      chooseValidation: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Compare with this validation file',
          filters: { 'JSON Lines': ['jsonl'] },
          defaultUri: vscode.Uri.joinPath(doc.uri, '..'),
        });
        if (picked?.[0]) entry.validation = picked[0];
        return entry.validation ? { fileName: vscode.workspace.asRelativePath(entry.validation) } : {};
      },
    };
  }
}

/** Opens the file as text with `line` selected, next to the preview (or where it is already open). */
export async function revealLineInTextEditor(
  uri: vscode.Uri,
  line: number,
  previewColumn?: vscode.ViewColumn,
): Promise<void> {
  const existing = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const column =
    existing?.viewColumn ??
    (previewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.Beside);
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    const l = Math.min(line, Math.max(0, doc.lineCount - 1));
    const range = new vscode.Range(l, 0, l, Math.min(doc.lineAt(l).text.length, 10_000));
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: column,
      selection: new vscode.Range(l, 0, l, 0),
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  } catch (e) {
    void vscode.window.showWarningMessage(
      `RFT Studio: could not open ${vscode.workspace.asRelativePath(uri)} as text at line ${line + 1}: ${(e as Error).message}. ` +
        'Very large files cannot be opened in the text editor; the preview shows every row.',
    );
  }
}
