// The one launch pipeline: the CLI (`rft-studio jobs launch`, in-process) and the core entry the editor's Launch
// Job command calls send the same requests to the emulator, on Azure (no uploads API: every file through /files,
// whatever the threshold) and on an OpenAI-style server (above the threshold: the uploads API).
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../../src/cli/app';
import type { CliIO } from '../../../../src/cli/command';
import { createJobsCommand, providerFromArgs } from '../../../../src/cli/commands/jobsCommand';
import { parseJobSpec, resolveJobSpec } from '../../../../src/core/jobs/jobSpec';
import type {
  LaunchPipelineOptions,
  LaunchUi,
  PipelineProgress,
} from '../../../../src/core/jobs/launchPipeline';
import { launchFromSpec } from '../../../../src/core/jobs/launchPipeline';
import { createClient } from '../../../../src/core/providers';
import type { Emulator, RequestRecord } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';
import { tempDir } from '../../../lib/tempFiles';

const DEMO = path.resolve(__dirname, '../../../../demo');
const SPEC = path.join(DEMO, 'jobs/countdown.rftjob.json');
const KEY = 'sk-pipeline-test-0123456789';
/** Far below the demo training file (about 20 KB), so it counts as a "large" file. */
const OPTIONS: LaunchPipelineOptions = {
  uploadsThresholdBytes: 4096,
  timings: { processingPollMs: 10, retryBaseMs: 10, partSizeBytes: 8192 },
};

let em: Emulator;
before(async () => {
  em = await startEmulator({ speed: 1000 });
});
after(async () => {
  await em.close();
});

/** The requests made by `work`, ids replaced, repeated polls of one file collapsed (their count is timing). */
async function requestsOf(work: () => Promise<unknown>): Promise<string[]> {
  const from = em.requests().length;
  await work();
  const out: string[] = [];
  for (const r of em.requests().slice(from) as RequestRecord[]) {
    const line = `${r.method} ${r.path.replace(/(file|upload|part|ftjob)[-_][A-Za-z0-9]+/g, '$1-ID')} ${r.style} ${r.status}`;
    if (r.method !== 'GET' || out.at(-1) !== line) out.push(line);
  }
  return out;
}

async function viaCli(
  url: string,
  env: Record<string, string>,
  spec = 'jobs/countdown.rftjob.json',
  expect = 0,
): Promise<string> {
  const err: string[] = [];
  const out: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: DEMO,
    env,
    signal: new AbortController().signal,
  };
  const code = await runCli(['jobs', 'launch', spec, '--provider-url', url], io, [
    createJobsCommand(OPTIONS),
  ]);
  assert.equal(code, expect, err.join(''));
  return out.join('');
}

async function resolvedSpec(specPath = SPEC) {
  const parsed = parseJobSpec(await readFile(specPath, 'utf8'));
  return resolveJobSpec(parsed.spec!, specPath, (p) => readFile(p, 'utf8'));
}

/** What the editor's Launch Job command does once it has a provider: the core pipeline, no prompt. */
async function viaCore(url: string, env: Record<string, string>): Promise<PipelineProgress[]> {
  const { config, apiKey } = providerFromArgs({ 'provider-url': url }, env);
  const resolved = await resolvedSpec();
  const progress: PipelineProgress[] = [];
  const ui: LaunchUi = {
    phase: (_phase, run) => run({ progress: (p) => progress.push(p) }),
    confirm: async () => true,
  };
  const outcome = await launchFromSpec(
    resolved,
    { provider: config, client: createClient(config, { apiKey }) },
    ui,
    OPTIONS,
  );
  assert.equal(outcome.status, 'created', JSON.stringify(outcome));
  return progress;
}

