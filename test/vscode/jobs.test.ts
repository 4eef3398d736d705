// Jobs inside a real VS Code, against the local API emulator this test starts itself: a provider added with a
// key (SecretStorage only), launch from the demo spec → monitor → pause → resume → success, the details webview
// receiving chart data, polling through 429 / 500 / dropped connections, a clear training_not_available
// message, and no key in the log, the settings or any webview message.
import * as assert from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Emulator } from '../../src/emulator/server';
import { startEmulator } from '../../src/emulator/server';
import type { LaunchResult } from '../../src/host/jobs/launchCommand';
import { job, launchSpec, state, waitFor } from './lib/jobsKit';

const EXTENSION_ID = 'rft-studio.rft-studio';
const PROVIDER_ID = 'test-emu';
// Looks like a real key so the redaction patterns and the registered-secret masking are both exercised.
const KEY = `sk-test-${randomBytes(24).toString('hex')}`;

function specUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return vscode.Uri.joinPath(folder.uri, 'jobs', 'countdown.rftjob.json');
}

async function launch(): Promise<LaunchResult> {
  return launchSpec(specUri(), PROVIDER_ID);
}

suite('Jobs', function () {
  this.timeout(180_000);
  let emu: Emulator;
  const config = () => vscode.workspace.getConfiguration('rftStudio');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    // ~15 s per job instead of a minute (time to pause it while running); the emulator accepts only our key.
    emu = await startEmulator({ port: 0, speed: 4, keys: [KEY] });
    await config().update('jobs.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Workspace);
    await config().update('jobs.maxPollIntervalSeconds', 3, vscode.ConfigurationTarget.Workspace);
    await config().update('jobs.notifications', 'all', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('rftStudio.removeProvider', { id: PROVIDER_ID, confirm: false });
    await emu?.close();
  });

  test('a provider added with a key keeps the key in SecretStorage only and becomes active', async () => {
    const id = await vscode.commands.executeCommand<string>('rftStudio.addProvider', {
      kind: 'compatible',
      id: PROVIDER_ID,
      label: 'Test emulator',
      baseURL: emu.url,
      apiKey: KEY,
    });
    assert.strictEqual(id, PROVIDER_ID);
    const s = await state();
    assert.strictEqual(s.activeProvider, PROVIDER_ID);
    const entry = s.providers.find((p) => p.id === PROVIDER_ID);
    assert.ok(entry, 'provider not listed');
    assert.strictEqual(entry.baseURL, emu.url);
    // demo/.vscode/settings.json turns on rftStudio.emulator.autoStart: the in-process emulator is a session
    // provider next to ours (its per-session key stays in memory, so it is not in the settings either).
    const local = await waitFor('the auto-started emulator provider', async () =>
      (await state()).providers.find((p) => p.id === 'emulator'),
    );
    assert.strictEqual(local.label, 'Local emulator');
    assert.match(local.baseURL ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const inspected = JSON.stringify(config().inspect('providers'));
    assert.ok(inspected.includes(PROVIDER_ID), 'the provider is not in the settings');
    assert.ok(!inspected.includes(local.baseURL!), 'the session-only emulator was written to the settings');
    assert.ok(!inspected.includes(KEY), 'the key leaked into the settings');
  });

  let key = '';

  test('launch → monitor → pause → resume → success', async () => {
    const r = await launch();
    assert.ok(r.ok, `launch failed: ${JSON.stringify(r)}`);
    key = r.key;
    assert.match(r.jobId, /^ftjob-/);
    const created = (await emu.requests()).filter(
      (q) => q.method === 'POST' && q.path === '/fine_tuning/jobs' && q.status === 200,
    );
    assert.strictEqual(created.length, 1, 'exactly one create request succeeded');

    const tracked = await waitFor('the job in the Jobs view', () => job(key));
    assert.deepStrictEqual(
      tracked.files.map((f) => [f.role, f.localPath]),
      [
        ['training', 'datasets/rft/countdown_train.jsonl'],
        ['validation', 'datasets/rft/countdown_valid.jsonl'],
      ],
    );

    const running = await waitFor('a running step', async () => {
      const j = await job(key);
      return j && j.snapshot.status === 'running' && (j.snapshot.step ?? 0) >= 1 && j;
    });
    assert.ok(running.actions.includes('pause'), `pause not offered: ${running.actions.join(',')}`);

    const paused = await vscode.commands.executeCommand<string>('rftStudio.pauseJob', key);
    assert.strictEqual(paused, 'paused');
    const whilePaused = await waitFor('the paused state in the view', async () => {
      const j = await job(key);
      return j?.snapshot.status === 'paused' && j;
    });
    assert.ok(whilePaused.actions.includes('resume'));
    // Paused for a while: the emulated training does not move. (A step finished just before the pause can
    // still arrive with the next poll, so read the step once the polls have settled.)
    await new Promise((r) => setTimeout(r, 3000));
    const stepAtPause = (await job(key))?.snapshot.step;
    await new Promise((r) => setTimeout(r, 3000));
    const later = await job(key);
    assert.strictEqual(later?.snapshot.status, 'paused');
    assert.strictEqual(later?.snapshot.step, stepAtPause);

    const resumed = await vscode.commands.executeCommand<string>('rftStudio.resumeJob', key);
    assert.ok(resumed && resumed !== 'paused', `resume answered ${resumed}`);

    const done = await waitFor(
      'success',
      async () => {
        const j = await job(key);
        return j?.snapshot.status === 'succeeded' && j;
      },
      120_000,
    );
    assert.match(done.snapshot.fineTunedModel ?? '', /^ft:/);
    assert.strictEqual(done.snapshot.step, done.snapshot.totalSteps);
    assert.ok(done.events.length > 3, 'events were collected');
    assert.ok(done.checkpoints.length > 0, 'checkpoints were collected');
    assert.ok(done.actions.includes('copyModel'));
    const copied = await vscode.commands.executeCommand<string>('rftStudio.copyFineTunedModel', key);
    assert.strictEqual(copied, done.snapshot.fineTunedModel);
    assert.strictEqual(await vscode.env.clipboard.readText(), done.snapshot.fineTunedModel);
  });

  test('the job details webview receives the charts, events and checkpoints', async () => {
    assert.ok(key, 'needs the launched job');
    await vscode.commands.executeCommand('rftStudio.openJobDetails', key);
    const msg = await waitFor('a state message with reward points', async () => {
      const s = await state();
      if (!s.panels.includes(key)) return undefined;
      for (const text of [...s.postedMessages].reverse()) {
        const m = JSON.parse(text) as {
          type: string;
          state?: {
            header: { key: string; status: string };
            charts: Array<{ id: string; lines: Array<{ points: unknown[] }> }>;
            events: unknown[];
            checkpoints: unknown[];
          };
        };
        if (m.type === 'state' && m.state?.header.key === key && m.state.header.status === 'succeeded')
          return m.state;
      }
      return undefined;
    });
    const reward = msg.charts.find((c) => c.id === 'reward');
    assert.ok(reward, 'no reward chart');
    assert.ok(reward.lines[0].points.length > 0, 'no train reward points');
    assert.deepStrictEqual(
      msg.charts.map((c) => c.id),
      ['reward', 'graders', 'errors', 'reasoning', 'timing'],
    );
    assert.ok(msg.events.length > 0 && msg.checkpoints.length > 0);
  });

  test('the monitor survives 429, 500 and dropped connections', async () => {
    const r = await launch();
    assert.ok(r.ok, JSON.stringify(r));
    const k = r.key;
    await waitFor('running', async () => (await job(k))?.snapshot.status === 'running');
    const before = (await emu.requests()).length;
    emu.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: '429', retryAfter: 1, count: 4 });
    emu.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: '500', count: 4 });
    emu.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: 'drop', count: 3 });
    const done = await waitFor(
      'success despite the faults',
      async () => {
        const j = await job(k);
        return j?.snapshot.status === 'succeeded' && j;
      },
      150_000,
    );
    const faulted = (await emu.requests()).slice(before).filter((q) => q.fault);
    const kinds = new Set(faulted.map((q) => q.fault));
    assert.ok(
      kinds.has('429') && kinds.has('500') && kinds.has('drop'),
      `faults seen: ${[...kinds].join(', ')}`,
    );
    assert.strictEqual(done.pollProblem, undefined, 'the poll problem is cleared after recovery');
  });

  test('no requests once every job is finished', async () => {
    const s = await state();
    const mine = s.jobs.filter((j) => j.providerId === PROVIDER_ID);
    assert.ok(mine.length >= 2);
    assert.ok(
      mine.every((j) => ['succeeded', 'failed', 'cancelled'].includes(j.snapshot.status)),
      'all jobs finished',
    );
    const before = emu.requests().length;
    await new Promise((r) => setTimeout(r, 4000));
    const during = emu.requests().slice(before);
    assert.deepStrictEqual(
      during.map((q) => `${q.method} ${q.path}`),
      [],
      'the monitor kept polling finished jobs',
    );
  });

  test('training_not_available is stated plainly and no job is remembered', async () => {
    const jobsBefore = (await state()).jobs.length;
    emu.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'training_not_available', count: 1 });
    const r = await launch();
    assert.ok(!r.ok, 'the launch should have failed');
    assert.strictEqual(r.code, 'training_not_available');
    assert.match(r.message, /403 training_not_available/);
    assert.match(r.message, /winding down/);
    assert.match(r.message, /2027-01-06/);
    assert.strictEqual((await state()).jobs.length, jobsBefore);
  });

  test('no key appears in the log, the settings or any webview message', async () => {
    // A launch with a wrong key, so the log holds an authentication failure that must not echo the key.
    const wrongKey = `sk-wrong-${randomBytes(20).toString('hex')}`;
    await vscode.commands.executeCommand('rftStudio.addProvider', {
      kind: 'compatible',
      id: 'test-emu-wrong',
      label: 'Wrong key',
      baseURL: emu.url,
      apiKey: wrongKey,
      activate: false,
    });
    const bad = await vscode.commands.executeCommand<LaunchResult>('rftStudio.launchJob', {
      uri: specUri(),
      confirm: false,
      providerId: 'test-emu-wrong',
    });
    assert.ok(bad && !bad.ok, 'a launch with a wrong key must fail');
    assert.ok(!bad.message.includes(wrongKey));
    await vscode.commands.executeCommand('rftStudio.removeProvider', {
      id: 'test-emu-wrong',
      confirm: false,
    });
    await vscode.commands.executeCommand('rftStudio.showLog');
    const s = await state();
    assert.ok(s.postedMessages.length > 0, 'no webview message was recorded');
    for (const m of s.postedMessages) assert.ok(!m.includes(KEY), 'a webview message contains the key');
    const settingsText = JSON.stringify(config()) + JSON.stringify(config().inspect('providers'));
    assert.ok(!settingsText.includes(KEY), 'the key is in the settings');
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const wsSettings = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
    if (fs.existsSync(wsSettings.fsPath))
      assert.ok(!fs.readFileSync(wsSettings.fsPath, 'utf8').includes(KEY));
    const log = await waitFor('the RFT Studio log', async () => {
      const doc = vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.toString()).includes('RFT Studio'),
      );
      return doc && doc.getText().includes('Provider added: Test emulator') && doc.getText();
    });
    assert.ok(log.includes('Launched ftjob-'), 'the log should record launches');
    assert.ok(!log.includes(KEY), 'the key is in the log');
    assert.ok(!log.includes(KEY.slice(8, 30)), 'part of the key is in the log');
    assert.ok(!log.includes(wrongKey.slice(9, 30)), 'the wrong key is in the log');
    // The authentication failure itself is logged (the emulator's 401 message), just never the key.
    assert.match(log, /Incorrect API key provided/);
  });
});
