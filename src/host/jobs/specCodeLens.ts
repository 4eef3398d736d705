// CodeLens at the top of every *.rftjob.json: launch on the active provider, switch provider, and open the
// latest job launched from this spec, with its status as the job monitor knows it (asked again on every change).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobMonitor } from './jobMonitor';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import { lastJobLens } from './jobsModel';
import type { ProviderStore } from './providerStore';

export const SPEC_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.rftjob.json' };
const SHOWN_LIMIT = 20;

export class SpecCodeLensProvider implements vscode.CodeLensProvider {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  private readonly subs: vscode.Disposable[];
  /** Titles last provided per document (an editor asks after each change event); read by the in-editor tests. */
  private readonly shown = new Map<string, string[]>();

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
      // The monitor's view is what it knows now (restored from the stored snapshot, then polled).
      const job = this.monitor.view(key) ?? {
        jobId: last.jobId,
        snapshot: last.snapshot ?? { status: 'unknown', model: '' },
        providerLabel: last.providerId,
      };
      const { title, tooltip } = lastJobLens(job);
      lenses.push(
        new vscode.CodeLens(top, { title, tooltip, command: 'rftStudio.openJobDetails', arguments: [key] }),
      );
    }
    this.remember(doc.uri.toString(), lenses);
    return lenses;
  }

  /** The lens titles each document's editor was last given: what a person sees above the spec. */
  shownTitles(): Record<string, string[]> {
    return Object.fromEntries(this.shown);
  }

  private remember(uri: string, lenses: vscode.CodeLens[]): void {
    this.shown.delete(uri);
    this.shown.set(
      uri,
      lenses.map((l) => l.command?.title ?? ''),
    );
    const oldest = this.shown.keys().next().value;
    if (this.shown.size > SHOWN_LIMIT && oldest !== undefined) this.shown.delete(oldest);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this._onDidChange.dispose();
  }
}
