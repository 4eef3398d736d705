// `rft-studio jobs` and `rft-studio emulator`, run in-process against the emulator: launch the demo spec
// (dry run, watch to success), list/status/events/pause/resume/cancel, clear failures and exit codes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import { jobsCommand, providerFromArgs } from '../../../src/cli/commands/jobsCommand';
import { emulatorCommand } from '../../../src/cli/commands/emulatorCommand';
import type { Emulator } from '../../../src/emulator/server';
import { startEmulator } from '../../../src/emulator/server';

const DEMO = path.resolve(__dirname, '../../../demo');
const KEY = 'sk-cli-test-key-0123456789';

function io(env: Record<string, string> = { OPENAI_API_KEY: KEY }, signal = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: DEMO, env, signal };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

let em: Emulator;
const run = (args: string[], c = io()) =>
  runCli(['jobs', ...args, '--provider-url', em.url], c.io, [jobsCommand]);

before(async () => {
  em = await startEmulator({ speed: 300 });
});
after(async () => {
  await em.close();
});

describe('rft-studio jobs', () => {
  test('launch --dry-run prints the preflight and creates nothing', async () => {
    const c = io();
    assert.equal(await run(['launch', 'jobs/countdown.rftjob.json', '--dry-run'], c), 0, c.err());
    assert.match(c.out(), /Preflight for jobs\/countdown\.rftjob\.json on http:\/\/127\.0\.0\.1:\d+\/v1:/);
    assert.match(c.out(), /ℹ The training file countdown_train\.jsonl is valid/);
    assert.match(c.out(), /Time: \d+ steps/);
    assert.equal(em.requests().filter((r) => r.path === '/files' && r.method === 'POST').length, 0);
  });

  test('launch --watch runs the demo job to success; then list, status, events', async () => {
    const c = io();
    assert.equal(
      await run(['launch', 'jobs/countdown.rftjob.json', '--watch', '--interval', '0.05'], c),
      0,
      c.err(),
    );
    const id = /Launched (ftjob-\w+)/.exec(c.out())![1]!;
    assert.match(c.err(), /Uploading countdown_train\.jsonl/);
    assert.match(c.out(), /Step \d+\/\d+ , train mean reward=/);
    assert.match(c.out(), new RegExp(`${id}  succeeded .*→ ft:o4-mini-2025-04-16:emulator:countdown-demo:`));
    const list = io();
    assert.equal(await run(['list'], list), 0);
    assert.match(list.out(), new RegExp(`${id}  succeeded`));
    const status = io();
    assert.equal(await run(['status', id, '--reporter', 'json'], status), 0);
    const parsed = JSON.parse(status.out()) as {
      job: { status: string };
      metrics: { steps: number; total_steps: number };
    };
    assert.equal(parsed.job.status, 'succeeded');
    assert.equal(parsed.metrics.steps, parsed.metrics.total_steps);
    const events = io();
    assert.equal(await run(['events', id, '--limit', '2'], events), 0);
    const lines = events.out().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /info\s+New fine-tuned model created: ft:/);
    assert.match(lines[1]!, /info\s+The job has successfully completed$/);
  });

  test('cancel; pausing a cancelled job is exit 1 with the API message', async () => {
    const launched = io();
    assert.equal(
      await run(['launch', 'jobs/countdown.rftjob.json', '--reporter', 'json'], launched),
      0,
      launched.err(),
    );
    const id = (JSON.parse(launched.out()) as { job: { id: string } }).job.id;
    const cancel = io();
    assert.equal(await run(['cancel', id], cancel), 0);
    assert.match(cancel.out(), /cancelled/);
    const again = io();
    assert.equal(await run(['pause', id], again), 1);
    assert.match(again.err(), /The request was refused \(400\): .*only running jobs can be paused/);
  });

  test('403 training_not_available: exit 1 with the plain message', async () => {
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'training_not_available' });
    const c = io();
    assert.equal(await run(['launch', 'jobs/countdown.rftjob.json'], c), 1);
    assert.match(
      c.err(),
      /no longer lets this organisation create fine-tuning jobs \(403 training_not_available\)/,
    );
  });

  test('usage errors: no key, bad options, unknown subcommand, missing spec', async () => {
    const noKey = io({});
    assert.equal(await runCli(['jobs', 'list'], noKey.io, [jobsCommand]), 2);
    assert.match(noKey.err(), /set OPENAI_API_KEY in the environment/);
    const bad = io();
    assert.equal(await run(['list', '--limit', 'lots'], bad), 2);
    assert.equal(await run(['events', 'ftjob-x', '--follow', '--interval', '0'], io()), 2);
    assert.equal(await run(['frobnicate'], io()), 2);
    const missing = io();
    assert.equal(await run(['launch', 'jobs/none.rftjob.json'], missing), 2);
    assert.match(missing.err(), /does not exist/);
  });

  test('provider kind from the URL, keys only from the environment', () => {
    const env = { OPENAI_API_KEY: 'o', AZURE_OPENAI_API_KEY: 'a' };
    assert.equal(providerFromArgs({}, env).config.kind, 'openai');
    const az = providerFromArgs({ 'provider-url': 'https://res.openai.azure.com/openai/v1/' }, env);
    assert.deepEqual([az.config.kind, az.apiKey], ['azure', 'a']);
    assert.equal(
      providerFromArgs({ 'provider-url': 'http://127.0.0.1:1/openai/v1' }, env).config.kind,
      'azure',
    );
    const local = providerFromArgs({ 'provider-url': 'http://localhost:8787/v1' }, {});
    assert.deepEqual([local.config.kind, local.config.auth], ['compatible', 'none']);
  });
});

describe('rft-studio emulator', () => {
  test('prints both base URLs, serves, and stops on abort', async () => {
    const ac = new AbortController();
    const c = io({}, ac.signal);
    const done = runCli(['emulator', '--port', '0', '--speed', '50', '--quiet'], c.io, [emulatorCommand]);
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = /OpenAI base URL: (\S+)/.exec(c.out())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(url, c.out());
    assert.match(c.out(), /Azure base URL: {2}http:\/\/127\.0\.0\.1:\d+\/openai\/v1/);
    const res = await fetch(`${url}/models`, { headers: { authorization: 'Bearer x' } });
    assert.equal(res.status, 200);
    ac.abort();
    assert.equal(await done, 0);
    await assert.rejects(fetch(`${url}/models`));
    assert.equal(await runCli(['emulator', '--speed', '0'], io().io, [emulatorCommand]), 2);
  });
});
