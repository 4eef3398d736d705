// Registers the dataset preview: the custom editor for *.jsonl ("Open With…"), "Open Dataset Preview" (editor
// title, explorer, palette) and "Reveal Line in Dataset Preview" for the current text editor line.
import * as vscode from 'vscode';
import type { HostContext } from '../hostContext';
import { DATASET_PREVIEW_VIEW_TYPE } from '../../shared/datasetPreviewProtocol';
import { DatasetPreviewProvider } from './datasetPreviewProvider';

export const OPEN_DATASET_PREVIEW_COMMAND = 'rftStudio.openDatasetPreview';
export const REVEAL_LINE_IN_DATASET_PREVIEW_COMMAND = 'rftStudio.revealLineInDatasetPreview';

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor) return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

export function registerDatasetPreview(ctx: HostContext): vscode.Disposable {
  const provider = new DatasetPreviewProvider(ctx);
  const open = async (uri?: vscode.Uri): Promise<void> => {
    const target = uri instanceof vscode.Uri ? uri : activeResource();
    if (!target || !target.path.toLowerCase().endsWith('.jsonl')) {
      void vscode.window.showInformationMessage(
        'RFT Studio: open or select a .jsonl dataset file to preview it.',
      );
      return;
    }
    await vscode.commands.executeCommand('vscode.openWith', target, DATASET_PREVIEW_VIEW_TYPE);
  };
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(DATASET_PREVIEW_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand(OPEN_DATASET_PREVIEW_COMMAND, open),
    vscode.commands.registerCommand(REVEAL_LINE_IN_DATASET_PREVIEW_COMMAND, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !editor.document.uri.path.toLowerCase().endsWith('.jsonl')) {
        void vscode.window.showInformationMessage(
          'RFT Studio: put the cursor on a line of a .jsonl dataset first.',
        );
        return;
      }
      const { uri } = editor.document;
      const line = editor.selection.active.line;
      if (provider.reveal(uri, line)) return;
      await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_PREVIEW_VIEW_TYPE, {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: false,
      });
      // The new editor resolves asynchronously; the bridge queues the reveal until the webview is ready.
      for (let i = 0; i < 50 && !provider.reveal(uri, line); i++)
        await new Promise((r) => setTimeout(r, 100));
    }),
  );
}
