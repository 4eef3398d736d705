// Running evals inside a real VS Code, against the local API emulator this test starts: the demo eval run from its
// spec (the modal confirmation answered through the test hook, after which the run folder is complete and the
// comparison opens on it), an unchanged rerun that runs without asking and sends nothing, the spec's CodeLens, a broken spec's problem on
// its field, and "Evaluate against base model" on the succeeded demo job and on one of its checkpoints.
import * as assert from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvalReport, EvalResultRow, EvalRunManifest } from '../../src/core/evals/types';
import type { Emulator } from '../../src/emulator/server';
import { startEmulator } from '../../src/emulator/server';
import type { EvaluateJobResult } from '../../src/host/evals/evaluateJob';
import type { RunEvalResult } from '../../src/host/evals/runEval';
import { job, launchSpec, waitFor } from './lib/jobsKit';

const EXTENSION_ID = 'rft-studio.rft-studio';
const PROVIDER_ID = 'eval-emu';
const KEY = `sk-eval-${randomBytes(24).toString('hex')}`;

interface Asked {
  message: string;
  detail: string;
}

interface PanelView {
  title: string;
  source: { runs: string[]; candidates: [string, string] } | undefined;
  posted: string[];
}

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return folder.uri;
}

const demoSpec = () => vscode.Uri.joinPath(root(), 'evals', 'countdown.rfteval.json');

