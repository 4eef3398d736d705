// Eval comparison inside a real VS Code: the command opens the view on a run folder (from a file in it, as the
// explorer menu does), the webview asks for the view and gets the run's numbers, two saved runs compare, a folder
// that is not a run says so, and a panel comes back from its persisted state (the serializer a reload uses).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareViewData, HostToEvalCompare } from '../../src/shared/evalCompareProtocol';
import { EVAL_COMPARE_VIEW_TYPE } from '../../src/shared/evalCompareProtocol';
import { EXPECTED, writeEvalRunFixture } from '../lib/evalRunFixture';
import { waitFor } from '../lib/waitFor';

interface PanelView {
  title: string;
  source: { runs: string[]; candidates: [string, string] } | undefined;
  posted: string[];
}

type Posted = HostToEvalCompare | { type: 'view'; view: CompareViewData };

function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(EVAL_COMPARE_VIEW_TYPE),
    );
}

async function panels(): Promise<PanelView[]> {
  return (await vscode.commands.executeCommand<PanelView[]>('_rftStudio.evalCompareTestState')) ?? [];
}

/** The first view the webview asked for and got, in the panel whose title matches. */
async function viewIn(title: RegExp): Promise<{ panel: PanelView; posted: Posted[]; view: CompareViewData }> {
  return waitFor(
    `a view posted to the panel "${title.source}"`,
    async () => {
      const panel = (await panels()).find((p) => title.test(p.title));
      if (!panel) return undefined;
      const posted = panel.posted.map((t) => JSON.parse(t) as Posted);
      const view = posted.find((m): m is { type: 'view'; view: CompareViewData } => m.type === 'view');
      return view && { panel, posted, view: view.view };
    },
    { timeoutMs: 60_000, detail: () => 'no view posted yet' },
  );
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

suite('Eval comparison', () => {
  let root: string;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('rft-studio.rft-studio')?.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run in the demo workspace');
    root = folder.uri.fsPath;
  });

  teardown(async () => {
    // A panel opened a moment ago may not have its tab yet: close what is there until no panel is left.
    await waitFor('the comparison panels closed', async () => {
      for (const t of compareTabs()) await vscode.window.tabGroups.close(t);
      return (await panels()).length === 0;
    });
  });

  test('from a file of a run folder: tuned vs base, with the run’s numbers sent to the webview', async () => {
    const { runDir } = writeEvalRunFixture(root, { name: 'countdown-20261201-101500' });
    await vscode.commands.executeCommand(
      'rftStudio.openEvalComparison',
      vscode.Uri.file(path.join(runDir, 'results.jsonl')),
    );
    const { panel, posted, view } = await viewIn(/tuned vs base/);
    assert.strictEqual(panel.title, 'Eval: tuned vs base');
    assert.deepStrictEqual(panel.source, { runs: [runDir], candidates: ['tuned', 'base'] });
    const header = posted.find((m) => m.type === 'header');
    assert.ok(header && header.type === 'header');
    assert.strictEqual(header.header.defaultThreshold, 0.5);
    // The webview asked with the spec's threshold and no filter: the whole run.
    assert.strictEqual(view.threshold, 0.5);
    assert.strictEqual(view.matching, 12);
    close(view.candidates[0].mean, EXPECTED.meanTuned, 'mean tuned');
    close(view.candidates[1].mean, EXPECTED.meanBase, 'mean base');
    close(view.paired.difference, EXPECTED.difference, 'difference');
    assert.deepStrictEqual(
      [view.paired.wins, view.paired.ties, view.paired.losses],
      [EXPECTED.wins, EXPECTED.ties, EXPECTED.losses],
    );
    close(view.paired.signTestP, EXPECTED.signTestP, 'sign test p');
    assert.deepStrictEqual(
      view.labels.map((l) => l.name),
      ['easy', 'hard', 'medium'],
    );
    assert.ok(view.mostChanged.length > 0 && view.mostChanged[0].outputs[0].length === 2);
    assert.strictEqual(compareTabs().length, 1);
    // The same comparison again reveals the same panel.
    await vscode.commands.executeCommand('rftStudio.openEvalComparison', vscode.Uri.file(runDir));
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(compareTabs().length, 1);
  });

  test('two saved runs, and chosen candidates', async () => {
    const { runDir: first } = writeEvalRunFixture(root, { name: 'countdown-20261201-110000' });
    const { runDir: second } = writeEvalRunFixture(root, { name: 'countdown-20261201-120000' });
    await vscode.commands.executeCommand('rftStudio.openEvalComparison', vscode.Uri.file(second), [
      vscode.Uri.file(path.join(second, 'summary.json')),
      vscode.Uri.file(path.join(first, 'summary.json')),
    ]);
    const { panel, view } = await viewIn(
      /tuned@countdown-20261201-120000 vs tuned@countdown-20261201-110000/,
    );
    assert.deepStrictEqual(panel.source?.runs, [second, first]);
    assert.strictEqual(view.paired.difference, 0);
    assert.strictEqual(view.paired.ties, 12);
    await vscode.commands.executeCommand('rftStudio.openEvalComparison', vscode.Uri.file(first), undefined, {
      candidates: ['base', 'tuned'],
    });
    const swapped = await viewIn(/^Eval: base vs tuned$/);
    close(swapped.view.paired.difference, -EXPECTED.difference, 'base − tuned');
  });

  test('a folder that is not a run folder gets a clear message in the panel', async () => {
    const notRun = path.join(root, '.rft', 'evals', 'not-a-run');
    fs.mkdirSync(notRun, { recursive: true });
    await vscode.commands.executeCommand('rftStudio.openEvalComparison', vscode.Uri.file(notRun));
    const failed = await waitFor('the failure posted', async () => {
      const p = (await panels()).find((x) => x.posted.some((t) => t.includes('"failed"')));
      return p && (JSON.parse(p.posted.find((t) => t.includes('"failed"'))!) as { message: string });
    });
    assert.match(failed.message, /not-a-run is not an eval run folder \(no results\.jsonl in it\)/);
  });

  test('a panel comes back from the state its webview persisted (what a window reload does)', async () => {
    const { runDir } = writeEvalRunFixture(root, { name: 'countdown-20261201-130000' });
    const manifest = vscode.extensions.getExtension('rft-studio.rft-studio')?.packageJSON as {
      activationEvents?: string[];
    };
    assert.ok(manifest.activationEvents?.includes(`onWebviewPanel:${EVAL_COMPARE_VIEW_TYPE}`));
    const serializer = await vscode.commands.executeCommand<vscode.WebviewPanelSerializer>(
      '_rftStudio.evalCompareTestSerializer',
    );
    const panel = vscode.window.createWebviewPanel(
      EVAL_COMPARE_VIEW_TYPE,
      'Eval: base vs tuned',
      vscode.ViewColumn.Active,
      {},
    );
    await serializer.deserializeWebviewPanel(panel, {
      source: { runs: [runDir], candidates: ['base', 'tuned'] },
      threshold: 1,
      filter: { outcome: 'loss' },
      sort: 'line',
    });
    const { view } = await viewIn(/^Eval: base vs tuned$/);
    // The threshold, filter and order the webview had persisted come back, and it asks with them.
    assert.strictEqual(view.threshold, 1);
    assert.deepStrictEqual(
      view.rows.map((r) => r.itemKey),
      [0, 1, 2, 4, 6, 7, 8, 9, 10].map((i) => `cd-${String(i).padStart(3, '0')}`),
    );
    // A state it cannot reload from closes the panel instead of showing an empty one.
    const broken = vscode.window.createWebviewPanel(
      EVAL_COMPARE_VIEW_TYPE,
      'Eval: broken',
      vscode.ViewColumn.Active,
      {},
    );
    let disposed = false;
    broken.onDidDispose(() => (disposed = true));
    await serializer.deserializeWebviewPanel(broken, { source: { runs: [] } });
    assert.ok(disposed);
  });
});
