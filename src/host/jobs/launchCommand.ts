// "RFT Studio: Launch Job": parse and resolve a *.rftjob.json spec, run the preflight (datasets, grader lint and
// remote validation, limits, estimate, provider situation) and show it; errors block. Then upload with
// cancellable progress, create the job exactly once, and remember it in the workspace.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostics';
import { Disposable } from '../../core/lifecycle';
import type { ResolvedJobSpec } from '../../core/jobs/jobSpec';
import { JobSpecError, parseJobSpec, resolveJobSpec } from '../../core/jobs/jobSpec';
import type { LaunchProgress } from '../../core/jobs/launch';
import type { LaunchPhase, LaunchUi, PhaseControl } from '../../core/jobs/launchPipeline';
import { formatReport, launchFromSpec } from '../../core/jobs/launchPipeline';
import type { PreflightReport } from '../../core/jobs/preflight';
import { describeApiError } from '../../core/providers';
import { toVscodeDiagnostic } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import type { ProviderClient } from '../providers/clients';
import type { Providers } from '../providers/providers';
import type { ProviderEntry } from '../providers/providerStore';
import { MissingCredentialError, toProviderConfig } from '../providers/providerStore';

export const LAUNCH_COMMAND = 'rftStudio.launchJob';
const DEPRECATIONS_URL =
  'https://developers.openai.com/api/docs/deprecations#update-to-openais-self-serve-fine-tuning';

/** Optional argument (tests, CodeLens, explorer menu): the spec, and whether to ask before launching. */
export interface LaunchArgs {
  uri?: vscode.Uri | string;
  /** false = launch without the confirmation dialog when the preflight has no errors. */
  confirm?: boolean;
  providerId?: string;
}

/** What the command returns (tests and other commands read it; no secrets). */
export type LaunchResult =
  | { ok: true; key: string; jobId: string; status: string }
  | {
      ok: false;
      stage: 'spec' | 'provider' | 'preflight' | 'confirm' | 'create';
      message: string;
      code?: string;
    };

const fail = (
  stage: Extract<LaunchResult, { ok: false }>['stage'],
  message: string,
  code?: string,
): LaunchResult => ({ ok: false, stage, message, code });

export class JobLauncher extends Disposable {
  private readonly diagnostics = this._register(
    vscode.languages.createDiagnosticCollection('rftStudio.preflight'),
  );
  private running = false;

  constructor(
    private readonly ctx: HostContext,
    private readonly providers: Providers,
    private readonly store: JobStore,
  ) {
    super();
  }

  async launch(arg?: LaunchArgs | vscode.Uri): Promise<LaunchResult | undefined> {
    if (this.running) {
      void vscode.window.showWarningMessage('A job launch is already in progress.');
      return fail('confirm', 'A job launch is already in progress.');
    }
    this.running = true;
    try {
      return await this.launchInner(normaliseArgs(arg));
    } finally {
      this.running = false;
    }
  }

