// The agent tools inside a real VS Code: the chat agent can see RFT Studio's tools (vscode.lm.tools), and invoking
// them on the demo workspace returns the same checks the editor and the CLI make; paths outside the workspace are
// refused; a grader that calls a model or runs python code asks for confirmation (with the plan and its cost)
// before anything is sent, and python graders are refused in an untrusted workspace.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { Emulator } from '../../src/emulator/server';
import { startEmulator } from '../../src/emulator/server';
import { waitFor } from '../lib/waitFor';

const OURS = [
  'rft_validate_dataset',
  'rft_dataset_stats',
  'rft_lint_grader',
  'rft_grade',
  'rft_lab_analyze',
  'rft_list_jobs',
  'rft_job_status',
  'rft_eval_run',
  'rft_eval_summary',
];

function texts(result: vscode.LanguageModelToolResult): string[] {
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : ''));
}

async function invoke(name: string, input: object): Promise<string[]> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return texts(result);
}

suite('Agent tools', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('rft-studio.rft-studio')!.activate();
  });

  test('vscode.lm.tools lists every RFT Studio tool with its input schema', async () => {
    const tools = await waitFor('our tools in vscode.lm.tools', () => {
      const found = vscode.lm.tools.filter((t) => OURS.includes(t.name));
      return found.length === OURS.length ? found : undefined;
    });
    for (const t of tools) {
      assert.ok(t.tags.includes('rft'), `${t.name} tags ${t.tags.join(',')}`);
      assert.strictEqual((t.inputSchema as { type?: string }).type, 'object');
      assert.ok(t.description.length > 40, `${t.name} has a model description`);
    }
  });

  test('validate a demo dataset: problems grouped by rule with file:line, and the JSON report', async () => {
    const [summary, json] = await invoke('rft_validate_dataset', {
      path: 'datasets/rft/broken_example.jsonl',
    });
    assert.match(summary!, /datasets\/rft\/broken_example\.jsonl \(rft, 4 examples\): 2 error\(s\)/);
    assert.match(summary!, /- error jsonl\/invalid-json × 1\n {2}datasets\/rft\/broken_example\.jsonl:3:76:/);
    const report = JSON.parse(json!) as { files: { diagnostics: { code: string }[] }[] };
    assert.ok(report.files[0]!.diagnostics.some((d) => d.code === 'rft/last-message-not-user'));
  });

  test('lint a demo grader against its datasets and response format', async () => {
    const [summary, json] = await invoke('rft_lint_grader', {
      grader: 'graders/countdown.grader.json',
      data: ['datasets/rft/countdown_train.jsonl', 'datasets/rft/countdown_valid.jsonl'],
      response_format: 'graders/countdown.response_format.json',
    });
    assert.match(summary!, /graders\/countdown\.grader\.json \(grader\): 0 error\(s\)/);
    assert.ok(Array.isArray((JSON.parse(json!) as { files: unknown[] }).files));
  });

  test('grade inline outputs with a local grader (nothing to confirm)', async () => {
    const [summary] = await invoke('rft_grade', {
      grader: 'graders/toy_sentiment.grader.json',
      data: 'datasets/rft/toy_val.jsonl',
      outputs: ['{"sentiment": "Neutral"}', '{"sentiment": "Negative"}'],
    });
    // Row 2's reference is "Positive": fuzzy_match gives a partial reward, row 1 a full one.
    assert.match(summary!, /^Graded 2 row\(s\): mean 0\.\d+, min 0\.\d+, max 1\./);
    assert.match(summary!, /No error flags/);
  });

  // VS Code (LanguageModelToolsService.invokeTool) calls prepareInvocation on every invocation, in chat or not,
  // and does not run the tool until its confirmationMessages are accepted (in chat, the chat's own confirm; outside
  // it, a modal dialog). Under the extension-test harness that dialog answers itself with "yes", so what the user
  // would be asked, and a refused run, are read here through the test hook, which drives the same tool object.
  type Prepared = { invocationMessage: string; confirmation?: { title: string; message: string } };
  const hook = (name: string, input: object, opts: { trusted: boolean; invoke?: boolean }) =>
    vscode.commands.executeCommand<Prepared | string[]>('_rftStudio.agentToolsTestCall', name, input, opts);

  test('a model grader asks first: the rows, the requests, the model and the estimated cost', async () => {
    const input = {
      grader: 'graders/countdown.grader.json',
      data: 'datasets/rft/countdown_valid.jsonl',
      sample_field: 'reference_answer',
    };
    const prepared = (await hook('rft_grade', input, { trusted: true })) as Prepared;
    assert.strictEqual(prepared.confirmation?.title, 'Run this grader?');
    const message = prepared.confirmation.message;
    assert.match(message, /^Grade \d+ row\(s\) with `graders\/countdown\.grader\.json`\./);
    assert.match(message, /sends \*\*\d+ request\(s\)\*\* to the active provider \(o3-mini/);
    assert.match(message, /Estimated cost: \*\*about \$\d+\.\d+\*\* at list price/);
    // A local grader has nothing to confirm: it runs at once.
    const local = (await hook(
      'rft_grade',
      { grader: 'graders/toy_sentiment.grader.json', data: 'datasets/rft/toy_val.jsonl', outputs: ['a'] },
      { trusted: true },
    )) as Prepared;
    assert.strictEqual(local.confirmation, undefined);
  });

  test('a python grader asks first in a trusted workspace, and is refused in an untrusted one', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const grader = vscode.Uri.joinPath(folder, 'graders/agent_tools_python.grader.json');
    await vscode.workspace.fs.writeFile(
      grader,
      Buffer.from(
        JSON.stringify({ type: 'python', name: 'py', source: 'def grade(sample, item):\n    return 1.0\n' }),
      ),
    );
    const input = {
      grader: 'graders/agent_tools_python.grader.json',
      data: 'datasets/rft/toy_val.jsonl',
      outputs: ['a', 'b'],
    };
    try {
      const trusted = (await hook('rft_grade', input, { trusted: true })) as Prepared;
      assert.match(trusted.confirmation!.message, /^Grade 2 row\(s\).*runs Python code from the grader file/);
      const untrusted = (await hook('rft_grade', input, { trusted: false })) as Prepared;
      assert.strictEqual(untrusted.confirmation, undefined);
      assert.match(untrusted.invocationMessage, /python graders are off: the workspace is not trusted/);
      await assert.rejects(
        Promise.resolve(hook('rft_grade', input, { trusted: false, invoke: true })),
        /runs Python code from the grader file; pass --allow-python/,
      );
    } finally {
      await vscode.workspace.fs.delete(grader);
    }
  });

  test('a path outside the workspace is refused', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.lm.invokeTool('rft_dataset_stats', {
          input: { path: '/etc/passwd' },
          toolInvocationToken: undefined,
        }),
      ),
      /path: \/etc\/passwd is outside the allowed folders/,
    );
  });
});

