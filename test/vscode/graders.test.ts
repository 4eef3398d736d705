// Grader authoring inside a real VS Code: lint diagnostics on *.grader.json at the ranges core computes,
// dataset cross-checks once a grader is linked (setting), item. completion from the dataset, hovers with the
// values on the first lines, and the JSON schema contributed through jsonValidation.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lintGraderText } from '../../src/core/graders/lint';
import { codeOf, EXTENSION_ID, waitForDiagnostics, workspace } from './lib/diagnosticsKit';

function diagnostics(
  uri: vscode.Uri,
  source: string,
  until: (d: vscode.Diagnostic[]) => boolean,
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  const keep = (x: vscode.Diagnostic) =>
    x.source === source || (source === 'json' && x.source !== 'RFT Studio');
  return waitForDiagnostics(uri, keep, until, timeoutMs, `${source} `);
}

const BROKEN = `{
  "type": "multi",
  "name": "broken",
  "graders": {
    "exact": {"type": "string_check", "name": "exact", "input": "{{ sample.output_text }}", "reference": "{{ item.target }}", "operation": "neq"},
    "close": {"type": "text_similarity", "name": "close", "input": "{{ sample.output_text }}", "reference": "{{ item.answer }}", "evaluation_metric": "fuzzy_match"}
  },
  "calculate_output": "0.5 * exact + 0.5 * close +"
}
`;

suite('Graders', () => {
  let file: string;
  let uri: vscode.Uri;

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    file = path.join(workspace(), 'graders/broken.grader.json');
    fs.writeFileSync(file, BROKEN);
    uri = vscode.Uri.file(file);
  });

  suiteTeardown(async () => {
    await vscode.workspace
      .getConfiguration('rftStudio')
      .update('graders.links', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('lint diagnostics match core at the same ranges and follow edits', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const expected = lintGraderText(doc.getText()).map(
      (d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`,
    );
    const diags = await diagnostics(uri, 'RFT Studio', (d) => d.length === expected.length);
    assert.deepStrictEqual(
      diags.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort(),
      [...expected].sort(),
    );
    assert.strictEqual(doc.getText(diags.find((d) => codeOf(d) === 'grader/operation-neq')!.range), '"neq"');
    assert.ok(diags.some((d) => codeOf(d) === 'grader/formula-syntax'));
    // Fix the operation as a user would; the diagnostic goes away.
    const neq = diags.find((d) => codeOf(d) === 'grader/operation-neq')!.range;
    await editor.edit((e) => e.replace(neq, '"ne"'));
    await diagnostics(
      uri,
      'RFT Studio',
      (d) =>
        !d.some((x) => codeOf(x) === 'grader/operation-neq') &&
        d.some((x) => codeOf(x) === 'grader/formula-syntax'),
    );
    await vscode.commands.executeCommand('undo');
  });

  test('linking a dataset adds cross-file checks, item. completion and value hovers', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await vscode.workspace
      .getConfiguration('rftStudio')
      .update(
        'graders.links',
        { 'graders/broken.grader.json': { dataset: 'datasets/rft/countdown_valid.jsonl' } },
        vscode.ConfigurationTarget.Workspace,
      );
    const diags = await diagnostics(uri, 'RFT Studio', (d) =>
      d.some((x) => codeOf(x) === 'grader/item-missing'),
    );
    const missing = diags.find((d) => codeOf(d) === 'grader/item-missing')!;
    assert.strictEqual(doc.getText(missing.range), 'item.answer');
    assert.match(missing.message, /missing on every dataset line \(15\)/);
    assert.ok(!diags.some((d) => d.message.startsWith('item.target')), 'item.target exists on every line');

    // Completion right after "{{ item." lists the dataset's fields.
    const at = doc.positionAt(doc.getText().indexOf('{{ item.target') + '{{ item.'.length);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      at,
      '.',
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('target') && labels.includes('nums'), `completion: ${labels.join(', ')}`);

    // Hover on {{ item.target }} shows its values on the first lines.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      at,
    );
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    const first = JSON.parse(
      fs.readFileSync(path.join(workspace(), 'datasets/rft/countdown_valid.jsonl'), 'utf8').split('\n')[0]!,
    ) as { target: unknown };
    assert.match(text, /present on 15 of 15 lines/);
    assert.ok(text.includes(`| 1 | \`${JSON.stringify(first.target)}\` |`), text);
  });

  test('the grader schema is contributed through jsonValidation', async () => {
    const schemaFile = path.join(workspace(), 'graders/schema-check.grader.json');
    fs.writeFileSync(
      schemaFile,
      '{\n  "type": "string_check",\n  "name": "x",\n  "input": "{{sample.output_text}}",\n  "reference": "a",\n  "operation": "equals"\n}\n',
    );
    const doc = await vscode.workspace.openTextDocument(schemaFile);
    await vscode.window.showTextDocument(doc);
    const d = await diagnostics(doc.uri, 'json', (x) => x.length > 0, 30_000);
    assert.ok(
      d.some((x) => doc.getText(x.range) === '"equals"'),
      d.map((x) => x.message).join('; '),
    );
  });

  test('the link command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('rftStudio.linkGraderDataset'));
  });
});
