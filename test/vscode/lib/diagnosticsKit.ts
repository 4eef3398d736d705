// What the grader suites share: the extension id, the workspace folder, a diagnostic's code as text, and polling
// the diagnostics of a document until they reach the state a test waits for.
import * as assert from 'node:assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'rft-studio.rft-studio';

export function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return folder.uri.fsPath;
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/**
 * The diagnostics of `uri` that `keep` selects, once `until` accepts them; on timeout the error lists what there
 * is (`label` names which diagnostics, e.g. "json ").
 */
export async function waitForDiagnostics(
  uri: vscode.Uri,
  keep: (d: vscode.Diagnostic) => boolean,
  until: (d: vscode.Diagnostic[]) => boolean,
  timeoutMs = 20_000,
  label = '',
): Promise<vscode.Diagnostic[]> {
  const t0 = Date.now();
  for (;;) {
    const d = vscode.languages.getDiagnostics(uri).filter(keep);
    if (until(d)) return d;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out; ${label}diagnostics now: ${JSON.stringify(d.map((x) => `${codeOf(x)} ${x.message}`))}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