describe('launch pipeline: one path for the CLI and the editor', () => {
  test('Azure: a training file over the threshold goes through /files from both entry points', async () => {
    const env = { AZURE_OPENAI_API_KEY: KEY };
    const cli = await requestsOf(() => viaCli(em.azureUrl, env));
    const core = await requestsOf(() => viaCore(em.azureUrl, env));
    assert.deepEqual(core, cli);
    assert.ok(!cli.some((r) => r.includes('/uploads')), cli.join('\n'));
    assert.equal(cli.filter((r) => r.startsWith('POST /files ')).length, 2, cli.join('\n'));
    assert.ok(cli.includes('POST /fine_tuning/alpha/graders/validate azure 200'), cli.join('\n'));
    assert.equal(cli.filter((r) => r.startsWith('POST /fine_tuning/jobs ')).length, 1);
    assert.ok(cli.every((r) => r.includes(' azure ')));
  });

  test('a server with the uploads API: the same files go part by part from both entry points', async () => {
    const env = { OPENAI_API_KEY: KEY };
    const cli = await requestsOf(() => viaCli(em.url, env));
    const progress: PipelineProgress[] = [];
    const core = await requestsOf(async () => progress.push(...(await viaCore(em.url, env))));
    assert.deepEqual(core, cli);
    assert.ok(cli.includes('POST /uploads openai 200'), cli.join('\n'));
    assert.ok(cli.includes('POST /uploads/upload-ID/parts openai 200'), cli.join('\n'));
    assert.ok(cli.includes('POST /uploads/upload-ID/complete openai 200'), cli.join('\n'));
    assert.ok(progress.some((p) => p.stage === 'preflight' && /linting the grader/.test(p.message)));
    assert.ok(progress.some((p) => p.stage === 'upload-training' && /part 1 of/.test(p.message)));
  });

  test('the grader is linted against the dataset items in both: a field no line has blocks the launch', async () => {
    const dir = tempDir('rft-pipeline-');
    for (const f of ['countdown_train.jsonl', 'countdown_valid.jsonl'])
      copyFileSync(path.join(DEMO, 'datasets/rft', f), path.join(dir, f));
    const grader = {
      type: 'string_check',
      name: 'exact',
      operation: 'eq',
      input: '{{ sample.output_text }}',
      reference: '{{ item.no_such_field }}',
    };
    writeFileSync(path.join(dir, 'exact.grader.json'), JSON.stringify(grader, null, 2));
    const demo = JSON.parse(readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
    delete demo.response_format;
    const spec = path.join(dir, 'exact.rftjob.json');
    writeFileSync(
      spec,
      JSON.stringify({
        ...demo,
        training_file: 'countdown_train.jsonl',
        validation_file: 'countdown_valid.jsonl',
        grader: 'exact.grader.json',
      }),
    );
    const env = { OPENAI_API_KEY: KEY };
    const cli = await requestsOf(async () =>
      assert.match(
        await viaCli(em.url, env, spec, 1),
        /item\.no_such_field is missing on every dataset line/,
      ),
    );
    assert.ok(
      !cli.some((r) => r.startsWith('POST /files') || r.startsWith('POST /fine_tuning/jobs')),
      cli.join('\n'),
    );
    const { config, apiKey } = providerFromArgs({ 'provider-url': em.url }, env);
    let problems: string[] = [];
    const outcome = await launchFromSpec(
      await resolvedSpec(spec),
      { provider: config, client: createClient(config, { apiKey }) },
      {
        phase: (_phase, run) => run({ progress: () => undefined }),
        confirm: async () => assert.fail('a blocked launch must not ask'),
        problems: (byFile) =>
          (problems = (byFile.get(path.join(dir, 'exact.grader.json')) ?? []).map((d) => d.code)),
      },
      OPTIONS,
    );
    assert.equal(outcome.status, 'blocked');
    assert.ok(problems.includes('grader/item-missing'), problems.join(', '));
  });

  test('cancelled during the preflight: nothing uploaded, the outcome says cancelled', async () => {
    const env = { OPENAI_API_KEY: KEY };
    const { config, apiKey } = providerFromArgs({ 'provider-url': em.url }, env);
    const abort = new AbortController();
    abort.abort();
    let outcome: Awaited<ReturnType<typeof launchFromSpec>> | undefined;
    const sent = await requestsOf(async () => {
      outcome = await launchFromSpec(
        await resolvedSpec(),
        { provider: config, client: createClient(config, { apiKey }) },
        {
          phase: (_phase, run) => run({ signal: abort.signal, progress: () => undefined }),
          confirm: async () => true,
        },
        OPTIONS,
      );
    });
    assert.equal(outcome?.status, 'failed');
    assert.ok(outcome?.status === 'failed' && outcome.cancelled && outcome.phase === 'preflight');
    assert.ok(!sent.some((r) => r.startsWith('POST /files')), sent.join('\n'));
  });
});
