// CodeLens at the top of every *.rftjob.json: launch on the active provider, switch provider, and open the
// latest job launched from this spec, with its status as the job monitor knows it (asked again on every change).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { JobMonitor } from './jobMonitor';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import { lastJobLens } from './jobsModel';
import type { Providers } from '../providers/providers';

export const SPEC_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.rftjob.json' };
const SHOWN_LIMIT = 20;

/** Shows the lenses in every *.rftjob.json editor. */
export function registerSpecCodeLenses(lenses: SpecCodeLensProvider): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, lenses);
}

export class SpecCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  /** Titles last provided per document (an editor asks after each change event); read by the in-editor tests. */
  private readonly shown = new Map<string, string[]>();

  constructor(
    private readonly providers: Providers,
    private readonly store: JobStore,
    private readonly monitor: JobMonitor,
  ) {
    super();
    this._register(providers.onDidChange(() => this._onDidChange.fire()));
    this._register(store.onDidChange(() => this._onDidChange.fire()));
    this._register(monitor.onDidChange(() => this._onDidChange.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const provider = this.providers.activeEntry();
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
}
