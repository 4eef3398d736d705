// The prompts the data-prep commands share: which file, which field, a seed, output paths, and the summary quick
// pick shown before anything is written.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FieldCandidate } from '../../core/prep/fields';

/** Thrown when the user dismisses a prompt: the command stops quietly. */
export class Cancelled extends Error {}

export function activeJsonl(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  const fromEditor = editor?.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const fromTab =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  const uri = fromEditor ?? fromTab;
  return uri && uri.scheme === 'file' && /\.jsonl?$/i.test(uri.path) ? uri : undefined;
}

/** The dataset file: the command's argument, the active .jsonl editor, or a file picked in a dialog. */
export async function pickDataset(arg: vscode.Uri | undefined, title: string): Promise<string> {
  if (arg) return arg.fsPath;
  const active = activeJsonl();
  if (active) return active.fsPath;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { 'JSON Lines': ['jsonl'] },
    openLabel: 'Use This Dataset',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!picked?.[0]) throw new Cancelled();
  return picked[0].fsPath;
}

interface FieldItem extends vscode.QuickPickItem {
  path?: string;
}

/** Quick pick of the fields found in the file's first lines, with "Another path…" for anything else. */
export async function pickField(
  file: string,
  title: string,
  discover: () => Promise<{ fields: FieldCandidate[]; linesRead: number }>,
  validate: (text: string) => string | undefined,
): Promise<string> {
  const { fields, linesRead } = await discover();
  const items: FieldItem[] = fields.slice(0, 30).map((f) => ({
    label: f.path,
    path: f.path,
    description: `${f.kind === 'list' ? 'list' : f.kind} · ${f.distinct} distinct value(s) · on ${f.present} of ${linesRead} lines`,
    detail: `e.g. ${f.examples.join('   ')}`.slice(0, 200),
  }));
  items.push({
    label: '$(edit) Another field path…',
    description: 'dotted keys with [n] indices, e.g. item.labels or meta.codes[0]',
  });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: `The field that holds the label(s) in ${path.basename(file)}`,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!pick) throw new Cancelled();
  if (pick.path) return pick.path;
  const typed = await vscode.window.showInputBox({
    title,
    prompt: 'Field path: dotted keys with [n] indices, e.g. reference_answer, item.labels, meta.codes[0]',
    validateInput: validate,
    ignoreFocusOut: true,
  });
  if (typed === undefined) throw new Cancelled();
  return typed.trim();
}

export async function askSeed(
  title: string,
  parse: (t: string) => string | undefined,
  fallback: string,
): Promise<string> {
  const seed = await vscode.window.showInputBox({
    title,
    prompt: 'Seed: the same seed always gives the same result (any number or word)',
    value: fallback,
    validateInput: (t) => (parse(t) ? undefined : 'Enter a number or a word'),
    ignoreFocusOut: true,
  });
  if (seed === undefined) throw new Cancelled();
  return parse(seed)!;
}

export async function askSavePath(title: string, suggested: string, input: string): Promise<string> {
  for (;;) {
    const uri = await vscode.window.showSaveDialog({
      title,
      defaultUri: vscode.Uri.file(suggested),
      filters: { 'JSON Lines': ['jsonl'] },
      saveLabel: 'Use This File',
    });
    if (!uri) throw new Cancelled();
    if (path.resolve(uri.fsPath) !== path.resolve(input)) return uri.fsPath;
    void vscode.window.showWarningMessage('RFT Studio never overwrites the input file: choose another name.');
  }
}

export interface SummaryRow {
  label: string;
  description: string;
  warning?: boolean;
}

export type SummaryChoice = 'write' | 'change' | 'cancel';

/**
 * The summary before writing: a quick pick whose first items write, change the outputs or cancel, followed by one
 * row per label. Picking a label row does nothing (the pick stays open).
 */
export function showSummary(opts: {
  title: string;
  headline: string;
  writeLabel: string;
  writeDetail: string;
  rows: SummaryRow[];
  notes?: string[];
  canChangeOutputs?: boolean;
}): Promise<SummaryChoice> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { choice?: SummaryChoice }>();
    qp.title = opts.title;
    qp.placeholder = opts.headline;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    const sep = (label: string) => ({ label, kind: vscode.QuickPickItemKind.Separator });
    qp.items = [
      {
        label: `$(check) ${opts.writeLabel}`,
        detail: opts.writeDetail,
        choice: 'write' as const,
        alwaysShow: true,
      },
      ...(opts.canChangeOutputs === false
        ? []
        : [
            {
              label: '$(folder-opened) Choose other output files…',
              choice: 'change' as const,
              alwaysShow: true,
            },
          ]),
      { label: '$(close) Cancel', choice: 'cancel' as const, alwaysShow: true },
      ...(opts.notes?.length ? [sep('Notes'), ...opts.notes.map((n) => ({ label: `$(info) ${n}` }))] : []),
      sep('Per label'),
      ...opts.rows.map((r) => ({
        label: `${r.warning ? '$(warning) ' : ''}${r.label}`,
        description: r.description,
      })),
    ];
    let done = false;
    const finish = (c: SummaryChoice) => {
      if (done) return;
      done = true;
      resolve(c);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const choice = qp.selectedItems[0]?.choice;
      if (choice) finish(choice);
    });
    qp.onDidHide(() => finish('cancel'));
    qp.show();
  });
}

/** Runs work with a cancellable notification progress; fractions 0..1 become increments. */
export function withPrepProgress<T>(
  title: string,
  work: (signal: AbortSignal, progress: (f: number) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (p, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort(new Cancelled()));
      let last = 0;
      try {
        return await work(ac.signal, (f) => {
          const pct = Math.round(f * 100);
          if (pct > last) {
            p.report({ increment: pct - last, message: `${pct}%` });
            last = pct;
          }
        });
      } finally {
        sub.dispose();
      }
    },
  );
}

export async function openResults(files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(files[i]));
    await vscode.window.showTextDocument(doc, {
      preview: false,
      viewColumn: i === 0 ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside,
    });
  }
}

export async function showMarkdownReport(markdown: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
