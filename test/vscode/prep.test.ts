// Data prep inside a real VS Code: the three commands run on the demo EuroVoc file with an args object (which skips
// the prompts), write new files next to it, never touch the input, and return their reports.
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
});
