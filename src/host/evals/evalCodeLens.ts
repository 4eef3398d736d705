// CodeLens at the top of every *.rfteval.json: "Run eval", "Estimate cost", and "Open latest comparison" when a
// run of this spec exists under .rft/evals/ (refreshed as run folders appear).
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evalsDir, readManifest } from '../../core/evals/runFolder';
import { Disposable } from '../../core/lifecycle';

export const EVAL_SPEC_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.rfteval.json' };

export class EvalCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  /** Titles last provided per document; read by the in-editor tests. */
  private readonly shown = new Map<string, string[]>();

  constructor() {
    super();
    this._register(vscode.languages.registerCodeLensProvider(EVAL_SPEC_SELECTOR, this));
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/.rft/evals/*/run.json'));
    this._register(watcher.onDidCreate(() => this._onDidChange.fire()));
    this._register(watcher.onDidDelete(() => this._onDidChange.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, {
        title: '$(play) Run eval',
        command: 'rftStudio.runEval',
        arguments: [doc.uri],
        tooltip: 'Estimate the calls and cost, ask, then sample every candidate and grade locally',
      }),
      new vscode.CodeLens(top, {
        title: '$(symbol-number) Estimate cost',
        command: 'rftStudio.estimateEval',
        arguments: [doc.uri],
        tooltip: 'Calls, cached calls, tokens and cost of a run, without spending anything',
      }),
    ];
    const latest = await latestRunOf(doc.uri).catch(() => undefined);
    if (latest)
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(diff) Open latest comparison',
          command: 'rftStudio.openEvalComparison',
          arguments: [vscode.Uri.file(latest)],
          tooltip: latest,
        }),
      );
    this.shown.set(
      doc.uri.toString(),
      lenses.map((l) => l.command?.title ?? ''),
    );
    return lenses;
  }

  /** The lens titles each spec's editor was last given. */
  shownTitles(): Record<string, string[]> {
    return Object.fromEntries(this.shown);
  }
}

/** The newest run folder (by creation time) whose run.json names this spec file; undefined when none. */
export async function latestRunOf(spec: vscode.Uri): Promise<string | undefined> {
  const root = vscode.workspace.getWorkspaceFolder(spec)?.uri.fsPath ?? path.dirname(spec.fsPath);
  const rel = path.relative(root, spec.fsPath).split(path.sep).join('/');
  const parent = evalsDir(root);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return undefined;
  }
  let best: { dir: string; created: string } | undefined;
  for (const name of names) {
    const dir = path.join(parent, name);
    const m = await readManifest(dir);
    if (m?.spec_path === rel && (!best || m.created > best.created)) best = { dir, created: m.created };
  }
  return best?.dir;
}