  private async launchInner(args: LaunchArgs): Promise<LaunchResult | undefined> {
    const specUri = await this.pickSpec(args.uri);
    if (!specUri) return undefined;
    const doc = await vscode.workspace.openTextDocument(specUri);
    const specPath = specUri.fsPath;
    const rel = vscode.workspace.asRelativePath(specUri);

    // 1. The spec itself.
    const parsed = parseJobSpec(doc.getText());
    this.diagnostics.set(
      specUri,
      parsed.diagnostics.map((d) => toVscodeDiagnostic(d, specUri)),
    );
    const specErrors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (!parsed.spec || specErrors.length) {
      const message = `${rel} has ${specErrors.length || 1} problem(s): ${specErrors[0]?.message ?? 'it is not a valid job spec'}`;
      this.blocked(message);
      return fail('spec', message);
    }
    let resolved: ResolvedJobSpec;
    try {
      resolved = await resolveJobSpec(parsed.spec, specPath, (p) => readText(p));
    } catch (e) {
      const msg =
        e instanceof JobSpecError
          ? `${e.message}${e.path ? ` (${vscode.workspace.asRelativePath(e.path)})` : ''}`
          : String(e);
      this.ctx.log.warn(`Cannot resolve ${rel}: ${msg}`);
      this.blocked(`Cannot launch ${rel}: ${msg}`);
      return fail('spec', msg);
    }

    // 2. The provider.
    const provider = args.providerId ? this.providers.get(args.providerId) : this.providers.activeEntry();
    if (!provider) {
      const message =
        'Launching a job needs a provider (OpenAI, Azure OpenAI or an OpenAI-compatible server).';
      void vscode.window
        .showErrorMessage(message, 'Add Provider')
        .then((pick) => pick && vscode.commands.executeCommand('rftStudio.addProvider'));
      return fail('provider', message);
    }
    let client: ProviderClient;
    try {
      client = await this.providers.client(provider.id, { interactive: true });
    } catch (e) {
      if (e instanceof MissingCredentialError) {
        void vscode.window
          .showErrorMessage(e.message, 'Add Provider')
          .then((pick) => pick && vscode.commands.executeCommand('rftStudio.addProvider'));
        return fail('provider', e.message);
      }
      const message = `Cannot connect to ${provider.label}: ${describeApiError(e).message}`;
      void vscode.window.showErrorMessage(message);
      return fail('provider', message);
    }
    if (!client.capabilities.rftJobs) {
      const message = `${provider.label} no longer accepts new fine-tuning jobs. ${client.capabilities.notes.join(' ')}`;
      void vscode.window.showErrorMessage(message);
      return fail('provider', message);
    }

    // 3–4. The core pipeline: preflight (errors block), confirmation, then upload and create, each phase under a
    // cancellable notification.
    const outcome = await launchFromSpec(
      resolved,
      { provider: toProviderConfig(provider), client: client.client, capabilities: client.capabilities },
      new EditorLaunchUi(
        this.ctx.log,
        this.diagnostics,
        rel,
        provider.label,
        resolved,
        args.confirm !== false,
      ),
      {
        datasetWorkers: {
          script: path.join(this.ctx.extension.extensionPath, 'dist', 'workers', 'datasetCheck.js'),
        },
      },
    );
    if (outcome.status === 'failed' && outcome.phase === 'preflight') {
      if (outcome.cancelled) return fail('preflight', 'The preflight was cancelled.');
      const message = `The preflight could not finish: ${describeApiError(outcome.error).message}`;
      void vscode.window.showErrorMessage(message, 'Show Log').then((p) => p && this.ctx.log.show());
      return fail('preflight', message);
    }
    if (outcome.status === 'blocked') {
      const errors = outcome.report.items.filter((i) => i.level === 'error');
      const summary = formatReport(outcome.report);
      const message = `Preflight found ${errors.length} error(s); the job was not launched.`;
      // Interactive launches show the whole report in a dialog; scripted ones (confirm: false) must not block.
      void vscode.window
        .showErrorMessage(
          args.confirm === false ? `${message} ${errors.map((e) => e.title).join('; ')}` : message,
          { modal: args.confirm !== false, detail: summary },
          'Show Problems',
          'Show Log',
        )
        .then((pick) => {
          if (pick === 'Show Problems')
            void vscode.commands.executeCommand('workbench.actions.view.problems');
          if (pick === 'Show Log') this.ctx.log.show();
        });
      return fail('preflight', `${message}\n${summary}`);
    }
    if (outcome.status === 'declined') return fail('confirm', 'Not confirmed.');
    if (outcome.status === 'failed') return this.launchFailed(outcome.error, outcome.cancelled, provider);
    const { job, launchId } = outcome;

    // 5. Remember it and show it.
    const key = jobKey(provider.id, job.id);
    const root = vscode.workspace.getWorkspaceFolder(specUri)?.uri.fsPath;
    const relPath = (p: string) => (root ? path.relative(root, p).split(path.sep).join('/') : p);
    await this.store.track({
      providerId: provider.id,
      jobId: job.id,
      specPath: relPath(specPath),
      trackedAt: Date.now(),
      files: [
        { role: 'training', id: job.training_file, localPath: relPath(resolved.trainingFile) },
        ...(job.validation_file
          ? [
              {
                role: 'validation' as const,
                id: job.validation_file,
                localPath: relPath(resolved.validationFile),
              },
            ]
          : []),
      ],
      snapshot: {
        status: job.status,
        model: job.model,
        suffix: resolved.suffix,
        createdAt: job.created_at,
      },
    });
    this.ctx.log.info(`Launched ${job.id} on ${provider.label} from ${rel} (launch ${launchId})`);
    void vscode.window
      .showInformationMessage(
        `Job ${job.id} created on ${provider.label} (${job.status.replace(/_/g, ' ')}).`,
        'Open Details',
      )
      .then((pick) => pick && vscode.commands.executeCommand('rftStudio.openJobDetails', key));
    void vscode.commands.executeCommand('rftStudio.jobs.focus');
    return { ok: true, key, jobId: job.id, status: job.status };
  }

