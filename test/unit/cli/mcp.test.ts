// `rft-studio mcp` through the official MCP SDK client over stdio: discovery, every tool on real files with its JSON
// equal to the CLI's `--reporter json` output for the same input, the resources, and the refusals (missing file,
// a path outside the root, a python grader without permission, a report too large to return whole).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { TOOLS } from '../../../src/cli/tools/catalogue';
import { rulesMarkdown } from '../../../src/core/rulesDoc';
import { startEmulator, type Emulator } from '../../../src/emulator/server';

const repo = path.resolve(__dirname, '../../..');
const KEY = 'sk-mcp-test-key-0123456789abcdef';
/** tsx by absolute URL: the processes run in a temp folder where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
let root: string;
let em: Emulator;
let client: Client;
let stderr = '';

/** The environment of a spawned process: ours, less the test runner's marker (a child would report as a test). */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = { ...(process.env as Record<string, string>), ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * The real CLI in its own process, as a user runs it (asynchronously: the emulator lives in this process and must
 * keep answering).
 */
async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; json: unknown; err: string }> {
  const child = spawn(process.execPath, ['--import', TSX, path.join(repo, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  const out = stdout.trim();
  let json: unknown = null;
  if (out) {
    try {
      json = JSON.parse(out);
    } catch {
      json = out.split('\n').map((l) => JSON.parse(l) as unknown);
    }
  }
  return { code, json, err };
}

async function call(name: string, args: Record<string, unknown>) {
  const r = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    isError?: boolean;
  };
  const [summary, json] = r.content.map((c) => c.text);
  return {
    summary: summary!,
    json: JSON.parse(json!.includes('\n(') ? json!.slice(0, json!.lastIndexOf('\n(')) : json!) as unknown,
    raw: json!,
    isError: r.isError === true,
  };
}

before(async () => {
  // A copy of the demo workspace: the real files, and room for generated ones.
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-mcp-'));
  fs.cpSync(path.join(repo, 'demo'), root, { recursive: true });
  em = await startEmulator({ speed: 400, keys: [KEY] });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--import',
      TSX,
      path.join(repo, 'src/cli/main.ts'),
      'mcp',
      '--root',
      root,
      '--provider-url',
      em.url,
    ],
    cwd: root,
    env: childEnv({ OPENAI_API_KEY: KEY }),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'rft-studio-test', version: '1.0.0' });
  await client.connect(transport).catch((e: Error) => {
    throw new Error(`${e.message}; server stderr:\n${stderr}`);
  });
});