suite('Agent tools: evals', function () {
  this.timeout(180_000);
  const PROVIDER_ID = 'agent-tools-emu';
  const KEY = `sk-tools-${randomBytes(24).toString('hex')}`;
  const SPEC = 'evals/agent_tools.rfteval.json';
  let emu: Emulator;
  type Prepared = { invocationMessage: string; confirmation?: { title: string; message: string } };
  const prepare = (input: object) =>
    vscode.commands.executeCommand<Prepared>('_rftStudio.agentToolsTestCall', 'rft_eval_run', input, {
      trusted: true,
    });

  suiteSetup(async () => {
    await vscode.extensions.getExtension('rft-studio.rft-studio')!.activate();
    emu = await startEmulator({ port: 0, speed: 60, keys: [KEY] });
    await vscode.commands.executeCommand('rftStudio.addProvider', {
      kind: 'compatible',
      id: PROVIDER_ID,
      label: 'Agent tools emulator',
      baseURL: emu.url,
      apiKey: KEY,
    });
    const spec = {
      name: 'agent_tools',
      dataset: '../datasets/rft/countdown_valid.jsonl',
      graders: [
        {
          type: 'string_check',
          name: 'answered',
          input: '{{sample.output_text}}',
          reference: '',
          operation: 'ne',
        },
      ],
      limit: 3,
      samples_per_item: 1,
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16', seed: 5 },
        { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123', seed: 5 },
      ],
    };
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, SPEC), Buffer.from(JSON.stringify(spec)));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('rftStudio.removeProvider', { id: PROVIDER_ID, confirm: false });
    await emu?.close();
  });

  test('an eval run asks first with the estimate; run, summarised, and a cached rerun asks nothing', async () => {
    const asked = await prepare({ spec: SPEC });
    assert.strictEqual(asked.confirmation?.title, 'Run this eval?');
    assert.match(
      asked.confirmation.message,
      /^6 model call\(s\) to make \(3 item\(s\) × 1 sample\(s\) × 2 candidate\(s\)\).*about \$\d+\.\d+/,
    );
    // invokeTool: VS Code shows the confirmation (auto-accepted under the test harness), then runs the eval.
    const ran = await vscode.lm.invokeTool('rft_eval_run', {
      input: { spec: SPEC },
      toolInvocationToken: undefined,
    });
    const [summary, json] = texts(ran);
    assert.match(summary!, /^Eval run .*:\n- base \(o4-mini-2025-04-16\): mean /);
    const report = JSON.parse(json!) as { run: string; candidates: { label: string; samples: number }[] };
    assert.deepStrictEqual(
      report.candidates.map((c) => [c.label, c.samples]),
      [
        ['base', 3],
        ['tuned', 3],
      ],
    );
    const summarised = await vscode.lm.invokeTool('rft_eval_summary', {
      input: { run: report.run },
      toolInvocationToken: undefined,
    });
    const [, summaryJson] = texts(summarised);
    assert.deepStrictEqual(
      (JSON.parse(summaryJson!) as { candidates: unknown[] }).candidates,
      report.candidates,
    );
    const again = await prepare({ spec: SPEC });
    assert.strictEqual(again.confirmation, undefined);
    assert.match(again.invocationMessage, /all 6 calls cached: nothing is spent/);
  });
});