  private launchFailed(e: unknown, cancelled: boolean, provider: ProviderEntry): LaunchResult {
    if (cancelled) {
      void vscode.window.showInformationMessage('Launch cancelled. No job was created.');
      return fail('create', 'Launch cancelled. No job was created.', 'cancelled');
    }
    const info = describeApiError(e);
    this.ctx.log.error(
      `Launch on ${provider.label} failed${info.requestId ? ` (request ${info.requestId})` : ''}`,
      e,
    );
    if (info.trainingNotAvailable) {
      // Stated plainly, without a dialog in the way: what happened, why, what still works, what to do instead.
      const message =
        `${provider.label} refused to create the job: this organisation can no longer create fine-tuning jobs (403 training_not_available). ` +
        'OpenAI is winding down self-serve fine-tuning: organisations without recent fine-tuning use are refused now, and no new jobs are accepted after 2027-01-06. ' +
        'Existing fine-tuned models keep working and the uploaded files were kept. Azure OpenAI still offers RFT.';
      void vscode.window
        .showErrorMessage(message, 'Add Azure Provider', 'Read OpenAI’s Notice')
        .then((pick) => {
          if (pick === 'Add Azure Provider')
            void vscode.commands.executeCommand('rftStudio.addProvider', { kind: 'azure' });
          if (pick === 'Read OpenAI’s Notice')
            void vscode.env.openExternal(vscode.Uri.parse(DEPRECATIONS_URL));
        });
      return fail('create', message, 'training_not_available');
    }
    const message = `The job was not launched: ${info.message}${info.requestId ? ` (request id ${info.requestId})` : ''}`;
    void vscode.window.showErrorMessage(message, 'Show Log').then((pick) => pick && this.ctx.log.show());
    return fail('create', message, info.code);
  }

  private async pickSpec(uri: vscode.Uri | string | undefined): Promise<vscode.Uri | undefined> {
    if (uri) return typeof uri === 'string' ? toUri(uri) : uri;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && active.path.endsWith('.rftjob.json')) return active;
    const found = await vscode.workspace.findFiles('**/*.rftjob.json', '**/node_modules/**', 200);
    if (!found.length) {
      void vscode.window.showErrorMessage(
        'No *.rftjob.json job spec in this workspace. Create one (see demo/jobs/countdown.rftjob.json) and run Launch Job again.',
      );
      return undefined;
    }
    if (found.length === 1) return found[0];
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({
        label: path.basename(u.fsPath),
        description: vscode.workspace.asRelativePath(u),
        uri: u,
      })),
      { title: 'Launch which job spec?', matchOnDescription: true },
    );
    return pick?.uri;
  }

  private blocked(message: string): void {
    void vscode.window
      .showErrorMessage(message, 'Show Problems')
      .then((pick) => pick && vscode.commands.executeCommand('workbench.actions.view.problems'));
  }
}

function normaliseArgs(arg: LaunchArgs | vscode.Uri | undefined): LaunchArgs {
  if (!arg) return {};
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (typeof arg === 'object') return arg;
  return {};
}

function toUri(s: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)) return vscode.Uri.parse(s);
  if (path.isAbsolute(s)) return vscode.Uri.file(s);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, s) : vscode.Uri.file(path.resolve(s));
}

/** The editor's side of the core launch pipeline: notifications with progress and Cancel, the modal confirmation,
 * and the preflight's problems in the Problems view. */
class EditorLaunchUi implements LaunchUi {
  constructor(
    readonly log: HostContext['log'],
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly rel: string,
    private readonly providerLabel: string,
    private readonly resolved: ResolvedJobSpec,
    private readonly interactive: boolean,
  ) {}

  async phase<T>(phase: LaunchPhase, run: (control: PhaseControl) => Promise<T>): Promise<T> {
    const title = phase === 'preflight' ? `Checking ${this.rel}` : `Launching on ${this.providerLabel}`;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          return await run({
            signal: abort.signal,
            progress: (p) => {
              if (p.stage === 'preflight') return progress.report({ message: p.message });
              const overall = stageFraction(p);
              progress.report({ message: p.message, increment: Math.max(0, (overall - last) * 100) });
              last = Math.max(last, overall);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
  }

  async confirm(report: PreflightReport): Promise<boolean> {
    if (!this.interactive) return true;
    const pick = await vscode.window.showInformationMessage(
      `Launch ${this.resolved.suffix ? `"${this.resolved.suffix}"` : this.rel} on ${this.providerLabel}?`,
      { modal: true, detail: formatReport(report) },
      'Launch',
    );
    return pick === 'Launch';
  }

  /** Problems go where the user can fix them: the dataset line, the grader field. */
  problems(byFile: ReadonlyMap<string, Diagnostic[]>): void {
    this.diagnostics.clear();
    for (const [file, diags] of byFile) {
      const uri = vscode.Uri.file(file);
      const shown = diags.filter((d) => d.severity === 'error' || d.severity === 'warning');
      if (shown.length)
        this.diagnostics.set(
          uri,
          shown.map((d) => toVscodeDiagnostic(d, uri)),
        );
    }
  }
}

const STAGE_SPAN: Record<LaunchProgress['stage'], [number, number]> = {
  'upload-training': [0, 0.5],
  'upload-validation': [0.5, 0.75],
  processing: [0.75, 0.9],
  creating: [0.9, 1],
};

function stageFraction(p: LaunchProgress): number {
  const [a, b] = STAGE_SPAN[p.stage] ?? [0, 1];
  return a + (b - a) * Math.min(1, Math.max(0, p.fraction ?? 0));
}

async function readText(p: string): Promise<string> {
  return fs.readFile(p, 'utf8');
}
