// Data prep inside a real VS Code: the three commands run on the demo EuroVoc file with an args object (which skips
// the prompts), write new files next to it, never touch the input, return their reports, and ask (scripted in test
// mode) before replacing an existing output.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface SplitReportLike {
  examples: number;
  train: number;
  valid: number;
  coverage: { needed: number; covered: number };
  labels: { label: string; train: number; valid: number }[];
  written: boolean;
}

const EXTENSION_ID = 'rft-studio.rft-studio';
/** Test-mode hook of src/host/prep/overwritePrompt.ts: queues answers, returns the questions asked so far. */
const OVERWRITE_ANSWERS = '_rftStudio.prepTestOverwriteAnswers';
const repoRoot = path.resolve(__dirname, '../../..');

function workspaceFile(rel: string): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, 'no workspace folder');
  return path.join(root, rel);
}

function jsonlLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

suite('Data prep', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('the three commands are registered and in the explorer menu for .jsonl', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['rftStudio.mapCodes', 'rftStudio.sampleDataset', 'rftStudio.splitDataset'])
      assert.ok(all.includes(c), c);
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const menu = manifest.contributes.menus['explorer/context'] as { command: string; when: string }[];
    for (const c of ['rftStudio.mapCodes', 'rftStudio.sampleDataset', 'rftStudio.splitDataset']) {
      assert.ok(
        menu.some((m) => m.command === c && m.when.includes('.jsonl')),
        `${c} in explorer/context`,
      );
    }
  });

  test('map → sample → split on the demo file: named labels, 150 balanced examples, 100/50 with every label in both', async () => {
    const input = workspaceFile('prep/eurovoc_coded.jsonl');
    const before = fs.readFileSync(input);
    const named = workspaceFile('prep/vscode-test.named.jsonl');
    const mapReport = (await vscode.commands.executeCommand('rftStudio.mapCodes', {
      file: input,
      field: 'reference_answer',
      mapping: 'prep/eurovoc_level1_codes.csv',
      out: named,
      confirm: false,
      open: false,
    })) as { unknown: unknown[]; changedLines: number; lines: number };
    assert.ok(mapReport, 'map returned no report');
    assert.deepStrictEqual(mapReport.unknown, []);
    assert.strictEqual(mapReport.changedLines, mapReport.lines);
    const first = JSON.parse(jsonlLines(named)[0]);
    assert.ok(first.reference_answer.includes('EUROPEAN UNION'), JSON.stringify(first.reference_answer));

    const sampled = workspaceFile('prep/vscode-test.sample.jsonl');
    const sampleReport = (await vscode.commands.executeCommand('rftStudio.sampleDataset', {
      file: named,
      field: 'reference_answer',
      n: 150,
      seed: '1',
      out: sampled,
      confirm: false,
      open: false,
    })) as { selected: number; missingLabels: string[] };
    assert.strictEqual(sampleReport.selected, 150);
    assert.deepStrictEqual(sampleReport.missingLabels, []);
    assert.strictEqual(jsonlLines(sampled).length, 150);

    const train = workspaceFile('prep/vscode-test.train.jsonl');
    const valid = workspaceFile('prep/vscode-test.valid.jsonl');
    const split = (await vscode.commands.executeCommand('rftStudio.splitDataset', {
      file: sampled,
      field: 'reference_answer',
      validCount: 50,
      seed: '1',
      trainOut: train,
      validOut: valid,
      confirm: false,
      open: true,
    })) as SplitReportLike;
    assert.ok(split?.written, 'split did not write');
    assert.strictEqual(split.train, 100);
    assert.strictEqual(split.valid, 50);
    assert.deepStrictEqual(split.coverage, { needed: 21, covered: 21 });
    assert.ok(split.labels.every((l) => l.train > 0 && l.valid > 0));
    const t = jsonlLines(train);
    const v = jsonlLines(valid);
    assert.deepStrictEqual([...t, ...v].sort(), jsonlLines(sampled).sort(), 'nothing lost or duplicated');
    const openPaths = vscode.window.visibleTextEditors.map((e) => e.document.uri.fsPath);
    assert.ok(
      openPaths.includes(train) && openPaths.includes(valid),
      `results opened: ${openPaths.join(', ')}`,
    );
    assert.ok(fs.readFileSync(input).equals(before), 'the input file is unchanged');
  });

  test('split refuses the input as an output and leaves it untouched', async () => {
    const input = workspaceFile('prep/eurovoc_coded.jsonl');
    const before = fs.readFileSync(input);
    const result = await vscode.commands.executeCommand('rftStudio.splitDataset', {
      file: input,
      field: 'reference_answer',
      validCount: 50,
      trainOut: input,
      validOut: workspaceFile('prep/x.valid.jsonl'),
      confirm: false,
      open: false,
    });
    assert.strictEqual(result, undefined);
    assert.ok(fs.readFileSync(input).equals(before));
    assert.ok(!fs.existsSync(workspaceFile('prep/x.valid.jsonl')));
  });
  test('existing outputs: each command asks before overwriting and writes nothing when the user declines', async () => {
    const input = workspaceFile('prep/eurovoc_coded.jsonl');
    const existing = ['named', 'sample', 'train', 'valid'].map((k) =>
      workspaceFile(`prep/vscode-test.keep.${k}.jsonl`),
    );
    for (const f of existing) fs.writeFileSync(f, `{"keep": "${path.basename(f)}"}\n`);
    const [named, sampled, train, valid] = existing;
    const common = { file: input, field: 'reference_answer', confirm: false, open: false };
    // Three scripted "no" answers, one per command (the test-mode prompt records each question it answers).
    await vscode.commands.executeCommand(OVERWRITE_ANSWERS, [false, false, false]);
    const results = [
      await vscode.commands.executeCommand('rftStudio.mapCodes', {
        ...common,
        mapping: 'prep/eurovoc_level1_codes.csv',
        out: named,
      }),
      await vscode.commands.executeCommand('rftStudio.sampleDataset', { ...common, n: 20, out: sampled }),
      await vscode.commands.executeCommand('rftStudio.splitDataset', {
        ...common,
        validCount: 50,
        trainOut: train,
        validOut: valid,
      }),
    ];
    assert.deepStrictEqual(
      results,
      [undefined, undefined, undefined],
      'a declined command returns no report',
    );
    for (const f of existing)
      assert.strictEqual(
        fs.readFileSync(f, 'utf8'),
        `{"keep": "${path.basename(f)}"}\n`,
        `${f} was overwritten`,
      );
    const asked = await vscode.commands.executeCommand<string[]>(OVERWRITE_ANSWERS, []);
    assert.deepStrictEqual(asked.slice(-3), [
      'RFT Studio: Map Codes to Names: vscode-test.keep.named.jsonl already exists. Overwrite?',
      'RFT Studio: Sample Balanced Subset: vscode-test.keep.sample.jsonl already exists. Overwrite?',
      'RFT Studio: Split Dataset: vscode-test.keep.train.jsonl and vscode-test.keep.valid.jsonl already exist. Overwrite?',
    ]);
  });

  test('existing output: "Overwrite" (or overwrite: true in the args) replaces it', async () => {
    const input = workspaceFile('prep/eurovoc_coded.jsonl');
    const out = workspaceFile('prep/vscode-test.replace.sample.jsonl');
    const common = { file: input, field: 'reference_answer', n: 20, out, confirm: false, open: false };
    fs.writeFileSync(out, '{"old": true}\n');
    await vscode.commands.executeCommand(OVERWRITE_ANSWERS, [true]);
    const asked = await vscode.commands.executeCommand<string[]>(OVERWRITE_ANSWERS, []);
    const report = (await vscode.commands.executeCommand('rftStudio.sampleDataset', common)) as {
      selected: number;
    };
    assert.strictEqual(report?.selected, 20);
    assert.strictEqual(jsonlLines(out).length, 20);
    const after = await vscode.commands.executeCommand<string[]>(OVERWRITE_ANSWERS, []);
    assert.strictEqual(after.length, asked.length + 1, 'the question was asked once');

    fs.writeFileSync(out, '{"old": true}\n');
    const forced = await vscode.commands.executeCommand('rftStudio.sampleDataset', {
      ...common,
      overwrite: true,
    });
    assert.ok(forced, 'overwrite: true wrote without asking');
    assert.strictEqual(jsonlLines(out).length, 20);
    const last = await vscode.commands.executeCommand<string[]>(OVERWRITE_ANSWERS, []);
    assert.strictEqual(last.length, after.length, 'overwrite: true does not ask');
  });
});
