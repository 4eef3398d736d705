// Dataset preview inside a real VS Code: the custom editor opens from the command and "Open With…", the reveal
// command brings it forward, and the document model (worker-thread index, rows on demand, editor diagnostics as
// problem markers, filters, statistics) works against the demo datasets.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DatasetPreviewDocument } from '../../src/host/preview/datasetPreviewDocument';
import { nullLogger } from '../../src/core/log';
import type { DatasetStats } from '../../src/shared/datasetStats';
import { waitFor } from '../lib/waitFor';

const repoRoot = path.resolve(__dirname, '../../..');
const VIEW_TYPE = 'rftStudio.datasetPreview';

function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

function fileLines(uri: vscode.Uri): string[] {
  return fs
    .readFileSync(uri.fsPath, 'utf8')
    .split('\n')
    .filter((l, i, all) => i < all.length - 1 || l !== '');
}

function previewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE);
}

suite('Dataset preview', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('rft-studio.rft-studio')?.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the custom editor is offered for *.jsonl with priority "option"', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: {
        customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[];
      };
    };
    const editor = pkg.contributes.customEditors.find((e) => e.viewType === VIEW_TYPE);
    assert.ok(editor);
    assert.strictEqual(editor.priority, 'option');
    assert.deepStrictEqual(editor.selector, [{ filenamePattern: '*.jsonl' }]);
    assert.ok(
      fs.existsSync(path.join(repoRoot, 'dist/workers/datasetPreview.js')),
      'the worker bundle is built',
    );
    assert.ok(
      fs.existsSync(path.join(repoRoot, 'dist/webview/datasetPreview.js')),
      'the webview bundle is built',
    );
  });

  test('"Open Dataset Preview" opens the custom editor for the active .jsonl file', async () => {
    const uri = workspaceFile('datasets/rft/countdown_train.jsonl');
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('rftStudio.openDatasetPreview');
    const tab = await waitFor('a preview tab', () => previewTabs()[0]);
    assert.strictEqual((tab.input as vscode.TabInputCustom).uri.toString(), uri.toString());
  });

  test('"Reveal Line in Dataset Preview" opens the preview beside the text editor', async () => {
    const uri = workspaceFile('datasets/sft/gsm8k_chat_validation.jsonl');
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(7, 0, 7, 0);
    await vscode.commands.executeCommand('rftStudio.revealLineInDatasetPreview');
    const tab = await waitFor('a preview tab', () => previewTabs()[0]);
    assert.strictEqual((tab.input as vscode.TabInputCustom).uri.toString(), uri.toString());
    assert.ok(tab.isActive, 'the preview is the active tab of its group');
  });

  test('the document indexes in the worker, serves rows, filters and computes statistics', async () => {
    const uri = workspaceFile('datasets/dpo/orca_dpo_pairs_first40.jsonl');
    const lines = fileLines(uri);
    const doc = new DatasetPreviewDocument(
      uri,
      path.join(repoRoot, 'dist/workers/datasetPreview.js'),
      nullLogger,
    );
    try {
      await doc.startIndex();
      assert.strictEqual(doc.state.done, true);
      assert.strictEqual(doc.state.error, undefined);
      assert.strictEqual(doc.state.lines, lines.length);
      const rows = await doc.rows([0, 1, lines.length - 1]);
      assert.deepStrictEqual(
        rows.map((r) => [r.line, r.kind]),
        [
          [0, 'dpo'],
          [1, 'dpo'],
          [lines.length - 1, 'dpo'],
        ],
      );
      const detail = await doc.detail(5);
      assert.strictEqual(detail.text, lines[5]);
      // Text filter across the whole file, checked by a plain search of the lines.
      const needle = 'translate';
      const expected = lines.flatMap((l, i) => (l.toLowerCase().includes(needle) ? [i] : []));
      const got = await doc.filter(
        { text: needle, kinds: [], field: '', hasProblems: false },
        () => undefined,
      );
      assert.deepStrictEqual(got.lines, expected);
      const stats = (await doc.stats({ tokenLimit: 100_000 }, undefined, () => undefined)) as DatasetStats;
      assert.strictEqual(stats.examples, lines.length);
      assert.strictEqual(stats.cost.billedBy, 'tokens');
    } finally {
      doc.dispose();
    }
  });

  test('editor diagnostics mark rows and drive the problems-only filter', async () => {
    const uri = workspaceFile('datasets/rft/countdown_valid.jsonl');
    const collection = vscode.languages.createDiagnosticCollection('rft-preview-test');
    const doc = new DatasetPreviewDocument(
      uri,
      path.join(repoRoot, 'dist/workers/datasetPreview.js'),
      nullLogger,
    );
    try {
      await doc.startIndex();
      collection.set(uri, [
        new vscode.Diagnostic(new vscode.Range(2, 0, 2, 5), 'test error', vscode.DiagnosticSeverity.Error),
        new vscode.Diagnostic(
          new vscode.Range(4, 0, 4, 5),
          'test warning',
          vscode.DiagnosticSeverity.Warning,
        ),
      ]);
      await waitFor('problem lines', () =>
        doc.problemLines().some((p) => p.line === 2 && p.severity === 'error'),
      );
      const rows = await doc.rows([2, 3, 4]);
      assert.deepStrictEqual(
        rows.map((r) => r.problem),
        ['error', undefined, 'warning'],
      );
      const only = await doc.filter({ text: '', kinds: [], field: '', hasProblems: true }, () => undefined);
      // Other extensions (our own validator) may add problems too: ours must be among them, and nothing else.
      assert.ok(only.lines?.includes(2) && only.lines.includes(4));
      assert.deepStrictEqual(
        only.lines,
        doc.problemLines().map((p) => p.line),
      );
      const detail = await doc.detail(2);
      assert.ok(detail.problems.some((p) => p.message === 'test error'));
    } finally {
      collection.dispose();
      doc.dispose();
    }
  });
});
