// Grader authoring inside a real VS Code, issue #12 part B: a grader saved inside its shell quotes gets one
// diagnostic and an undoable quick fix; evaluation_metric help says how sure each metric is; a grader named by
// a job spec is checked against the job's training and validation files; SFT files get the cookbook checks.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, EXTENSION_ID, waitForDiagnostics, workspace } from './lib/diagnosticsKit';

function ours(
  uri: vscode.Uri,
  until: (d: vscode.Diagnostic[]) => boolean,
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  return waitForDiagnostics(uri, (x) => x.source === 'RFT Studio', until, timeoutMs);
}

const INNER =
  '{"type": "string_check", "name": "answer", "input": "{{ sample.output_text }}", "reference": "{{ item.answer }}", "operation": "eq"}';

suite('Grader fixes and fidelity', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a grader inside shell quotes: one diagnostic, and a quick fix that removes them as one undoable edit', async () => {
    const file = path.join(workspace(), 'graders/pasted.grader.json');
    fs.writeFileSync(file, `'${INNER}'\n`);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'grader/shell-quoted'));
    assert.deepStrictEqual(
      diags.map(codeOf),
      ['grader/shell-quoted'],
      'one clear problem, not two bare syntax errors',
    );
    const quoted = diags[0]!;
    assert.strictEqual(doc.getText(quoted.range), "'");
    assert.strictEqual(quoted.range.start.character, 0);
    assert.match(quoted.message, /wrapped in single quotes/);
    assert.strictEqual(quoted.relatedInformation?.[0]?.location.range.start.character, INNER.length + 1);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      quoted.range,
    );
    const fix = actions.find((a) => a.title === 'Remove the single quotes around the grader JSON');
    assert.ok(fix?.edit, `no fix among ${actions.map((a) => a.title).join(', ')}`);
    const before = doc.getText();
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.strictEqual(doc.getText(), `${INNER}\n`);
    await ours(
      doc.uri,
      (d) => !d.some((x) => codeOf(x) === 'grader/shell-quoted' || codeOf(x) === 'grader/json-syntax'),
    );
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), before, 'one undo brings both quotes back');
    await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'grader/shell-quoted'));
  });

  test('no unwrap is offered when the quoted text is not JSON', async () => {
    const file = path.join(workspace(), 'graders/pasted-broken.grader.json');
    fs.writeFileSync(file, `'${INNER.slice(0, 40)}'\n`);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'grader/shell-quoted'));
    const quoted = diags.find((x) => codeOf(x) === 'grader/shell-quoted')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      quoted.range,
    );
    assert.ok(!actions.some((a) => a.title.startsWith('Remove the single quotes')));
  });

  test('evaluation_metric hover says how sure the metric is', async () => {
    const file = path.join(workspace(), 'graders/metric.grader.json');
    const text =
      '{\n  "type": "text_similarity",\n  "name": "close",\n  "input": "{{ sample.output_text }}",\n  "reference": "{{ item.answer }}",\n  "evaluation_metric": "meteor"\n}\n';
    fs.writeFileSync(file, text);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(text.indexOf('"meteor"') + 3);
    let shown = '';
    // The JSON language server reads the contributed schema in the background: ask until it answers.
    for (let i = 0; i < 100 && !/service unconfirmed/.test(shown); i++) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        at,
      );
      shown = hovers
        .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
        .join('\n');
      if (!/service unconfirmed/.test(shown)) await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(shown, /reference-library exact, service unconfirmed/);
  });

  test('a grader named by a job spec is checked against its training and validation files together', async () => {
    const root = workspace();
    fs.mkdirSync(path.join(root, 'drift'), { recursive: true });
    const row = (label: unknown, i: number) =>
      JSON.stringify({ messages: [{ role: 'user', content: `Text ${i}?` }], answer: label });
    fs.writeFileSync(
      path.join(root, 'drift/train.jsonl'),
      Array.from({ length: 10 }, (_, i) => row(`label ${i}`, i)).join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(root, 'drift/valid.jsonl'),
      Array.from({ length: 5 }, (_, i) => row([`label ${i}`], i)).join('\n') + '\n',
    );
    fs.writeFileSync(path.join(root, 'drift/drift.grader.json'), `${INNER}\n`);
    fs.writeFileSync(
      path.join(root, 'drift/drift.rftjob.json'),
      JSON.stringify(
        {
          model: 'o4-mini-2025-04-16',
          training_file: 'train.jsonl',
          validation_file: 'valid.jsonl',
          grader: 'drift.grader.json',
        },
        null,
        2,
      ),
    );
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'drift/drift.grader.json'));
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'grader/item-type-drift-across'));
    const drift = diags.find((x) => codeOf(x) === 'grader/item-type-drift-across')!;
    assert.strictEqual(doc.getText(drift.range), 'item.answer');
    assert.match(
      drift.message,
      /a string in train\.jsonl \(line 1\) but an array in valid\.jsonl \(line 1\)/,
    );
    assert.deepStrictEqual(
      drift.relatedInformation?.map((r) => [
        path.basename(r.location.uri.fsPath),
        r.location.range.start.line,
      ]),
      [
        ['train.jsonl', 0],
        ['valid.jsonl', 0],
      ],
    );
  });

  test('an SFT file: no user message per example, no system message once for the file', async () => {
    const file = path.join(workspace(), 'datasets/sft/cookbook_checks.jsonl');
    const line = (i: number, roles: string[]) =>
      JSON.stringify({ messages: roles.map((role) => ({ role, content: `${role} ${i}` })) });
    const lines = Array.from({ length: 10 }, (_, i) =>
      line(
        i,
        i === 3
          ? ['system', 'assistant']
          : i % 4 === 1
            ? ['user', 'assistant']
            : ['system', 'user', 'assistant'],
      ),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await ours(doc.uri, (d) => d.some((x) => codeOf(x) === 'sft/no-user-message'));
    assert.deepStrictEqual(
      diags.filter((d) => codeOf(d) === 'sft/no-user-message').map((d) => d.range.start.line),
      [3],
    );
    const noSystem = diags.filter((d) => codeOf(d) === 'sft/no-system-message');
    assert.strictEqual(noSystem.length, 1, 'once per file');
    assert.strictEqual(noSystem[0]!.range.start.line, 1);
    assert.strictEqual(noSystem[0]!.severity, vscode.DiagnosticSeverity.Information);
    assert.match(noSystem[0]!.message, /^3 example\(s\) have no system message/);
  });
});
