// The jobs feature: providers (settings + SecretStorage, status bar), launch (command + CodeLens), the Jobs tree
// monitor, the job details webview, and the optional in-process emulator. Registered by src/extension.ts.
import * as vscode from 'vscode';
import { describeApiError } from '../../core/providers';
import { JobsService } from '../../core/jobs/jobsService';
import type { HostContext } from '../hostContext';
import { ClientCache } from './clients';
import { EmulatorHost } from './emulatorHost';
import { JobDetailsPanels, postedMessageLog } from './jobDetailsPanel';
import { JobMonitor } from './jobMonitor';
import type { ShownNotification } from './jobNotifier';
import { JobNotifier } from './jobNotifier';
import type { JobView } from './jobsModel';
import { JobStore, jobKey } from './jobStore';
import type { JobsNode } from './jobsTree';
import { JobsTree } from './jobsTree';
import type { LaunchArgs } from './launchCommand';
import { JobLauncher } from './launchCommand';
import type { AddProviderArgs } from './providerCommands';
import { ProviderCommands, ProviderStatusBar } from './providerCommands';
import type { ProviderEntry } from './providerStore';
import { ProviderStore } from './providerStore';
import { SPEC_SELECTOR, SpecCodeLensProvider } from './specCodeLens';

export const JOBS_VIEW_ID = 'rftStudio.jobs';
/** Private (underscore) command for the in-editor tests: the monitor's view model, never any secret. */
export const TEST_STATE_COMMAND = '_rftStudio.jobsTestState';
/** Private command for the in-editor tests: picks a button of an open job notification, as a click would. */
export const TEST_ANSWER_COMMAND = '_rftStudio.jobsTestAnswer';
/** Private command for the in-editor tests: the details panel serializer VS Code calls after a window reload. */
export const TEST_PANEL_SERIALIZER_COMMAND = '_rftStudio.jobsTestPanelSerializer';

/** What TEST_STATE_COMMAND returns: the in-editor tests read the feature's state through it. */
export interface JobsTestState {
  providers: ProviderEntry[];
  activeProvider: string | undefined;
  jobs: JobView[];
  panels: string[];
  postedMessages: string[];
  specLenses: Record<string, string[]>;
  notifications: ShownNotification[];
  viewVisible: boolean;
}

