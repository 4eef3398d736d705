// "RFT Studio: Validate Dataset File…": validates files on disk (any size) off the main thread with progress and
// cancellation, publishes their diagnostics and sums them up in one message.
import type * as fs from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { countBySeverity } from '../../core/diagnostics';
import { FORMAT_LABEL } from '../../core/datasets/format';
import type { DatasetReport } from '../../core/datasets/validate';
import { Disposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import type { DatasetSettings } from './datasetFiles';
import { isDatasetDocument } from './datasetFiles';
import { ValidationCancelled, validateFileOffThread } from './fileValidation';

export const VALIDATE_FILE_COMMAND = 'rftStudio.validateDatasetFile';

/** What the command returns (tests and other commands read it). */
export interface ValidateFileResult {
  path: string;
  format: DatasetReport['format'];
  examples: number;
  diagnostics: number;
}

export class ValidateFileCommand extends Disposable {
  constructor(
    private readonly ctx: HostContext,
    private readonly diagnostics: DatasetDiagnostics,
    private readonly settings: DatasetSettings,
  ) {
    super();
    this._register(
      vscode.commands.registerCommand(VALIDATE_FILE_COMMAND, (arg?: vscode.Uri, all?: vscode.Uri[]) =>
        this.run(arg, all),
      ),
    );
  }

  private async run(arg?: vscode.Uri, all?: vscode.Uri[]): Promise<ValidateFileResult[] | undefined> {
    let uris = (all?.length ? all : arg instanceof vscode.Uri ? [arg] : []).filter(
      (u) => u.scheme === 'file',
    );
    if (!uris.length) {
      const active = vscode.window.activeTextEditor?.document;
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        openLabel: 'Validate',
        title: 'Validate Dataset File',
        filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
        defaultUri:
          active && isDatasetDocument(active) ? active.uri : vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      if (!picked?.length) return undefined;
      uris = picked;
    }
    const results: { uri: vscode.Uri; report: DatasetReport }[] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Validating dataset', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        for (const uri of uris) {
          const report = await this.validateOne(uri, uris.length, progress, controller.signal);
          if (report === 'cancelled') return;
          if (report) results.push({ uri, report });
        }
      },
    );
    if (results.length) this.summarise(results);
    return results.map((r) => ({
      path: r.uri.fsPath,
      format: r.report.format,
      examples: r.report.examples,
      diagnostics: r.report.diagnostics.length,
    }));
  }

  /** One file: its report with every diagnostic, undefined after an error (already shown), or 'cancelled'. */
  private async validateOne(
    uri: vscode.Uri,
    fileCount: number,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    signal: AbortSignal,
  ): Promise<DatasetReport | 'cancelled' | undefined> {
    const name = path.basename(uri.fsPath);
    let st: fs.Stats;
    try {
      st = await stat(uri.fsPath);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read ${name}: ${(e as Error).message}`);
      return undefined;
    }
    let last = 0;
    try {
      const report = await validateFileOffThread({
        extensionPath: this.ctx.extension.extensionPath,
        file: uri.fsPath,
        options: this.settings.optionsFor(uri),
        signal,
        onProgress: (lines, bytes) => {
          const pct = st.size ? (bytes / st.size) * 100 : 100;
          progress.report({
            message: `${name}: ${lines.toLocaleString('en-US')} lines`,
            increment: Math.max(0, pct - last) / fileCount,
          });
          last = pct;
        },
      });
      const diagnostics = await this.diagnostics.publishDiskReport(uri, report, st);
      return { ...report, diagnostics };
    } catch (e) {
      if (e instanceof ValidationCancelled) return 'cancelled';
      this.ctx.log.error(`Validating ${uri.fsPath} failed`, e);
      void vscode.window
        .showErrorMessage(`Validating ${name} failed: ${(e as Error).message}`, 'Show Log')
        .then((a) => {
          if (a) this.ctx.log.show();
        });
      return undefined;
    }
  }

  private summarise(results: { uri: vscode.Uri; report: DatasetReport }[]): void {
    const summary = results
      .map(({ uri, report }) => {
        const c = countBySeverity(report.diagnostics);
        return `${path.basename(uri.fsPath)}: ${FORMAT_LABEL[report.format]}, ${report.examples.toLocaleString('en-US')} examples, ${c.error} error(s), ${c.warning} warning(s)`;
      })
      .join('; ');
    const anyProblem = results.some((r) =>
      r.report.diagnostics.some((d) => d.severity === 'error' || d.severity === 'warning'),
    );
    void (
      anyProblem
        ? vscode.window.showWarningMessage(summary, 'Show Problems')
        : vscode.window.showInformationMessage(summary, 'Show Problems')
    ).then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  }
}
