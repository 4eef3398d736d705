// What the jobs feature tells the user, inside a real VS Code against the local API emulator this test starts: the
// "Last job" CodeLens of a spec open in an editor (following the monitor, after the provider forgot the job, and in
// a freshly built monitor as after a window reload), the state-change and metric-alert notifications with their
// buttons, and the job details panel coming back through its WebviewPanelSerializer.
import * as assert from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Emulator } from '../../src/emulator/server';
import { adjustableClock } from '../../src/emulator/clock';
import { startEmulator } from '../../src/emulator/server';
import { Config } from '../../src/host/config';
import type { HostContext } from '../../src/host/hostContext';
import { JobMonitor } from '../../src/host/jobs/jobMonitor';
import type { ShownNotification } from '../../src/host/jobs/jobNotifier';
import { JobNotifier } from '../../src/host/jobs/jobNotifier';
import type { JobView } from '../../src/host/jobs/jobsModel';
import type { TrackedJob } from '../../src/host/jobs/jobStore';
import { JobStore } from '../../src/host/jobs/jobStore';
import { SpecCodeLensProvider } from '../../src/host/jobs/specCodeLens';
import { HostLogger } from '../../src/host/log';
import { JOB_DETAILS_VIEW_TYPE } from '../../src/shared/jobDetailsProtocol';
import { Providers } from '../../src/host/providers/providers';
import { job, launchSpec, state, waitFor } from './lib/jobsKit';

const EXTENSION_ID = 'rft-studio.rft-studio';
const PROVIDER_ID = 'feedback-emu';
const PROVIDER_LABEL = 'Feedback emulator';
const KEY = `sk-test-${randomBytes(24).toString('hex')}`;

async function waitForStatus(key: string, status: string, timeoutMs = 90_000): Promise<JobView> {
  return waitFor(
    `${key} to be ${status}`,
    async () => {
      const j = await job(key);
      return j?.snapshot.status === status && j;
    },
    timeoutMs,
  );
}

/** Running with a step done: the emulator, like the platform, pauses a job only after its first step. */
async function waitForPausable(key: string): Promise<JobView> {
  return waitFor(`${key} to be pausable`, async () => {
    const j = await job(key);
    return j?.snapshot.status === 'running' && (j.snapshot.step ?? 0) >= 1 && j;
  });
}

function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** Writes jobs/<name>.rftjob.json: the demo spec with its own suffix and metadata (e.g. an emulator scenario). */
async function writeSpec(
  name: string,
  suffix: string,
  metadata: Record<string, string> = {},
): Promise<vscode.Uri> {
  const demo = JSON.parse(
    Buffer.from(await vscode.workspace.fs.readFile(workspaceUri('jobs', 'countdown.rftjob.json'))).toString(
      'utf8',
    ),
  ) as { metadata?: Record<string, string> };
  const spec = { ...demo, suffix, metadata: { ...demo.metadata, ...metadata } };
  const uri = workspaceUri('jobs', `${name}.rftjob.json`);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(spec, null, 2)));
  return uri;
}

async function launch(uri: vscode.Uri): Promise<string> {
  const r = await launchSpec(uri, PROVIDER_ID);
  assert.ok(r.ok, `launch failed: ${JSON.stringify(r)}`);
  return r.key;
}

/** The "Last job" lens the spec's editor was last given (the editor asks again only when told to). */
async function shownLastJobLens(uri: vscode.Uri): Promise<string | undefined> {
  return (await state()).specLenses[uri.toString()]?.find((t) => t.includes('Last job'));
}