export function registerJobs(ctx: HostContext): vscode.Disposable {
  const disposables: vscode.Disposable[] = [];
  const own = <T extends vscode.Disposable>(d: T): T => {
    disposables.push(d);
    return d;
  };
  const providers = own(new ProviderStore(ctx));
  void providers.primeRedaction();
  const clients = own(new ClientCache(providers, ctx.log));
  const store = own(new JobStore(ctx.extension.workspaceState));
  const notifier = new JobNotifier();
  const monitor = own(new JobMonitor(ctx, store, providers, clients, notifier));
  const emulator = own(new EmulatorHost(ctx, providers));
  const launcher = own(new JobLauncher(ctx, providers, clients, store));
  const panels = own(new JobDetailsPanels(ctx, monitor));
  const providerCommands = new ProviderCommands(ctx, providers, clients, store, () => emulator.start());
  own(new ProviderStatusBar(providers, clients, monitor));

  // Other features (Grader Lab, model graders) get the active provider's client through the hub.
  ctx.providers.setSource(async () => {
    const p = providers.active();
    if (!p) return undefined;
    const c = await clients.get(p.id, { interactive: true });
    return {
      label: p.label,
      client: c.client,
      graderRun: c.capabilities.graderRun,
      modelGraders: c.capabilities.modelGraders,
    };
  });

  const tree = own(
    new JobsTree({
      onDidChange: (listener) => {
        const a = monitor.onDidChange(listener);
        const b = providers.onDidChange(listener);
        return { dispose: () => (a.dispose(), b.dispose()) };
      },
      providers: () => providers.list(),
      activeProviderId: () => providers.active()?.id,
      jobs: () => monitor.jobs(),
    }),
  );
  const view = own(
    vscode.window.createTreeView<JobsNode>(JOBS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
  );
  // "Visible" = someone can see a job: the Jobs view or a details panel. Hidden + nothing active = no requests.
  const updateVisibility = () => monitor.setVisible(view.visible || panels.anyVisible());
  updateVisibility();
  own(view.onDidChangeVisibility(updateVisibility));
  own(panels.onDidChangeVisibility(updateVisibility));
  const updateBadge = () => {
    const n = monitor.activeCount();
    view.badge = n ? { value: n, tooltip: `${n} job${n === 1 ? '' : 's'} running` } : undefined;
  };
  own(monitor.onDidChange(updateBadge));

  const specLenses = own(new SpecCodeLensProvider(providers, store, monitor));
  own(vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, specLenses));

  /** Resolves a command argument (tree node, key string, {key}) or asks the user to pick a job. */
  const jobArg = async (
    arg: unknown,
    title: string,
    filter: (j: JobView) => boolean = () => true,
  ): Promise<JobView | undefined> => {
    const key =
      typeof arg === 'string'
        ? arg
        : typeof arg === 'object' && arg !== null
          ? ((arg as { job?: JobView }).job?.key ??
            (typeof (arg as { key?: unknown }).key === 'string' ? (arg as { key: string }).key : undefined))
          : undefined;
    if (key) {
      const v = monitor.view(key);
      if (!v) void vscode.window.showErrorMessage(`The job ${key} is not in the Jobs view.`);
      return v;
    }
    const candidates = monitor.jobs().filter(filter);
    if (!candidates.length) {
      void vscode.window.showInformationMessage('No job in the Jobs view fits this action.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map((j) => ({
        label: j.snapshot.suffix ?? j.jobId,
        description: `${j.snapshot.status} · ${j.providerLabel}`,
        detail: j.jobId,
        key: j.key,
      })),
      { title },
    );
    return pick ? monitor.view(pick.key) : undefined;
  };

  const control = (action: 'pause' | 'resume' | 'cancel') => async (arg: unknown) => {
    const job = await jobArg(arg, `${action[0].toUpperCase()}${action.slice(1)} which job?`, (j) =>
      j.actions.includes(action),
    );
    if (!job) return undefined;
    const name = job.snapshot.suffix ? `"${job.snapshot.suffix}"` : job.jobId;
    if (
      action === 'cancel' &&
      !(typeof arg === 'object' && arg !== null && (arg as { confirm?: unknown }).confirm === false)
    ) {
      const pick = await vscode.window.showWarningMessage(
        `Cancel job ${name}?`,
        {
          modal: true,
          detail: 'A cancelled job cannot be resumed. Checkpoints already created stay available.',
        },
        'Cancel Job',
      );
      if (pick !== 'Cancel Job') return undefined;
    }
    try {
      const updated = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Window,
          title: `${action === 'pause' ? 'Pausing' : action === 'resume' ? 'Resuming' : 'Cancelling'} ${name}`,
        },
        () => monitor.act(job.key, action),
      );
      vscode.window.setStatusBarMessage(`Job ${name}: ${updated.status.replace(/_/g, ' ')}`, 4000);
      return updated.status;
    } catch (e) {
      const info = describeApiError(e);
      ctx.log.error(`${action} ${job.jobId} failed`, e);
      void vscode.window.showErrorMessage(`Could not ${action} job ${name}: ${info.message}`);
      return undefined;
    }
  };

  const copy = async (text: string | undefined, what: string) => {
    if (!text) return undefined;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`$(copy) Copied ${what} ${text}`, 3000);
    return text;
  };

  own(
    vscode.commands.registerCommand('rftStudio.addProvider', (args?: AddProviderArgs) =>
      providerCommands.add(isRecord(args) ? args : {}),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.selectProvider', (arg?: unknown) =>
      providerCommands.select(arg),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.removeProvider', (arg?: unknown) =>
      providerCommands.remove(arg),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.setProviderKey', (arg?: unknown) =>
      providerCommands.setKey(arg),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.launchJob', (arg?: LaunchArgs | vscode.Uri) =>
      launcher.launch(arg),
    ),
  );
  own(vscode.commands.registerCommand('rftStudio.refreshJobs', () => monitor.refresh()));
  own(vscode.commands.registerCommand('rftStudio.pauseJob', control('pause')));
  own(vscode.commands.registerCommand('rftStudio.resumeJob', control('resume')));
  own(vscode.commands.registerCommand('rftStudio.cancelJob', control('cancel')));
  own(
    vscode.commands.registerCommand('rftStudio.openJobDetails', async (arg?: unknown) => {
      const job = await jobArg(arg, 'Open which job?');
      if (job) panels.open(job.key);
      return job?.key;
    }),
  );
  own(
    vscode.commands.registerCommand('rftStudio.copyJobId', async (arg?: unknown) =>
      copy((await jobArg(arg, 'Copy the id of which job?'))?.jobId, 'job id'),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.copyFineTunedModel', async (arg?: unknown) =>
      copy(
        (await jobArg(arg, 'Copy the model of which job?', (j) => !!j.snapshot.fineTunedModel))?.snapshot
          .fineTunedModel,
        'model id',
      ),
    ),
  );
  own(
    vscode.commands.registerCommand('rftStudio.forgetJob', async (arg?: unknown) => {
      const job = await jobArg(arg, 'Remove which job from the list?');
      if (job) await store.forget(job.key);
      return job?.key;
    }),
  );
  own(
    vscode.commands.registerCommand(
      'rftStudio.monitorJob',
      async (arg?: { providerId?: string; jobId?: string }) => {
        const provider = arg?.providerId ? providers.get(arg.providerId) : providers.active();
        if (!provider) {
          void vscode.window.showErrorMessage('Add a provider first.');
          return undefined;
        }
        let jobId = arg?.jobId;
        if (!jobId) {
          const known = new Set(store.list().map((j) => jobKey(j.providerId, j.jobId)));
          const quick = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
          quick.title = `Monitor a job on ${provider.label}`;
          quick.placeholder = 'Pick a recent job, or type a job id (ftjob-…)';
          quick.busy = true;
          quick.show();
          void (async () => {
            try {
              const { client } = await clients.get(provider.id, { interactive: true });
              const { jobs } = await new JobsService(client).list({ limit: 50 });
              quick.items = jobs
                .filter((j) => !known.has(jobKey(provider.id, j.id)))
                .map((j) => ({
                  label: j.id,
                  description: `${j.status} · ${j.model}`,
                  detail: j.fine_tuned_model ?? undefined,
                  id: j.id,
                }));
            } catch (e) {
              quick.placeholder = `Could not list jobs (${describeApiError(e).message}); type a job id`;
            } finally {
              quick.busy = false;
            }
          })();
          jobId = await new Promise<string | undefined>((resolve) => {
            quick.onDidAccept(() => resolve(quick.selectedItems[0]?.id ?? (quick.value.trim() || undefined)));
            quick.onDidHide(() => resolve(undefined));
          });
          quick.dispose();
        }
        if (!jobId) return undefined;
        await store.track({ providerId: provider.id, jobId, trackedAt: Date.now() });
        void vscode.commands.executeCommand('rftStudio.jobs.focus');
        return jobKey(provider.id, jobId);
      },
    ),
  );
  own(
    vscode.commands.registerCommand(TEST_STATE_COMMAND, (): JobsTestState => ({
      providers: providers.list().map((p) => ({ ...p })),
      activeProvider: providers.active()?.id,
      jobs: monitor.jobs(),
      panels: panels.openKeys(),
      postedMessages: [...postedMessageLog],
      specLenses: specLenses.shownTitles(),
      notifications: notifier.log(),
      viewVisible: view.visible,
    })),
  );

  own(
    vscode.commands.registerCommand(TEST_ANSWER_COMMAND, (id: unknown, item: unknown) =>
      typeof id === 'number' && typeof item === 'string' ? notifier.answer(id, item) : false,
    ),
  );

  // Only a window reload makes VS Code revive webviews (Reopen Closed Editor skips them), and a reload would end
  // the in-editor test run: the tests call the serializer themselves.
  own(vscode.commands.registerCommand(TEST_PANEL_SERIALIZER_COMMAND, () => panels.serializer));

  return vscode.Disposable.from(...disposables.reverse());
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
