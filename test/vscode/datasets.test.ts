// Datasets inside a real VS Code: diagnostics appear on the demo's broken RFT file at the exact ranges the CLI
// reports, follow edits as you type, quick fixes are undoable edits, and "Validate Dataset File…" publishes
// problems for a file that is not open.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { validateDatasetFile } from '../../src/core/datasets/validate';
import { waitFor } from '../lib/waitFor';

const EXTENSION_ID = 'rft-studio.rft-studio';

function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return folder.uri.fsPath;
}

async function ours(
  uri: vscode.Uri,
  until: (d: vscode.Diagnostic[]) => boolean,
  timeoutMs = 15_000,
): Promise<vscode.Diagnostic[]> {
  const now = () => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'RFT Studio');
  return waitFor(
    `the expected diagnostics on ${path.basename(uri.fsPath)}`,
    () => {
      const d = now();
      return until(d) && d;
    },
    { timeoutMs, detail: () => `diagnostics now: ${JSON.stringify(now().map(brief))}` },
  );
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function brief(d: vscode.Diagnostic): string {
  const r = d.range;
  return `${codeOf(d)}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

suite('Datasets', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('broken_example.jsonl: the editor shows the CLI diagnostics at the same ranges', async () => {
    const file = path.join(workspace(), 'datasets/rft/broken_example.jsonl');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.length >= 7);
    const cli = await validateDatasetFile(file);
    const expected = cli.diagnostics.map(
      (d) =>
        `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`,
    );
    assert.deepStrictEqual(diags.map(brief).sort(), [...expected].sort());
    // The ranges cover exactly the offending text.
    const at = (code: string) => doc.getText(diags.find((d) => codeOf(d) === code)!.range);
    assert.strictEqual(at('rft/system-role'), '"system"');
    assert.strictEqual(at('rft/last-message-not-user'), '{"role":"assistant","content":"2 * 4 = 8"}');
    assert.strictEqual(at('dataset/field-rare'), '"nums"');
    assert.strictEqual(at('message/empty-content'), '""');
    const syntax = diags.find((d) => codeOf(d) === 'jsonl/invalid-json')!;
    assert.strictEqual(syntax.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(syntax.range.start.line, 2);
    assert.strictEqual(syntax.range.start.character, doc.lineAt(2).text.length - 1);
  });

  test('diagnostics follow edits as you type, and undo brings them back', async () => {
    const file = path.join(workspace(), 'datasets/rft/broken_example.jsonl');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'jsonl/invalid-json'));
    // Close the unterminated object on line 3.
    await editor.edit((b) => b.insert(doc.lineAt(2).range.end, '}'));
    const fixed = await ours(doc.uri, (d) => !d.some((x) => codeOf(x) === 'jsonl/invalid-json'));
    // Line 3 now parses: its "target" is a string where the others use numbers.
    const typed = fixed.find((d) => codeOf(d) === 'dataset/field-type');
    assert.ok(typed, JSON.stringify(fixed.map(brief)));
    assert.strictEqual(doc.getText(typed.range), '"10"');
    await vscode.commands.executeCommand('undo');
    await ours(
      doc.uri,
      (d) =>
        d.some((x) => codeOf(x) === 'jsonl/invalid-json') &&
        !d.some((x) => codeOf(x) === 'dataset/field-type'),
    );
    assert.ok(!doc.isDirty, 'undo restored the file');
  });

  test('quick fix system → developer is one undoable edit', async () => {
    const file = path.join(workspace(), 'datasets/rft/broken_example.jsonl');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'rft/system-role'));
    const sys = diags.find((d) => codeOf(d) === 'rft/system-role')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      sys.range,
    );
    const fix = actions.find((a) => a.title === 'Change role "system" to "developer"');
    assert.ok(fix?.edit, `no fix among ${actions.map((a) => a.title).join(', ')}`);
    const before = doc.getText();
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.strictEqual(doc.getText(), before.replace('"role":"system"', '"role":"developer"'));
    await ours(doc.uri, (d) => !d.some((x) => codeOf(x) === 'rft/system-role'));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), before);
    // The SFT-style line offers the move into a reference field.
    const last = (await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'rft/last-message-not-user'))).find(
      (d) => codeOf(d) === 'rft/last-message-not-user',
    )!;
    const more = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      last.range,
    );
    assert.ok(
      more.some((a) => a.title.includes('reference_answer')),
      more.map((a) => a.title).join(', '),
    );
  });

  test('Validate Dataset File… publishes problems for a file that is not open', async () => {
    const file = path.join(workspace(), 'datasets/not_open.jsonl');
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], target: i }),
    );
    lines[5] = lines[5].replace('"user"', '"bot"');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const uri = vscode.Uri.file(file);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file));
    const result = await vscode.commands.executeCommand<
      { path: string; format: string; examples: number; diagnostics: number }[]
    >('rftStudio.validateDatasetFile', uri);
    assert.deepStrictEqual(result, [{ path: file, format: 'rft', examples: 12, diagnostics: 1 }]);
    const d = await ours(uri, (x) => x.length === 1);
    assert.strictEqual(
      brief(d[0]),
      `message/role-not-allowed@5:${lines[5].indexOf('"bot"')}-5:${lines[5].indexOf('"bot"') + 5}`,
    );
  });

  test('a training/validation pair from the settings: overlap and field differences show on the validation file', async () => {
    const dir = path.join(workspace(), 'datasets/pair');
    fs.mkdirSync(dir, { recursive: true });
    const ex = (i: number, target: unknown = i) =>
      JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], target });
    fs.writeFileSync(
      path.join(dir, 'train.jsonl'),
      `${Array.from({ length: 12 }, (_, i) => ex(i)).join('\n')}\n`,
    );
    fs.writeFileSync(path.join(dir, 'valid.jsonl'), `${[ex(100), ex(4)].join('\n')}\n`);
    const config = vscode.workspace.getConfiguration('rftStudio');
    await config.update(
      'datasets.pairs',
      [{ training: 'datasets/pair/train.jsonl', validation: 'datasets/pair/valid.jsonl' }],
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      const doc = await vscode.workspace.openTextDocument(path.join(dir, 'valid.jsonl'));
      await vscode.window.showTextDocument(doc);
      const d = await ours(doc.uri, (x) => x.some((y) => codeOf(y) === 'pair/overlap'));
      const overlap = d.find((x) => codeOf(x) === 'pair/overlap')!;
      assert.strictEqual(overlap.range.start.line, 1);
      assert.match(overlap.message, /also in the training file train\.jsonl \(line 5\)/);
      assert.strictEqual(overlap.relatedInformation?.[0].location.uri.fsPath, path.join(dir, 'train.jsonl'));
      // Editing the validation file so it no longer repeats a training example clears the overlap.
      const editor = vscode.window.activeTextEditor!;
      await editor.edit((b) => b.replace(doc.lineAt(1).range, ex(200)));
      await ours(doc.uri, (x) => !x.some((y) => codeOf(y) === 'pair/overlap'));
    } finally {
      await config.update('datasets.pairs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
