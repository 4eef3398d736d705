// The status-bar item for the active dataset: format, example count and problems; a click opens Problems.
import * as vscode from 'vscode';
import { countBySeverity } from '../../core/diagnostics';
import { FORMAT_LABEL } from '../../core/datasets/format';
import { Disposable } from '../../core/lifecycle';
import type { DatasetDiagnostics } from './datasetDiagnostics';

export const DATASET_STATUS_ID = 'rftStudio.datasetStatus';

export class DatasetStatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem(DATASET_STATUS_ID, vscode.StatusBarAlignment.Right, 100),
  );

  constructor(private readonly diagnostics: DatasetDiagnostics) {
    super();
    this.item.name = 'RFT Studio dataset';
    this.item.command = 'workbench.actions.view.problems';
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this._register(diagnostics.onDidChangeReports(() => this.update()));
    this.update();
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const r = doc && this.diagnostics.openReport(doc.uri);
    if (!r) {
      this.item.hide();
      return;
    }
    const c = countBySeverity(r.diagnostics);
    const fmt =
      r.format === 'rft' || r.format === 'sft' || r.format === 'dpo'
        ? r.format.toUpperCase()
        : FORMAT_LABEL[r.format];
    this.item.text = `$(database) ${fmt} · ${r.examples.toLocaleString('en-US')} examples · $(error) ${c.error} $(warning) ${c.warning}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${FORMAT_LABEL[r.format]}** — ${r.formatReason ?? ''}\n\n`);
    md.appendMarkdown(
      `${r.examples.toLocaleString('en-US')} examples, ${(r.bytes / 1024).toFixed(1)} KB${r.hasBom ? ', UTF-8 with BOM' : ''}\n\n`,
    );
    md.appendMarkdown(
      `${c.error} error(s), ${c.warning} warning(s), ${c.info} info — click to open Problems`,
    );
    this.item.tooltip = md;
    this.item.backgroundColor = c.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }
}
