// Quick fixes for dataset diagnostics, as undoable workspace edits: core's fixes for one problem, and "Fix all"
// when the same rule fired more than once in the file.
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostics';
import { fixAllFor, fixesFor } from '../../core/datasets/fixes';
import { Disposable } from '../../core/lifecycle';
import { DIAGNOSTIC_SOURCE, toVscodeRange } from '../diagnosticsAdapter';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import type { DatasetSettings } from './datasetFiles';
import { docLines } from './datasetFiles';

/** Rules whose "fix all" would be wrong: which duplicate to keep is the user's choice each time. */
const NO_FIX_ALL = new Set(['dataset/duplicate-example']);

export class DatasetQuickFixes extends Disposable implements vscode.CodeActionProvider {
  constructor(
    private readonly diagnostics: DatasetDiagnostics,
    private readonly settings: DatasetSettings,
  ) {
    super();
    this._register(
      vscode.languages.registerCodeActionsProvider([{ language: 'jsonl' }, { pattern: '**/*.jsonl' }], this, {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
  }

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const report = this.diagnostics.openReport(doc.uri);
    if (!report) return [];
    const referenceField = this.settings.forFile(doc.uri).referenceField;
    const actions: vscode.CodeAction[] = [];
    const fixAllOffered = new Set<string>();
    for (const vd of context.diagnostics) {
      if (vd.source !== DIAGNOSTIC_SOURCE) continue;
      const core = findCore(report.diagnostics, vd);
      if (!core) continue;
      for (const fix of fixesFor(docLines(doc), core, { referenceField })) {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [vd];
        a.isPreferred = fix.preferred;
        a.edit = toWorkspaceEdit(doc, fix.edits);
        actions.push(a);
        const same = report.diagnostics.filter((x) => x.code === core.code);
        if (same.length < 2 || fixAllOffered.has(core.code) || NO_FIX_ALL.has(core.code)) continue;
        fixAllOffered.add(core.code);
        const edits = fixAllFor(docLines(doc), same, core.code, { referenceField });
        if (edits.length > 1) {
          const all = new vscode.CodeAction(
            `Fix all "${core.code}" problems in this file (${edits.length})`,
            vscode.CodeActionKind.QuickFix,
          );
          all.edit = toWorkspaceEdit(doc, edits);
          all.diagnostics = [vd];
          actions.push(all);
        }
      }
    }
    return actions;
  }
}

/** The core diagnostic behind a VS Code one (same rule, same range). */
function findCore(diagnostics: readonly Diagnostic[], d: vscode.Diagnostic): Diagnostic | undefined {
  const code =
    typeof d.code === 'string' ? d.code : typeof d.code === 'object' ? String(d.code.value) : undefined;
  return diagnostics.find(
    (c) =>
      c.code === code &&
      c.range.start.line === d.range.start.line &&
      c.range.start.character === d.range.start.character &&
      c.range.end.line === d.range.end.line &&
      c.range.end.character === d.range.end.character,
  );
}

function toWorkspaceEdit(
  doc: vscode.TextDocument,
  edits: { range: Diagnostic['range']; newText: string }[],
): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, toVscodeRange(e.range), e.newText);
  return we;
}
