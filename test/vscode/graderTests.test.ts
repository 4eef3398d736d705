// Grader unit tests in the Testing view, inside a real VS Code on the demo workspace: the controller lists the demo's
// *.gradertest.jsonl cases at their lines, runs them (a pass, the demo's deliberate failure with expected vs actual),
// follows an edit of a test file, and lists an eval spec's gates, which run the eval only once confirmed.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './lib/diagnosticsKit';

// Mirrors src/host/testing (the test bundle does not import the extension's modules).
const STATE = '_rftStudio.testingTestState';
const RUN = '_rftStudio.testingTestRun';
const EVAL_CONFIRM = '_rftStudio.evalTestConfirmAnswers';

interface ItemView {
  id: string;
  label: string;
  file: string;
  line: number;
  description?: string;
  error?: string;
  children: ItemView[];
}
type Outcome =
  | { status: 'passed'; output?: string }
  | { status: 'failed'; message: string; expected?: string; actual?: string }
  | { status: 'errored'; message: string };
interface Recorded {
  id: string;
  label: string;
  file: string;
  line: number;
  outcome: Outcome;
}

async function items(): Promise<ItemView[]> {
  return (await vscode.commands.executeCommand<ItemView[]>(STATE)) ?? [];
}

async function waitFor<T>(
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite('Grader tests', () => {
  const folder = () => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f, 'the tests run in the demo workspace');
    return f.uri.fsPath;
  };
  const toyFile = () => path.join(folder(), 'graders', 'toy_sentiment.gradertest.jsonl');

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('lists the demo grader tests by file, one item per case at its line', async () => {
    const files = await waitFor(items, (v) => v.length >= 3, 'three grader test files');
    const names = files.map((f) => path.relative(folder(), f.file).split(path.sep).join('/'));
    for (const f of [
      'graders/clause_matching.gradertest.jsonl',
      'graders/countdown.gradertest.jsonl',
      'graders/toy_sentiment.gradertest.jsonl',
    ])
      assert.ok(names.includes(f), `${f} in ${names.join(', ')}`);
    const toy = files.find((f) => f.file === toyFile())!;
    assert.deepStrictEqual(
      toy.children.map((c) => [c.line, c.label]),
      [
        [0, 'the right label scores 1'],
        [1, 'a wrong label scores low'],
        [2, 'the label as JSON text is read through output_json'],
        [3, 'a lowercase label still counts as right'],
        [4, 'plain text instead of JSON raises invalid_variable_error'],
      ],
    );
    assert.strictEqual(toy.children[3]!.description, 'reward 1');
  });

  test("lists the demo eval's gates under its spec, at their lines", async () => {
    const spec = path.join(folder(), 'evals', 'countdown.rfteval.json');
    const file = await waitFor(
      async () => (await items()).find((f) => f.file === spec),
      (f) => Boolean(f?.children.length),
      'the demo eval spec',
    );
    const lines = fs.readFileSync(spec, 'utf8').split('\n');
    assert.deepStrictEqual(
      // Each gate sits at its object's opening line, its name on that line or the next.
      file!.children.map((c) => [
        c.label,
        lines
          .slice(c.line, c.line + 2)
          .join('')
          .includes(`"${c.label}"`),
      ]),
      [
        ['tuned beats base by 0.5 or more, significantly', true],
        ['no failed samples', true],
      ],
    );
  });

  test('runs a file: a pass, and the deliberate failure with expected vs actual at its line', async () => {
    const toy = (await items()).find((f) => f.file === toyFile())!;
    const results = await vscode.commands.executeCommand<Recorded[]>(RUN, [toy.id]);
    assert.strictEqual(results.length, 5);
    const pass = results.find((r) => r.line === 0)!;
    assert.strictEqual(pass.outcome.status, 'passed');
    const fail = results.find((r) => r.line === 3)!;
    assert.deepStrictEqual(fail.outcome, {
      status: 'failed',
      message: 'expected reward 1, got 0.875 (off by 0.125)',
      expected: 'reward 1',
      actual: 'reward 0.875',
      durationMs: (fail.outcome as { durationMs?: number }).durationMs,
    });
    assert.strictEqual(results.filter((r) => r.outcome.status === 'passed').length, 4);
  });

  test('runs one case on its own', async () => {
    const toy = (await items()).find((f) => f.file === toyFile())!;
    const results = await vscode.commands.executeCommand<Recorded[]>(RUN, [toy.children[1]!.id]);
    assert.deepStrictEqual(
      results.map((r) => [r.label, r.outcome.status]),
      [['a wrong label scores low', 'passed']],
    );
  });

  test('follows edits: a new case appears, an invalid line marks the file', async () => {
    const doc = await vscode.workspace.openTextDocument(toyFile());
    const editor = await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    const added =
      '{"name": "added in the editor", "grader": "toy_sentiment.grader.json", "item": {"reference_answer": "Neutral"}, "sample": {"output_json": {"sentiment": "Neutral"}}, "expect": {"reward": 1}}\n{"name": 1}';
    await editor.edit((e) => e.insert(end, `${doc.getText().endsWith('\n') ? '' : '\n'}${added}`));
    try {
      const toy = await waitFor(
        async () => (await items()).find((f) => f.file === toyFile())!,
        (f) => f.children.some((c) => c.label === 'added in the editor') && Boolean(f.error),
        'the added case',
      );
      const added1 = toy.children.find((c) => c.label === 'added in the editor')!;
      const results = await vscode.commands.executeCommand<Recorded[]>(RUN, [added1.id]);
      assert.deepStrictEqual(
        results.map((r) => r.outcome.status),
        ['passed'],
      );
      const diags = vscode.languages.getDiagnostics(doc.uri);
      assert.ok(
        diags.some((d) => d.code === 'gradertest/schema' && d.range.start.line === added1.line + 1),
        JSON.stringify(diags),
      );
    } finally {
      // Put the text back and save, so later suites see the demo file unchanged.
      await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), original));
      await doc.save();
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await waitFor(
      async () => (await items()).find((f) => f.file === toyFile())!,
      (f) => f.children.length === 5 && !f.error,
      'the file as saved again',
    );
  });
  test('eval gates: one item per gate, run through Run Eval only after its confirmation', async () => {
    const spec = path.join(folder(), 'evals', 'gated.rfteval.json');
    fs.writeFileSync(
      spec,
      JSON.stringify(
        {
          name: 'gated',
          dataset: '../datasets/rft/countdown_valid.jsonl',
          limit: 3,
          graders: ['../graders/countdown.grader.json'],
          response_format: '../graders/countdown.response_format.json',
          candidates: [
            { label: 'base', model: 'o4-mini-2025-04-16', seed: 1 },
            { label: 'tuned', model: 'ft:o4-mini-2025-04-16:emulator:countdown-demo:demo0001', seed: 1 },
          ],
          gates: [
            { name: 'tuned scores at all', candidate: 'tuned', mean: { min: 0 } },
            { name: 'tuned is 10 points better', compare: ['tuned', 'base'], difference: { min: 10 } },
          ],
        },
        null,
        2,
      ),
    );
    try {
      const file = await waitFor(
        async () => (await items()).find((f) => f.file === spec),
        (f) => Boolean(f && f.children.length === 2),
        'the gated spec',
      );
      assert.deepStrictEqual(
        file!.children.map((c) => [c.label, c.line]),
        [
          ['tuned scores at all', 21],
          ['tuned is 10 points better', 28],
        ],
      );
      // Declined: nothing runs, both gates error with the reason.
      await vscode.commands.executeCommand(EVAL_CONFIRM, [false]);
      const declined = await vscode.commands.executeCommand<Recorded[]>(RUN, [file!.id]);
      assert.deepStrictEqual(
        declined.map((r) => [r.label, r.outcome.status]),
        [
          ['tuned scores at all', 'errored'],
          ['tuned is 10 points better', 'errored'],
        ],
      );
      assert.match((declined[0]!.outcome as { message: string }).message, /confirm/i);
      await vscode.commands.executeCommand(EVAL_CONFIRM, [true]);
      const ran = await vscode.commands.executeCommand<Recorded[]>(RUN, [file!.id]);
      assert.deepStrictEqual(
        ran.map((r) => [r.label, r.outcome.status]),
        [
          ['tuned scores at all', 'passed'],
          ['tuned is 10 points better', 'failed'],
        ],
        JSON.stringify(ran),
      );
    } finally {
      fs.rmSync(spec, { force: true });
    }
  });
});