async function waitForShownLens(uri: vscode.Uri, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  let seen: string | undefined;
  try {
    return await waitFor(
      `the editor's Last job lens to match ${pattern}`,
      async () => {
        seen = await shownLastJobLens(uri);
        return seen !== undefined && pattern.test(seen) && seen;
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last shown: ${seen ?? '(none)'}`);
  }
}

async function waitForNotification(
  what: string,
  match: (n: ShownNotification) => boolean,
  timeoutMs = 90_000,
): Promise<ShownNotification> {
  return waitFor(what, async () => (await state()).notifications.find(match), timeoutMs);
}

/** Clicks a button of an open notification (through the jobs feature's private test command). */
async function answer(n: ShownNotification, item: string): Promise<void> {
  assert.ok(
    await vscode.commands.executeCommand<boolean>('_rftStudio.jobsTestAnswer', n.id, item),
    `could not pick "${item}" on "${n.message}"`,
  );
}

interface PostedMessage {
  type: string;
  key?: string;
  reason?: string;
  state?: { header: { key: string; status: string } };
}

/** The messages posted to details webviews about one job, oldest first. */
async function postedFor(key: string): Promise<PostedMessage[]> {
  return (await state()).postedMessages
    .map((t) => JSON.parse(t) as PostedMessage)
    .filter((m) => m.key === key || m.state?.header.key === key);
}

function detailsTab(label: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find(
      (t) =>
        t.input instanceof vscode.TabInputWebview &&
        t.input.viewType.endsWith('rftStudio.jobDetails') &&
        t.label === label,
    );
}

// The emulator's clock: held while a step must happen before the job moves on (pausing it from an alert).
const clock = adjustableClock();

/** vscode.Memento over a map: the workspace state a reloaded window starts from. */
class MemoryMemento implements vscode.Memento {
  private readonly values: Map<string, unknown>;

  constructor(initial: Record<string, unknown>) {
    this.values = new Map(Object.entries(structuredClone(initial)));
  }

  keys(): readonly string[] {
    return [...this.values.keys()];
  }

  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

/**
 * The jobs monitor and the spec CodeLens built again over a copy of the workspace state and this provider's key,
 * the way the extension builds them when a window (re)opens. The extension's own instances keep running.
 */
function reloadedWindow(workspaceState: Record<string, unknown>): {
  lens: SpecCodeLensProvider;
  monitor: JobMonitor;
  dispose(): void;
} {
  const secrets = new Map([[`rftStudio.provider.apiKey.${PROVIDER_ID}`, KEY]]);
  const secretsChanged = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  const memento = new MemoryMemento(workspaceState);
  const extension = {
    workspaceState: memento,
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
      onDidChange: secretsChanged.event,
    },
    extensionUri: workspaceUri(),
  } as unknown as vscode.ExtensionContext;
  const log = new HostLogger('RFT Studio (reloaded window test)');
  const config = new Config();
  const providers = new Providers({ extension, log, config });
  const ctx: HostContext = { extension, log, config, providers };
  const store = new JobStore(memento);
  const monitor = new JobMonitor(ctx, store, providers, new JobNotifier());
  const lens = new SpecCodeLensProvider(providers, store, monitor);
  const owned: vscode.Disposable[] = [lens, monitor, store, providers, config, log, secretsChanged];
  return { lens, monitor, dispose: () => owned.forEach((d) => d.dispose()) };
}

suite('Jobs feedback', function () {
  this.timeout(240_000);
  let emu: Emulator;
  const config = () => vscode.workspace.getConfiguration('rftStudio');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    // About 15 s per job: time to act on a running job, short enough for a test.
    emu = await startEmulator({ port: 0, speed: 4, keys: [KEY], now: clock.now });
    await config().update('jobs.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Workspace);
    await config().update('jobs.maxPollIntervalSeconds', 3, vscode.ConfigurationTarget.Workspace);
    await config().update('jobs.notifications', 'all', vscode.ConfigurationTarget.Workspace);
    const id = await vscode.commands.executeCommand<string>('rftStudio.addProvider', {
      kind: 'compatible',
      id: PROVIDER_ID,
      label: PROVIDER_LABEL,
      baseURL: emu.url,
      apiKey: KEY,
      activate: false,
    });
    assert.strictEqual(id, PROVIDER_ID);
  });

  suiteTeardown(async () => {
    clock.setRate(1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('rftStudio.removeProvider', { id: PROVIDER_ID, confirm: false });
    await emu?.close();
  });

  suite('spec CodeLens', () => {
    let spec: vscode.Uri;

    suiteSetup(async () => {
      spec = await writeSpec('lens', 'lens-test');
      await vscode.window.showTextDocument(spec);
    });

    test('the editor is told each status the monitor learns: running, paused, succeeded', async () => {
      const key = await launch(spec);
      const jobId = key.split('/')[1];
      await waitForPausable(key);
      const running = await waitForShownLens(spec, /\(running\)/);
      assert.ok(running.includes(jobId), running);
      assert.strictEqual(await vscode.commands.executeCommand('rftStudio.pauseJob', key), 'paused');
      await waitForShownLens(spec, new RegExp(`${jobId} \\(paused\\)`));
      assert.notStrictEqual(await vscode.commands.executeCommand('rftStudio.resumeJob', key), 'paused');
      await waitForStatus(key, 'succeeded');
      await waitForShownLens(spec, new RegExp(`${jobId} \\(succeeded\\)`), 10_000);
    });

    test('a monitor built from stored state, as after a window reload, refreshes the lens with what it learns', async () => {
      // A job that ended while the window was closed: the workspace state still says it was running.
      const reloadSpec = await writeSpec('reload', 'reload-test');
      const key = await launch(reloadSpec);
      const [providerId, jobId] = key.split('/');
      assert.strictEqual(
        await vscode.commands.executeCommand('rftStudio.cancelJob', { key, confirm: false }),
        'cancelled',
      );
      const tracked: TrackedJob = {
        providerId,
        jobId,
        specPath: 'jobs/reload.rftjob.json',
        trackedAt: Date.now(),
        snapshot: { status: 'running', model: 'o4-mini-2025-04-16', suffix: 'reload-test', step: 3 },
      };
      const window = reloadedWindow({ 'rftStudio.trackedJobs': [tracked] });
      try {
        const doc = await vscode.workspace.openTextDocument(reloadSpec);
        const lastJob = () =>
          window.lens
            .provideCodeLenses(doc)
            .map((l) => l.command?.title ?? '')
            .find((t) => t.includes('Last job'));
        // Before its first poll the monitor knows only the stored snapshot, and the lens says so.
        assert.match(lastJob() ?? '', new RegExp(`${jobId} \\(running\\)`));
        // Each change event makes VS Code ask again: record what it would get then.
        const refreshed: string[] = [];
        window.lens.onDidChangeCodeLenses(() => refreshed.push(lastJob() ?? ''));
        await waitFor('a lens refresh after the first poll', async () =>
          refreshed.some((t) => t.includes(`${jobId} (cancelled)`)),
        );
      } finally {
        window.dispose();
      }
    });

    test('a job the provider no longer knows is shown as last seen, not as still paused', async () => {
      const key = await launch(spec);
      const jobId = key.split('/')[1];
      await waitForPausable(key);
      assert.strictEqual(await vscode.commands.executeCommand('rftStudio.pauseJob', key), 'paused');
      await waitForShownLens(spec, new RegExp(`${jobId} \\(paused\\)`));
      // The server forgets every job, as the demo's in-process emulator does when the window reloads.
      const reset = await fetch(new URL('/__emulator/reset', emu.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.strictEqual(reset.status, 200);
      await vscode.commands.executeCommand('rftStudio.refreshJobs');
      await waitFor('the 404 in the monitor', async () => (await job(key))?.pollProblem?.includes('404'));
      const lens = await waitForShownLens(spec, new RegExp(`${jobId} \\(paused when last seen`), 10_000);
      assert.match(lens, new RegExp(`${PROVIDER_LABEL} no longer knows it`));
      assert.ok(!/\(paused\)/.test(lens), lens);
    });
  });

  suite('notifications', () => {
    test('a validation-gap alert names the job and the gap, once, and its Pause Job button pauses the job', async () => {
      const spec = await writeSpec('gap', 'gap-test', { emulator_scenario: 'valid-gap' });
      const key = await launch(spec);
      const jobId = key.split('/')[1];
      const isAlert = (n: ShownNotification) => n.message.startsWith('Job gap-test: ');
      const alert = await waitForNotification('the validation-gap alert', isAlert);
      clock.setRate(0);
      try {
        assert.strictEqual(alert.severity, 'warning');
        assert.match(
          alert.message,
          /^Job gap-test: Validation reward \(0\.\d\d\) is 0\.\d\d below training reward \(0\.\d\d\) at step \d+: the model may be overfitting or gaming the grader\.$/,
        );
        assert.deepStrictEqual(alert.items, ['Pause Job', 'Open Details']);
        assert.ok(
          (await job(key))?.alerts.some((a) => a.kind === 'valid-gap'),
          'the alert is not on the job',
        );
        await answer(alert, 'Pause Job');
        await waitForStatus(key, 'paused', 30_000);
      } finally {
        clock.setRate(1);
      }
      await waitForNotification(
        'the paused notification',
        (n) => n.message === `Fine-tuning job "gap-test" (${jobId}) is now paused.`,
      );
      assert.notStrictEqual(await vscode.commands.executeCommand('rftStudio.resumeJob', key), 'paused');
      const done = await waitForStatus(key, 'succeeded');
      const model = done.snapshot.fineTunedModel;
      assert.match(model ?? '', /^ft:/);
      const success = await waitForNotification('the success notification', (n) =>
        n.message.startsWith(`Fine-tuning job "gap-test" (${jobId}) succeeded.`),
      );
      assert.strictEqual(success.severity, 'info');
      assert.strictEqual(success.message, `Fine-tuning job "gap-test" (${jobId}) succeeded. Model: ${model}`);
      assert.deepStrictEqual(success.items, ['Copy Model ID', 'Open Details']);
      await vscode.env.clipboard.writeText('');
      await answer(success, 'Copy Model ID');
      await waitFor(
        'the model id on the clipboard',
        async () => (await vscode.env.clipboard.readText()) === model,
      );
      // The gap stays open to the last step, yet each alert kind is announced once per job.
      const alerts = (await state()).notifications.filter(isAlert);
      assert.deepStrictEqual(
        alerts.map((n) => [n.id, n.picked]),
        [[alert.id, 'Pause Job']],
      );
    });

    test('with notifications on "terminal", a failed job says only that it failed and why; Open Details opens it', async () => {
      await config().update('jobs.notifications', 'terminal', vscode.ConfigurationTarget.Workspace);
      try {
        const spec = await writeSpec('fail', 'fail-test', { emulator_scenario: 'fail' });
        const key = await launch(spec);
        const jobId = key.split('/')[1];
        await waitForStatus(key, 'failed');
        const failed = await waitForNotification('the failure notification', (n) =>
          n.message.startsWith(`Fine-tuning job "fail-test" (${jobId}) failed.`),
        );
        assert.strictEqual(failed.severity, 'error');
        assert.strictEqual(
          failed.message,
          `Fine-tuning job "fail-test" (${jobId}) failed. server_error: Training failed at step 9 due to an internal error (emulated).`,
        );
        assert.deepStrictEqual(failed.items, ['Open Details']);
        const aboutJob = (await state()).notifications.filter((n) => n.message.includes(jobId));
        assert.deepStrictEqual(
          aboutJob.map((n) => n.message),
          [failed.message],
          'only the terminal state is announced',
        );
        await answer(failed, 'Open Details');
        await waitFor('the details panel of the failed job', async () =>
          (await state()).panels.includes(key),
        );
        await waitFor('its tab', async () => detailsTab('Job fail-test'));
        const shown = await waitFor('the failure in the panel', async () =>
          (await postedFor(key)).find((m) => m.state?.header.status === 'failed'),
        );
        assert.strictEqual(shown.type, 'state');
      } finally {
        await config().update('jobs.notifications', 'all', vscode.ConfigurationTarget.Workspace);
      }
    });
  });

  suite('details panel restore', () => {
    let spec: vscode.Uri;

    suiteSetup(async () => {
      spec = await writeSpec('panel', 'panel-test');
    });

    /** Opens the job's details, waits until the webview has its state, and closes the tab (as a window closing). */
    async function openAndClose(key: string): Promise<void> {
      await vscode.commands.executeCommand('rftStudio.openJobDetails', key);
      await waitFor('the state in the panel', async () =>
        (await postedFor(key)).some((m) => m.type === 'state'),
      );
      const tab = await waitFor('the details tab', async () => detailsTab('Job panel-test'));
      assert.ok(await vscode.window.tabGroups.close(tab), 'the tab did not close');
      await waitFor('the panel gone', async () => !(await state()).panels.includes(key));
    }

    /**
     * What VS Code does with a details panel when the window reloads: a new panel of the same type, titled as it
     * was, handed to the registered serializer with the state the webview kept. (Only a reload revives webviews,
     * and a reload would end this test run, so the test plays VS Code's part with the extension's own serializer.)
     */
    async function revive(state: unknown): Promise<vscode.WebviewPanel> {
      const serializer = await vscode.commands.executeCommand<vscode.WebviewPanelSerializer>(
        '_rftStudio.jobsTestPanelSerializer',
      );
      const panel = vscode.window.createWebviewPanel(
        JOB_DETAILS_VIEW_TYPE,
        'Job panel-test',
        vscode.ViewColumn.Active,
        {},
      );
      // VS Code hands a revived panel over once its editor is open.
      await waitFor('the new panel open', async () => {
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        return tab?.input instanceof vscode.TabInputWebview && tab.label === 'Job panel-test';
      });
      await serializer.deserializeWebviewPanel(panel, state);
      return panel;
    }

    test('VS Code can revive details panels: a serializer is registered, and a panel activates the extension', () => {
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        activationEvents?: string[];
      };
      assert.ok(manifest.activationEvents?.includes(`onWebviewPanel:${JOB_DETAILS_VIEW_TYPE}`));
      let second: vscode.Disposable | undefined;
      assert.throws(() => {
        second = vscode.window.registerWebviewPanelSerializer(JOB_DETAILS_VIEW_TYPE, {
          deserializeWebviewPanel: async () => undefined,
        });
      }, /already registered/);
      second?.dispose();
    });

    test('a revived panel shows its job as it is now, not as it was when the window closed', async () => {
      const key = await launch(spec);
      await openAndClose(key);
      // While no panel shows the job it is cancelled: only the revived panel can show that.
      assert.strictEqual(
        await vscode.commands.executeCommand('rftStudio.cancelJob', { key, confirm: false }),
        'cancelled',
      );
      await waitForStatus(key, 'cancelled');
      assert.ok(!(await postedFor(key)).some((m) => m.state?.header.status === 'cancelled'));
      const panel = await revive({ key, tab: 'events' });
      assert.ok((await state()).panels.includes(key), 'the serializer did not adopt the panel');
      await waitFor('the cancellation in the revived panel', async () =>
        (await postedFor(key)).some((m) => m.state?.header.status === 'cancelled'),
      );
      assert.ok(detailsTab('Job panel-test'), 'the revived tab is not titled after the job');
      // The revived panel is the job's panel: opening the job again reveals it instead of a second one.
      await vscode.commands.executeCommand('rftStudio.openJobDetails', key);
      assert.strictEqual(
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Job panel-test').length,
        1,
      );
      panel.dispose();
      await waitFor('the panel gone', async () => !(await state()).panels.includes(key));
    });

    test('a revived panel whose job was removed says so; one without a job key is closed', async () => {
      const key = await launch(spec);
      await openAndClose(key);
      await vscode.commands.executeCommand('rftStudio.cancelJob', { key, confirm: false });
      assert.strictEqual(await vscode.commands.executeCommand('rftStudio.forgetJob', key), key);
      const panel = await revive({ key });
      const missing = await waitFor('the missing message', async () =>
        (await postedFor(key)).find((m) => m.type === 'missing'),
      );
      assert.match(missing.reason ?? '', /no longer in the Jobs view/);
      panel.dispose();
      // Without a key there is no job to show: the serializer closes the panel instead of showing nothing.
      const keyless = await revive({ tab: 'charts' });
      assert.throws(() => keyless.webview, /disposed/);
    });
  });
});