after(async () => {
  await client?.close();
  await em?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('rft-studio mcp', () => {
  test('lists every tool of the catalogue with its schema, and the resources', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      TOOLS.map((t) => t.name),
    );
    for (const t of tools) {
      const def = TOOLS.find((d) => d.name === t.name)!;
      assert.deepEqual(t.inputSchema, def.inputSchema);
      assert.equal(t.description, def.modelDescription);
      assert.equal(t.annotations?.readOnlyHint, def.risk === 'read' || def.risk === 'network');
    }
    const { resources } = await client.listResources();
    assert.deepEqual(
      resources.map((r) => r.uri),
      ['rft-studio://rules', 'rft-studio://grader-reference'],
    );
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((r) => r.uriTemplate),
      ['rft-studio://stats/{path}'],
    );
  });

  test('rft_validate_dataset equals `validate --reporter json` and groups problems by rule with file:line', async () => {
    const file = 'datasets/rft/broken_example.jsonl';
    const r = await call('rft_validate_dataset', { path: file });
    const c = await cli(['validate', file, '--reporter', 'json']);
    assert.equal(c.code, 1);
    assert.deepEqual(r.json, c.json);
    assert.equal(r.isError, false);
    assert.match(r.summary, /2 error\(s\)/);
    assert.match(
      r.summary,
      /- error jsonl\/invalid-json × 1\n {2}datasets\/rft\/broken_example\.jsonl:3:76: Invalid JSON/,
    );
  });

  test('rft_validate_dataset with a pair equals `validate --pair`', async () => {
    const args = { path: 'datasets/rft/countdown_train.jsonl', pair: 'datasets/rft/countdown_valid.jsonl' };
    const r = await call('rft_validate_dataset', args);
    const c = await cli(['validate', '--pair', `${args.path},${args.pair}`, '--reporter', 'json']);
    assert.deepEqual(r.json, c.json);
  });

  test('rft_dataset_stats equals `stats --reporter json`', async () => {
    const r = await call('rft_dataset_stats', { path: 'datasets/rft/countdown_train.jsonl' });
    const c = await cli(['stats', 'datasets/rft/countdown_train.jsonl', '--reporter', 'json']);
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(r.json, c.json);
  });

  test('rft_lint_grader with datasets and a response format equals `lint --reporter json`', async () => {
    const args = {
      grader: 'graders/countdown.grader.json',
      data: ['datasets/rft/countdown_train.jsonl', 'datasets/rft/countdown_valid.jsonl'],
      response_format: 'graders/countdown.response_format.json',
    };
    const r = await call('rft_lint_grader', args);
    const c = await cli([
      'lint',
      args.grader,
      '--data',
      args.data[0]!,
      '--data',
      args.data[1]!,
      '--response-format',
      args.response_format,
      '--reporter',
      'json',
    ]);
    assert.deepEqual(r.json, c.json);
    assert.match(r.summary, /graders\/countdown\.grader\.json/);
  });

  test('rft_grade with inline outputs equals `grade --samples` with the same outputs', async () => {
    const data = 'datasets/rft/toy_val.jsonl';
    const n = fs.readFileSync(path.join(root, data), 'utf8').trim().split('\n').length;
    const outputs = Array.from({ length: n }, (_, i) => (i % 2 ? 'positive' : 'negative'));
    const r = await call('rft_grade', { grader: 'graders/toy_sentiment.grader.json', data, outputs });
    fs.writeFileSync(
      path.join(root, 'samples.jsonl'),
      outputs.map((o) => JSON.stringify({ output_text: o })).join('\n') + '\n',
    );
    const c = await cli([
      'grade',
      '--grader',
      'graders/toy_sentiment.grader.json',
      '--data',
      data,
      '--samples',
      'samples.jsonl',
      '--reporter',
      'json',
    ]);
    assert.deepEqual(r.json, c.json);
    const summary = (c.json as { summary: { count: number } }).summary;
    assert.equal(summary.count, n);
    assert.match(r.summary, new RegExp(`^Graded ${n} row\\(s\\): mean `));
  });

  test('rft_lab_analyze equals `lab --reporter json` (python graders off without --allow-python)', async () => {
    const args = {
      graders: ['lab/eurovoc_f1.grader.json', 'lab/eurovoc_f2.grader.json'],
      data: 'lab/eurovoc_demo.jsonl',
      samples: 'lab/eurovoc_samples.jsonl',
      response_format: 'lab/eurovoc.response_format.json',
    };
    const r = await call('rft_lab_analyze', args);
    const c = await cli([
      'lab',
      '--grader',
      args.graders[0]!,
      '--grader',
      args.graders[1]!,
      '--data',
      args.data,
      '--samples',
      args.samples,
      '--response-format',
      args.response_format,
      '--reporter',
      'json',
    ]);
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(r.json, c.json);
    assert.match(r.summary, /^- level1_f1_multi: no-signal, mean 0, 12\/12 items flat, errors 100%/);
  });

  test("rft_lab_analyze grades model graders through the server's --provider-url (the emulator), as `lab --base-url` does", async () => {
    fs.writeFileSync(
      path.join(root, 'lab/judge.grader.json'),
      JSON.stringify({
        type: 'score_model',
        name: 'judge',
        model: 'gpt-4.1-2025-04-14',
        input: [{ role: 'user', content: 'Score this answer from 0 to 1: {{sample.output_text}}' }],
        range: [0, 1],
      }),
    );
    const args = {
      graders: ['lab/judge.grader.json'],
      data: 'lab/eurovoc_demo.jsonl',
      samples: 'lab/eurovoc_samples.jsonl',
    };
    const r = await call('rft_lab_analyze', args);
    assert.equal(r.isError, false, r.summary);
    assert.match(r.summary, /judge: .*errors 0%/);
    const c = await cli(
      [
        'lab',
        '--grader',
        args.graders[0]!,
        '--data',
        args.data,
        '--samples',
        args.samples,
        '--base-url',
        em.url,
        '--reporter',
        'json',
      ],
      { OPENAI_API_KEY: KEY },
    );
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(r.json, c.json);
    // Without an endpoint or a key the same grader cannot run: every row is an error.
    const none = await cli(
      [
        'lab',
        '--grader',
        args.graders[0]!,
        '--data',
        args.data,
        '--samples',
        args.samples,
        '--reporter',
        'json',
      ],
      {
        OPENAI_API_KEY: '',
        OPENAI_BASE_URL: '',
      },
    );
    assert.equal(
      (none.json as { analysis: { graders: { signal: { errorRate: number } }[] } } | null)?.analysis
        .graders[0]?.signal.errorRate ?? 1,
      1,
      none.err,
    );
  });

  /** A small eval spec in the workspace copy: 4 Countdown items, 1 sample each, two candidates, local graders. */
  function writeEvalSpec(name: string, seed: number): string {
    const rel = `evals/${name}.rfteval.json`;
    fs.writeFileSync(
      path.join(root, rel),
      JSON.stringify({
        name,
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
        limit: 4,
        samples_per_item: 1,
        candidates: [
          { label: 'base', model: 'o4-mini-2025-04-16', seed },
          { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123', seed },
        ],
      }),
    );
    return rel;
  }

  test('rft_eval_run: the estimate only until confirmed (nothing sent), then the run; rft_eval_summary equals `eval compare`', async () => {
    const spec = writeEvalSpec('tool', 11);
    const runs = path.join(root, '.rft/evals');
    const estimate = await call('rft_eval_run', { spec });
    assert.equal(estimate.isError, false, estimate.summary);
    assert.match(estimate.summary, /^Not run, nothing was sent: spending needs the user's confirmation\./);
    assert.match(estimate.summary, /call again with confirm: true only if they agree/);
    const e = estimate.json as { run: boolean; estimate: { calls: number; cached: number } };
    assert.equal(e.run, false);
    assert.equal(e.estimate.calls, 8);
    assert.equal(e.estimate.cached, 0);
    assert.equal(
      fs.existsSync(runs) ? fs.readdirSync(runs).length : 0,
      0,
      'no run folder before confirmation',
    );

    const ran = await call('rft_eval_run', { spec, confirm: true });
    assert.equal(ran.isError, false, ran.summary);
    const report = ran.json as { run: string; candidates: { label: string; samples: number }[] };
    assert.deepEqual(
      report.candidates.map((c) => [c.label, c.samples]),
      [
        ['base', 4],
        ['tuned', 4],
      ],
    );
    assert.match(ran.summary, /^Eval run .*:\n- base \(o4-mini-2025-04-16\): mean /);
    assert.match(ran.summary, /\n- tuned − base: /);

    const summary = await call('rft_eval_summary', { run: report.run });
    const compared = await cli(['eval', 'compare', report.run, '--reporter', 'json']);
    assert.equal(compared.code, 0, compared.err);
    assert.deepEqual(summary.json, compared.json);
    assert.equal(
      summary.summary,
      ran.summary.replace(/^Eval run [^:]*:/, `Eval run ${(compared.json as { run: string }).run}:`),
    );

    // An unchanged rerun is all cached: nothing to spend, so it runs without asking.
    const again = await call('rft_eval_run', { spec });
    assert.equal(again.isError, false, again.summary);
    assert.deepEqual(
      (again.json as { candidates: unknown[] }).candidates,
      (ran.json as { candidates: unknown[] }).candidates,
    );
    // A run folder outside the root is refused like any path.
    const outside = await call('rft_eval_summary', { run: os.tmpdir() });
    assert.equal(outside.isError, true);
    assert.match(outside.summary, /outside the allowed folders/);
  });

  test('rft_eval_run asks the user through the client (elicitation) where it can: declined sends nothing', async () => {
    const spec = writeEvalSpec('asked', 12);
    const runFolders = () =>
      fs.existsSync(path.join(root, '.rft/evals')) ? fs.readdirSync(path.join(root, '.rft/evals')).length : 0;
    const before = runFolders();
    const asked: string[] = [];
    let answer: 'decline' | 'accept' = 'decline';
    const second = new Client(
      { name: 'rft-studio-elicit', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    second.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push((req.params as { message: string }).message);
      return answer === 'accept' ? { action: 'accept', content: { run: true } } : { action: 'decline' };
    });
    await second.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          '--import',
          TSX,
          path.join(repo, 'src/cli/main.ts'),
          'mcp',
          '--root',
          root,
          '--provider-url',
          em.url,
        ],
        cwd: root,
        env: childEnv({ OPENAI_API_KEY: KEY }),
        stderr: 'pipe',
      }),
    );
    try {
      const callIt = async () =>
        (await second.callTool({ name: 'rft_eval_run', arguments: { spec, confirm: true } })) as {
          content: { text: string }[];
          isError?: boolean;
        };
      // Declined: even with the model's confirm: true, the user's answer wins.
      const declined = await callIt();
      assert.equal(asked.length, 1);
      assert.match(asked[0]!, /^8 model call\(s\) to make .*about \$\d+\.\d+.* Run it\?$/);
      assert.match(declined.content[0]!.text, /^Not run, nothing was sent/);
      assert.equal(runFolders(), before, 'a declined run leaves no run folder');
      answer = 'accept';
      const accepted = await callIt();
      assert.equal(asked.length, 2);
      assert.equal(accepted.isError, false, accepted.content[0]!.text);
      assert.match(accepted.content[0]!.text, /^Eval run /);
    } finally {
      await second.close();
    }
  });

  test('rft_list_jobs and rft_job_status equal `jobs list` and `jobs status` on the emulator', async () => {
    const launched = await cli(
      [
        'jobs',
        'launch',
        'jobs/countdown.rftjob.json',
        '--watch',
        '--interval',
        '0.05',
        '--provider-url',
        em.url,
        '--reporter',
        'json',
      ],
      {
        OPENAI_API_KEY: KEY,
      },
    );
    assert.equal(launched.code, 0, launched.err);
    const listed = await cli(['jobs', 'list', '--provider-url', em.url, '--reporter', 'json'], {
      OPENAI_API_KEY: KEY,
    });
    const r = await call('rft_list_jobs', {});
    assert.deepEqual(r.json, listed.json);
    const id = (listed.json as { jobs: { id: string }[] }).jobs[0]!.id;
    const status = await cli(['jobs', 'status', id, '--provider-url', em.url, '--reporter', 'json'], {
      OPENAI_API_KEY: KEY,
    });
    const s = await call('rft_job_status', { job_id: id });
    assert.deepEqual(s.json, status.json);
    assert.match(s.summary, new RegExp(`^${id}: succeeded`));
    assert.match(s.summary, /step \d+\/\d+: train reward/);
    assert.ok(!JSON.stringify(s).includes(KEY), 'no key in a tool result');
    assert.ok(!stderr.includes(KEY), 'no key in the log');
  });

  test('resources: the rule catalogue, the grader reference and a dataset’s statistics', async () => {
    const rules = await client.readResource({ uri: 'rft-studio://rules' });
    assert.equal((rules.contents[0] as { text: string }).text, rulesMarkdown());
    const ref = await client.readResource({ uri: 'rft-studio://grader-reference' });
    assert.match(
      (ref.contents[0] as { text: string }).text,
      /\| `bleu` \|.*\| confirmed against service rewards \| yes \|/,
    );
    const stats = await client.readResource({
      uri: 'rft-studio://stats/datasets%2Frft%2Fcountdown_train.jsonl',
    });
    assert.deepEqual(
      JSON.parse((stats.contents[0] as { text: string }).text),
      (await cli(['stats', 'datasets/rft/countdown_train.jsonl', '--reporter', 'json'])).json,
    );
    await assert.rejects(
      client.readResource({ uri: 'rft-studio://stats/..%2F..%2Fetc%2Fpasswd' }),
      /outside the allowed folders/,
    );
  });

  test('errors: a missing file, a path outside the root, bad input, malformed JSON lines', async () => {
    const missing = await call('rft_validate_dataset', { path: 'datasets/nope.jsonl' });
    assert.equal(missing.isError, true);
    assert.match(missing.summary, /could not run: .*nope\.jsonl/);
    const outside = await call('rft_lint_grader', { grader: '/etc/passwd' });
    assert.equal(outside.isError, true);
    assert.match(outside.summary, /grader: \/etc\/passwd is outside the allowed folders/);
    fs.symlinkSync('/etc', path.join(root, 'escape'));
    const viaLink = await call('rft_dataset_stats', { path: 'escape/passwd' });
    assert.match(viaLink.summary, /outside the allowed folders/, 'a symlink out of the root is refused');
    const bad = await call('rft_grade', { grader: 'graders/toy_sentiment.grader.json' });
    assert.equal(bad.isError, true);
    assert.match(bad.summary, /invalid input for rft_grade: .*must have required property 'data'/);
    fs.writeFileSync(path.join(root, 'malformed.jsonl'), '{"messages": [\n{not json}\n');
    const malformed = await call('rft_validate_dataset', { path: 'malformed.jsonl' });
    assert.equal(malformed.isError, false, 'problems in a file are a result, not a tool error');
    assert.match(malformed.summary, /jsonl\/invalid-json × 2/);
  });

  test('a python grader is refused without --allow-python', async () => {
    fs.writeFileSync(
      path.join(root, 'py.grader.json'),
      JSON.stringify({ type: 'python', name: 'p', source: 'def grade(sample, item):\n    return 1.0\n' }),
    );
    const r = await call('rft_grade', {
      grader: 'py.grader.json',
      data: 'datasets/rft/toy_val.jsonl',
      outputs: ['x'],
    });
    assert.equal(r.isError, true);
    assert.match(r.summary, /--allow-python/);
  });

  test('a huge report is cut to fit and says so', async () => {
    const lines = Array.from(
      { length: 30_000 },
      (_, i) => `{"messages": [{"role": "user", "content": ""}], "n": ${i}`,
    );
    fs.writeFileSync(path.join(root, 'huge.jsonl'), lines.join('\n') + '\n');
    const r = await call('rft_validate_dataset', { path: 'huge.jsonl' });
    assert.ok(r.raw.length < 110_000, `result is ${r.raw.length} characters`);
    assert.match(
      r.raw,
      /\(cut to fit 100000 characters \(of \d+\): \$\.files\[\]\.diagnostics kept \d+ of \d+/,
    );
    assert.match(r.summary, /jsonl\/invalid-json × /);
  });
});
