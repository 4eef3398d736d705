// CodeLens at the top of every *.rftjob.json: launch on the active provider, switch provider, and open the
// latest job launched from this spec.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobMonitor } from './jobMonitor';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import type { ProviderStore } from './providerStore';

export const SPEC_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.rftjob.json' };

export class SpecCodeLensProvider implements vscode.CodeLensProvider {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly providers: ProviderStore,
    private readonly store: JobStore,
    private readonly monitor: JobMonitor,
  ) {
    this.subs = [
      providers.onDidChange(() => this._onDidChange.fire()),
      store.onDidChange(() => this._onDidChange.fire()),
      monitor.onDidChange(() => this._onDidChange.fire()),
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const provider = this.providers.active();
    const lenses = [
      new vscode.CodeLens(top, {
        title: provider ? `$(rocket) Launch job on ${provider.label}` : '$(rocket) Launch job…',
        command: 'rftStudio.launchJob',
        arguments: [{ uri: doc.uri }],
        tooltip: 'Run the preflight checks, upload the files and create the fine-tuning job',
      }),
      new vscode.CodeLens(top, {
        title: provider ? '$(plug) Change provider' : '$(add) Add provider',
        command: provider ? 'rftStudio.selectProvider' : 'rftStudio.addProvider',
      }),
    ];
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
    const rel = folder ? path.relative(folder, doc.uri.fsPath).split(path.sep).join('/') : undefined;
    const last = this.store.list().find((j) => j.specPath && j.specPath === rel);
    if (last) {
      const key = jobKey(last.providerId, last.jobId);
      const s = this.monitor.view(key)?.snapshot ?? last.snapshot;
      lenses.push(
        new vscode.CodeLens(top, {
          title: `$(graph-line) Last job: ${last.jobId}${s ? ` (${s.status.replace(/_/g, ' ')})` : ''}`,
          command: 'rftStudio.openJobDetails',
          arguments: [key],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this._onDidChange.dispose();
  }
}