/** Queues answers for the next run confirmations; returns every confirmation asked so far. */
function answer(...answers: boolean[]): Thenable<Asked[]> {
  return vscode.commands.executeCommand<Asked[]>('_rftStudio.evalTestConfirmAnswers', answers);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

suite('Eval run', function () {
  this.timeout(180_000);
  let emu: Emulator;
  let firstRun: Extract<RunEvalResult, { ok: true }>;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    // A demo job takes about a second; the emulator accepts only our key.
    emu = await startEmulator({ port: 0, speed: 60, keys: [KEY] });
    const config = vscode.workspace.getConfiguration('rftStudio');
    await config.update('jobs.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Workspace);
    await config.update('jobs.maxPollIntervalSeconds', 2, vscode.ConfigurationTarget.Workspace);
    const id = await vscode.commands.executeCommand<string>('rftStudio.addProvider', {
      kind: 'compatible',
      id: PROVIDER_ID,
      label: 'Eval emulator',
      baseURL: emu.url,
      apiKey: KEY,
    });
    assert.strictEqual(id, PROVIDER_ID);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('rftStudio.removeProvider', { id: PROVIDER_ID, confirm: false });
    await emu?.close();
  });

  test('the demo eval runs from its spec after the confirmation, writes its run folder and opens the comparison', async () => {
    await answer(true);
    const r = await vscode.commands.executeCommand<RunEvalResult>('rftStudio.runEval', demoSpec());
    assert.ok(r?.ok, `runEval failed: ${JSON.stringify(r)}`);
    firstRun = r;
    const asked = await answer();
    const question = asked.at(-1);
    assert.ok(question, 'no confirmation was asked');
    assert.match(
      question.message,
      /^Run eval "countdown"\? 240 model call\(s\), 0 cached, [\d,]+ prompt tokens, about \$/,
    );
    assert.match(question.detail, /base: o4-mini-2025-04-16 on Eval emulator/);
    assert.match(question.detail, /Nothing is sent until you choose Run/);

    // The run folder: under the workspace's .rft/evals, complete, one row per sample.
    assert.strictEqual(path.dirname(r.dir), path.join(root().fsPath, '.rft', 'evals'));
    assert.strictEqual(r.status, 'completed');
    const manifest = readJson<EvalRunManifest>(path.join(r.dir, 'run.json'));
    assert.strictEqual(manifest.spec_path, 'evals/countdown.rfteval.json');
    assert.deepStrictEqual(manifest.counts, { ...manifest.counts, requests: 240, cached: 0, failed: 0 });
    assert.strictEqual(manifest.providers.tuned?.base_url, emu.url);
    assert.ok(!fs.readFileSync(path.join(r.dir, 'run.json'), 'utf8').includes(KEY), 'the key is in run.json');
    const rows = fs
      .readFileSync(path.join(r.dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvalResultRow);
    assert.strictEqual(rows.length, 15 * 8 * 2);
    assert.ok(rows.every((x) => typeof x.reward === 'number' && !x.error));
    const summary = readJson<EvalReport>(path.join(r.dir, 'summary.json'));
    const cmp = summary.comparisons.find((c) => c.a === 'tuned' && c.b === 'base');
    assert.ok(cmp && cmp.difference > 0 && cmp.p_value < 0.01, `not significant: ${JSON.stringify(cmp)}`);
    assert.deepStrictEqual(r.report?.comparisons, summary.comparisons);

    // The comparison opened on this run and its webview got the view.
    const panel = await waitFor('the comparison of the run', async () => {
      const panels =
        (await vscode.commands.executeCommand<PanelView[]>('_rftStudio.evalCompareTestState')) ?? [];
      return panels.find(
        (p) => p.source?.runs[0] === r.dir && p.posted.some((m) => m.includes('"type":"view"')),
      );
    });
    assert.deepStrictEqual(panel.source?.candidates, ['tuned', 'base']);
  });

  test('an unchanged rerun is free: it runs without asking, sends no model request and writes a new folder', async () => {
    assert.ok(firstRun, 'needs the first run');
    const requestsBefore = emu.requests().length;
    const runsBefore = fs.readdirSync(path.dirname(firstRun.dir)).length;
    const askedBefore = (await answer()).length;
    // A queued "no" that must stay unused: nothing is asked when nothing is spent.
    await answer(false);
    const r = await vscode.commands.executeCommand<RunEvalResult>('rftStudio.runEval', { uri: demoSpec() });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.strictEqual((await answer()).length, askedBefore, 'a confirmation was asked for a free rerun');
    await vscode.commands.executeCommand('_rftStudio.evalTestConfirmAnswers', [], true); // drop the unused "no"
    const sampling = emu
      .requests()
      .slice(requestsBefore)
      .filter((q) => /\/(responses|chat\/completions)$/.test(q.path));
    assert.deepStrictEqual(sampling, [], 'a model request was sent for a cached rerun');
    assert.notStrictEqual(r.dir, firstRun.dir);
    assert.strictEqual(fs.readdirSync(path.dirname(firstRun.dir)).length, runsBefore + 1);
    const manifest = readJson<EvalRunManifest>(path.join(r.dir, 'run.json'));
    assert.deepStrictEqual(manifest.counts, { ...manifest.counts, requests: 0, cached: 240, failed: 0 });
    const summary = readJson<EvalReport>(path.join(r.dir, 'summary.json'));
    const before = readJson<EvalReport>(path.join(firstRun.dir, 'summary.json'));
    assert.deepStrictEqual(summary.comparisons, before.comparisons, 'the cached rerun gives other numbers');
  });

  test('the spec shows Run eval, Estimate cost and Open latest comparison', async () => {
    await vscode.window.showTextDocument(demoSpec());
    const titles = await waitFor('the eval lenses', async () => {
      const shown =
        await vscode.commands.executeCommand<Record<string, string[]>>('_rftStudio.evalTestLenses');
      const t = shown?.[demoSpec().toString()];
      return t?.length === 3 && t;
    });
    assert.deepStrictEqual(titles, [
      '$(play) Run eval',
      '$(symbol-number) Estimate cost',
      '$(diff) Open latest comparison',
    ]);
  });

  test('a spec naming a missing dataset is not run: the problem is on its dataset field', async () => {
    const broken = vscode.Uri.joinPath(root(), 'evals', 'broken.rfteval.json');
    const text = fs.readFileSync(demoSpec().fsPath, 'utf8').replace('countdown_valid.jsonl', 'missing.jsonl');
    fs.writeFileSync(broken.fsPath, text);
    try {
      const requestsBefore = emu.requests().length;
      const r = await vscode.commands.executeCommand<RunEvalResult>('rftStudio.runEval', broken);
      assert.ok(r && !r.ok && r.stage === 'spec', JSON.stringify(r));
      assert.match(r.message, /missing\.jsonl does not exist/);
      const diags = vscode.languages.getDiagnostics(broken);
      assert.strictEqual(diags.length, 1);
      const line = text.split('\n')[diags[0]!.range.start.line]!;
      assert.match(line, /"dataset"/);
      assert.strictEqual(emu.requests().length, requestsBefore);
    } finally {
      fs.rmSync(broken.fsPath, { force: true });
    }
  });

  test('"Evaluate against base model" on the succeeded demo job and on a checkpoint writes the specs', async () => {
    const launched = await launchSpec(
      vscode.Uri.joinPath(root(), 'jobs', 'countdown.rftjob.json'),
      PROVIDER_ID,
    );
    assert.ok(launched.ok, `launch failed: ${JSON.stringify(launched)}`);
    const done = await waitFor('the demo job to succeed', async () => {
      const j = await job(launched.key);
      return j?.snapshot.status === 'succeeded' && j.checkpoints.length > 0 && j;
    });
    // The details webview offers it as a button: the job's actions, which its header renders.
    assert.deepStrictEqual(done.actions.slice(0, 2), ['evaluate', 'copyModel']);
    const tuned = done.snapshot.fineTunedModel!;
    assert.match(tuned, /^ft:o4-mini-2025-04-16:/);

    const r = await vscode.commands.executeCommand<EvaluateJobResult>('rftStudio.evaluateJob', {
      key: launched.key,
      offerRun: false,
    });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.strictEqual(
      r.specPath,
      path.join(root().fsPath, 'jobs', 'evals', 'countdown-demo-vs-base.rfteval.json'),
    );
    assert.strictEqual(r.needsDataset, false);
    const spec = readJson<Record<string, unknown>>(r.specPath);
    assert.deepStrictEqual(spec, {
      name: 'countdown-demo-vs-base',
      description: `Base o4-mini-2025-04-16 against the fine-tuned model of job ${launched.jobId}, on its validation data.`,
      dataset: '../../datasets/rft/countdown_valid.jsonl',
      graders: ['../../graders/countdown.grader.json'],
      response_format: '../../graders/countdown.response_format.json',
      samples_per_item: 8,
      pass_threshold: 5,
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16', seed: 42, reasoning_effort: 'low' },
        { label: 'tuned', model: tuned, seed: 42, reasoning_effort: 'low' },
      ],
    });
    assert.strictEqual(
      vscode.window.activeTextEditor?.document.uri.fsPath,
      r.specPath,
      'the spec was not opened',
    );

    // From a checkpoint row of the Jobs tree: the node carries `${key}#ckpt:${id}`.
    const ckpt = done.checkpoints[0]!;
    const fromRow = await vscode.commands.executeCommand<EvaluateJobResult>('rftStudio.evaluateJob', {
      kind: 'leaf',
      id: `${launched.key}#ckpt:${ckpt.id}`,
      item: {},
    });
    assert.ok(fromRow?.ok, JSON.stringify(fromRow));
    assert.strictEqual(
      path.basename(fromRow.specPath),
      `countdown-demo-step-${ckpt.step}-vs-base.rfteval.json`,
    );
    const ckptSpec = readJson<{ candidates: Array<{ model: string }> }>(fromRow.specPath);
    assert.deepStrictEqual(
      ckptSpec.candidates.map((c) => c.model),
      ['o4-mini-2025-04-16', ckpt.model],
    );

    // Again on the job: a second spec next to the first, which stays as it was.
    const again = await vscode.commands.executeCommand<EvaluateJobResult>('rftStudio.evaluateJob', {
      key: launched.key,
      offerRun: false,
    });
    assert.ok(again?.ok);
    assert.strictEqual(path.basename(again.specPath), 'countdown-demo-vs-base-2.rfteval.json');
    assert.deepStrictEqual(readJson(r.specPath), spec);
  });
});
