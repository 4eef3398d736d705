// Registers the dataset preview: the custom editor for *.jsonl ("Open With…"), "Open Dataset Preview" (editor
// title, explorer, palette) and "Reveal Line in Dataset Preview" for the current text editor line.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import { DATASET_PREVIEW_VIEW_TYPE } from '../../shared/datasetPreviewProtocol';
import { DatasetPreviewProvider } from './datasetPreviewProvider';

export const OPEN_DATASET_PREVIEW_COMMAND = 'rftStudio.openDatasetPreview';
export const REVEAL_LINE_IN_DATASET_PREVIEW_COMMAND = 'rftStudio.revealLineInDatasetPreview';

/** How long "Reveal Line" waits for a newly opened preview to resolve before giving up. */
const REVEAL_WAIT_MS = 5_000;
const REVEAL_RETRY_MS = 100;

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor) return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

export class DatasetPreviewRegistration extends Disposable {
  private readonly provider: DatasetPreviewProvider;

  constructor(ctx: HostContext) {
    super();
    this.provider = new DatasetPreviewProvider(ctx);
    this._register(
      vscode.window.registerCustomEditorProvider(DATASET_PREVIEW_VIEW_TYPE, this.provider, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { retainContextWhenHidden: false },
      }),
    );
    this._register(
      vscode.commands.registerCommand(OPEN_DATASET_PREVIEW_COMMAND, (uri?: vscode.Uri) => this.open(uri)),
    );
    this._register(
      vscode.commands.registerCommand(REVEAL_LINE_IN_DATASET_PREVIEW_COMMAND, () => this.revealLine()),
    );
  }

  private async open(uri?: vscode.Uri): Promise<void> {
    const target = uri instanceof vscode.Uri ? uri : activeResource();
    if (!target || !target.path.toLowerCase().endsWith('.jsonl')) {
      void vscode.window.showInformationMessage(
        'RFT Studio: open or select a .jsonl dataset file to preview it.',
      );
      return;
    }
    await vscode.commands.executeCommand('vscode.openWith', target, DATASET_PREVIEW_VIEW_TYPE);
  }

  private async revealLine(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editor.document.uri.path.toLowerCase().endsWith('.jsonl')) {
      void vscode.window.showInformationMessage(
        'RFT Studio: put the cursor on a line of a .jsonl dataset first.',
      );
      return;
    }
    const { uri } = editor.document;
    const line = editor.selection.active.line;
    if (this.provider.reveal(uri, line)) return;
    await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_PREVIEW_VIEW_TYPE, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: false,
    });
    // The new editor resolves asynchronously; the bridge queues the reveal until the webview is ready.
    const deadline = Date.now() + REVEAL_WAIT_MS;
    while (!this.isDisposed && !this.provider.reveal(uri, line) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, REVEAL_RETRY_MS));
  }
}

export function registerDatasetPreview(ctx: HostContext): vscode.Disposable {
  return new DatasetPreviewRegistration(ctx);
}
