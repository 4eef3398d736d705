// The one launch pipeline: the CLI (`rft-studio jobs launch`, in-process) and the core entry the editor's Launch
// Job command calls send the same requests to the emulator, on Azure (no uploads API: every file through /files,
// whatever the threshold) and on an OpenAI-style server (above the threshold: the uploads API).
import assert from 'node:assert/strict';
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

async function viaCli(url: string, env: Record<string, string>): Promise<void> {
  const err: string[] = [];
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (t) => err.push(t),
    cwd: DEMO,
    env,
    signal: new AbortController().signal,
  };
  const code = await runCli(['jobs', 'launch', 'jobs/countdown.rftjob.json', '--provider-url', url], io, [
    createJobsCommand(OPTIONS),
  ]);
  assert.equal(code, 0, err.join(''));
}

/** What the editor's Launch Job command does once it has a provider: the core pipeline, no prompt. */
async function viaCore(url: string, env: Record<string, string>): Promise<PipelineProgress[]> {
  const { config, apiKey } = providerFromArgs({ 'provider-url': url }, env);
  const parsed = parseJobSpec(await readFile(SPEC, 'utf8'));
  const resolved = await resolveJobSpec(parsed.spec!, SPEC, (p) => readFile(p, 'utf8'));
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
});
