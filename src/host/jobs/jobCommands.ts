// The job commands (launch, refresh, pause/resume/cancel, open details, copy ids, forget, monitor an existing
// job): each resolves its argument (a tree node, a key, or a pick) and acts through the monitor or the store.
import * as vscode from 'vscode';
import { JobsService } from '../../core/jobs/jobsService';
import { Disposable } from '../../core/lifecycle';
import type { Logger } from '../../core/log';
import { describeApiError } from '../../core/providers';
import type { Providers } from '../providers/providers';
import type { JobDetailsPanels } from './jobDetailsPanel';
import type { JobMonitor } from './jobMonitor';
import type { JobView } from './jobsModel';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import type { JobLauncher, LaunchArgs } from './launchCommand';

export class JobCommands extends Disposable {
  constructor(
    private readonly log: Logger,
    private readonly providers: Providers,
    private readonly store: JobStore,
    private readonly monitor: JobMonitor,
    private readonly panels: JobDetailsPanels,
    private readonly launcher: JobLauncher,
  ) {
    super();
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
        const v = this.monitor.view(key);
        if (!v) void vscode.window.showErrorMessage(`The job ${key} is not in the Jobs view.`);
        return v;
      }
      const candidates = this.monitor.jobs().filter(filter);
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
      return pick ? this.monitor.view(pick.key) : undefined;
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
          () => this.monitor.act(job.key, action),
        );
        vscode.window.setStatusBarMessage(`Job ${name}: ${updated.status.replace(/_/g, ' ')}`, 4000);
        return updated.status;
      } catch (e) {
        const info = describeApiError(e);
        this.log.error(`${action} ${job.jobId} failed`, e);
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

    this._register(
      vscode.commands.registerCommand('rftStudio.launchJob', (arg?: LaunchArgs | vscode.Uri) =>
        this.launcher.launch(arg),
      ),
    );
    this._register(vscode.commands.registerCommand('rftStudio.refreshJobs', () => this.monitor.refresh()));
    this._register(vscode.commands.registerCommand('rftStudio.pauseJob', control('pause')));
    this._register(vscode.commands.registerCommand('rftStudio.resumeJob', control('resume')));
    this._register(vscode.commands.registerCommand('rftStudio.cancelJob', control('cancel')));
    this._register(
      vscode.commands.registerCommand('rftStudio.openJobDetails', async (arg?: unknown) => {
        const job = await jobArg(arg, 'Open which job?');
        if (job) this.panels.open(job.key);
        return job?.key;
      }),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.copyJobId', async (arg?: unknown) =>
        copy((await jobArg(arg, 'Copy the id of which job?'))?.jobId, 'job id'),
      ),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.copyFineTunedModel', async (arg?: unknown) =>
        copy(
          (await jobArg(arg, 'Copy the model of which job?', (j) => !!j.snapshot.fineTunedModel))?.snapshot
            .fineTunedModel,
          'model id',
        ),
      ),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.forgetJob', async (arg?: unknown) => {
        const job = await jobArg(arg, 'Remove which job from the list?');
        if (job) await this.store.forget(job.key);
        return job?.key;
      }),
    );
    this._register(
      vscode.commands.registerCommand(
        'rftStudio.monitorJob',
        async (arg?: { providerId?: string; jobId?: string }) => {
          const provider = arg?.providerId
            ? this.providers.get(arg.providerId)
            : this.providers.activeEntry();
          if (!provider) {
            void vscode.window.showErrorMessage('Add a provider first.');
            return undefined;
          }
          let jobId = arg?.jobId;
          if (!jobId) {
            const known = new Set(this.store.list().map((j) => jobKey(j.providerId, j.jobId)));
            const quick = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
            quick.title = `Monitor a job on ${provider.label}`;
            quick.placeholder = 'Pick a recent job, or type a job id (ftjob-…)';
            quick.busy = true;
            quick.show();
            void (async () => {
              try {
                const { client } = await this.providers.client(provider.id, { interactive: true });
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
              quick.onDidAccept(() =>
                resolve(quick.selectedItems[0]?.id ?? (quick.value.trim() || undefined)),
              );
              quick.onDidHide(() => resolve(undefined));
            });
            quick.dispose();
          }
          if (!jobId) return undefined;
          await this.store.track({ providerId: provider.id, jobId, trackedAt: Date.now() });
          void vscode.commands.executeCommand('rftStudio.jobs.focus');
          return jobKey(provider.id, jobId);
        },
      ),
    );
  }
}
