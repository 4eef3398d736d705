// Quick fixes for grader lint problems in *.grader.json: unwrap a grader pasted with its shell quotes.
// What to edit comes from core (findShellQuotes) on the current text, never from a stale diagnostic.
import * as vscode from 'vscode';
import { findShellQuotes } from '../../core/graders/lint';

export const UNWRAP_QUOTES_TITLE = 'Remove the single quotes around the grader JSON';

export class GraderQuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.code !== 'grader/shell-quoted') continue;
      const q = findShellQuotes(doc.getText());
      // Only when what the quotes wrap is JSON: otherwise removing them would not leave a valid grader.
      if (!q?.innerIsJson) continue;
      const edit = new vscode.WorkspaceEdit();
      edit.delete(doc.uri, new vscode.Range(doc.positionAt(q.close), doc.positionAt(q.close + 1)));
      edit.delete(doc.uri, new vscode.Range(doc.positionAt(q.open), doc.positionAt(q.open + 1)));
      const action = new vscode.CodeAction(UNWRAP_QUOTES_TITLE, vscode.CodeActionKind.QuickFix);
      action.edit = edit;
      action.diagnostics = [d];
      action.isPreferred = true;
      out.push(action);
    }
    return out;
  }
}
