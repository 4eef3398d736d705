// Grader Lab inside a real VS Code: the command opens one panel (re-used on the next call, also when it is
// invoked from a grader file), and the panel can be closed again.
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';

function labTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('rftStudio.graderLab'),
    );
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Grader Lab', () => {
  teardown(async () => {
    for (const t of labTabs()) await vscode.window.tabGroups.close(t);
  });

  test('"Open Grader Lab" opens one panel and re-uses it', async () => {
    await vscode.commands.executeCommand('rftStudio.openGraderLab');
    await waitFor(() => labTabs().length === 1, 'the Grader Lab tab');
    assert.strictEqual(labTabs()[0].label, 'Grader Lab');
    await vscode.commands.executeCommand('rftStudio.openGraderLab');
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(labTabs().length, 1, 'a second call reveals the same panel');
  });

  test('opening it from a grader file works and still keeps one panel', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run in the demo workspace');
    const grader = vscode.Uri.file(path.join(folder.uri.fsPath, 'lab', 'eurovoc_f2.grader.json'));
    await vscode.commands.executeCommand('rftStudio.openGraderLab', grader);
    await waitFor(() => labTabs().length === 1, 'the Grader Lab tab');
    await vscode.commands.executeCommand('rftStudio.openGraderLab', grader);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(labTabs().length, 1);
  });

  test('closing the tab disposes the panel; the command opens a fresh one', async () => {
    await vscode.commands.executeCommand('rftStudio.openGraderLab');
    await waitFor(() => labTabs().length === 1, 'the Grader Lab tab');
    await vscode.window.tabGroups.close(labTabs()[0]);
    await waitFor(() => labTabs().length === 0, 'the tab to close');
    await vscode.commands.executeCommand('rftStudio.openGraderLab');
    await waitFor(() => labTabs().length === 1, 'a new Grader Lab tab');
  });
});
