// Registers the eval comparison: `rftStudio.openEvalComparison`, its panels and their reload serializer.
//
// Argument shape (stable; the "run eval" command and the explorer menu call it this way):
//   rftStudio.openEvalComparison(run?: Uri, second?: Uri | Uri[], options?: { candidates?: [a, b] })
// - `run`: a run folder (`.rft/evals/<name>-<stamp>/`) or any file in it (summary.json, results.jsonl…);
// - `second`: a second run folder (or file in it) to compare with; from the explorer, the selected resources
//   (two selected run folders/files compare those two runs);
// - `options.candidates`: the labels of side a and side b (default: for one run the last vs the first
//   candidate, e.g. tuned vs base; for two runs the first candidate of each).
// Without arguments: a quick pick of the workspace's `.rft/evals/*` runs, newest first, then of what to compare
// with: two of the run's candidates (the default pair first) or another run.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareSource } from '../../core/evals/compareView';
import { Disposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import { isTestMode } from '../testMode';
import { EvalComparePanels } from './comparePanel';

export const OPEN_EVAL_COMPARISON_COMMAND = 'rftStudio.openEvalComparison';
/** Test mode only: the open panels (title, source, messages posted), and the reload serializer. */
export const EVAL_COMPARE_TEST_STATE_COMMAND = '_rftStudio.evalCompareTestState';
export const EVAL_COMPARE_TEST_SERIALIZER_COMMAND = '_rftStudio.evalCompareTestSerializer';

interface RunChoice extends vscode.QuickPickItem {
  dir: string;
  candidates: string[];
  created: number;
}

const RUN_FILES = /^(summary\.json|results\.jsonl|run\.json|spec\.json|summary\.md)$/;

/** A run folder from a folder or a file inside one. */
async function runFolderOf(uri: vscode.Uri): Promise<string> {
  const stat = await vscode.workspace.fs.stat(uri).then(
    (s) => s,
    () => undefined,
  );
  if (stat && stat.type & vscode.FileType.Directory) return uri.fsPath;
  return RUN_FILES.test(path.basename(uri.fsPath)) || stat ? path.dirname(uri.fsPath) : uri.fsPath;
}

async function readJson(uri: vscode.Uri): Promise<Record<string, unknown> | undefined> {
  try {
    const v = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Every run folder under `.rft/evals/` of the workspace folders, newest first. */
async function listRuns(): Promise<RunChoice[]> {
  const runs: RunChoice[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const evals = vscode.Uri.joinPath(folder.uri, '.rft', 'evals');
    const entries = await vscode.workspace.fs.readDirectory(evals).then(
      (e) => e,
      () => [] as [string, vscode.FileType][],
    );
    for (const [name, type] of entries) {
      if (!(type & vscode.FileType.Directory)) continue;
      const dir = vscode.Uri.joinPath(evals, name);
      const spec = await readJson(vscode.Uri.joinPath(dir, 'spec.json'));
      if (!spec || !Array.isArray(spec.candidates)) continue;
      const run = await readJson(vscode.Uri.joinPath(dir, 'run.json'));
      const candidates = (spec.candidates as Array<{ label?: unknown }>).map((c) => String(c.label));
      const created = Date.parse(typeof run?.created === 'string' ? run.created : '') || 0;
      runs.push({
        label: name,
        description: [run?.status, created ? new Date(created).toLocaleString() : undefined]
          .filter(Boolean)
          .join(' · '),
        detail: candidates.join(', '),
        dir: dir.fsPath,
        candidates,
        created,
      });
    }
  }
  return runs.sort((a, b) => b.created - a.created || b.label.localeCompare(a.label));
}

async function pickSource(): Promise<CompareSource | undefined> {
  const runs = await listRuns();
  if (!runs.length) {
    void vscode.window.showInformationMessage(
      'No eval runs yet: run an eval spec (*.rfteval.json) first; its results go to .rft/evals/.',
    );
    return undefined;
  }
  const run = await vscode.window.showQuickPick(runs, {
    title: 'Compare eval runs (1/2): a run',
    placeHolder: 'The run to compare, newest first',
    matchOnDetail: true,
  });
  if (!run) return undefined;
  // Then what to compare it with: a pair of its candidates (the default pair first), or another run.
  type Choice = vscode.QuickPickItem & { source?: CompareSource };
  const choices: Choice[] = [];
  const [last, ...rest] = [...run.candidates].reverse();
  for (const b of [...rest].reverse())
    choices.push({ label: `${last} vs ${b}`, source: { runs: [run.dir], candidates: [last, b] } });
  for (let j = 0; j < run.candidates.length; j++)
    for (let i = j + 1; i < run.candidates.length - 1; i++)
      choices.push({
        label: `${run.candidates[i]} vs ${run.candidates[j]}`,
        source: { runs: [run.dir], candidates: [run.candidates[i], run.candidates[j]] },
      });
  const others = runs.filter((r) => r !== run);
  if (others.length) choices.push({ label: 'Another run', kind: vscode.QuickPickItemKind.Separator });
  for (const other of others)
    choices.push({
      label: `with ${other.label}`,
      description: other.description,
      detail: other.detail,
      source: { runs: [run.dir, other.dir] },
    });
  if (choices.length === 1) return choices[0].source;
  const choice = await vscode.window.showQuickPick(choices, {
    title: `Compare eval runs (2/2): compare ${run.label}…`,
    placeHolder: 'Two of its candidates, or another run',
  });
  return choice?.source;
}

function isCandidates(v: unknown): v is [string, string] {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
}

export class EvalCompareCommands extends Disposable {
  private readonly panels: EvalComparePanels;

  constructor(ctx: HostContext) {
    super();
    this.panels = this._register(new EvalComparePanels(ctx));
    this._register(
      vscode.commands.registerCommand(
        OPEN_EVAL_COMPARISON_COMMAND,
        (run?: unknown, second?: unknown, options?: unknown) => this.open(run, second, options),
      ),
    );
    // Only a window reload makes VS Code revive webviews, and a reload would end the in-editor test run: the tests
    // call the serializer themselves.
    if (isTestMode(ctx.extension))
      this._register(
        vscode.Disposable.from(
          vscode.commands.registerCommand(EVAL_COMPARE_TEST_STATE_COMMAND, () => this.panels.testView()),
          vscode.commands.registerCommand(EVAL_COMPARE_TEST_SERIALIZER_COMMAND, () => this.panels.serializer),
        ),
      );
  }

  private async open(run: unknown, second: unknown, options: unknown): Promise<void> {
    const uris = [
      ...(run instanceof vscode.Uri ? [run] : []),
      ...(second instanceof vscode.Uri ? [second] : []),
      ...(Array.isArray(second) ? second.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : []),
    ];
    const folders = [...new Set(await Promise.all(uris.map(runFolderOf)))];
    const candidates =
      options && typeof options === 'object' && isCandidates((options as { candidates?: unknown }).candidates)
        ? (options as { candidates: [string, string] }).candidates
        : undefined;
    if (folders.length > 2) {
      void vscode.window.showWarningMessage('Select one or two eval run folders to compare.');
      return;
    }
    const source: CompareSource | undefined = folders.length
      ? { runs: folders as CompareSource['runs'], candidates }
      : await pickSource();
    if (source) this.panels.open(source);
  }
}
