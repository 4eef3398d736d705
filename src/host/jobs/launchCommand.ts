// "RFT Studio: Launch Job": parse and resolve a *.rftjob.json spec, run the preflight (datasets, grader lint and
// remote validation, limits, estimate, provider situation) and show it; errors block. Then upload with
// cancellable progress, create the job exactly once, and remember it in the workspace.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type OpenAI from 'openai';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostics';
import { countBySeverity } from '../../core/diagnostics';
import { readJsonlLines } from '../../core/datasets/jsonlReader';
import { validateDatasetFile } from '../../core/datasets/validate';
import { lintGraderText } from '../../core/graders/lint';
import type { ResolvedJobSpec } from '../../core/jobs/jobSpec';
import { JobSpecError, parseJobSpec, resolveJobSpec } from '../../core/jobs/jobSpec';
import type { LaunchProgress } from '../../core/jobs/launch';
import { launchJob } from '../../core/jobs/launch';
import type { PreflightReport } from '../../core/jobs/preflight';
import { runPreflight } from '../../core/jobs/preflight';
import type { FineTuningJob } from '../../core/jobs/jobsService';
import { describeApiError } from '../../core/providers';
import { toVscodeDiagnostic } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import type { ClientCache } from './clients';
import type { JobStore } from './jobStore';
import { jobKey } from './jobStore';
import type { ProviderEntry, ProviderStore } from './providerStore';
import { MissingCredentialError, toProviderConfig } from './providerStore';

export const LAUNCH_COMMAND = 'rftStudio.launchJob';
const DEPRECATIONS_URL =
  'https://developers.openai.com/api/docs/deprecations#update-to-openais-self-serve-fine-tuning';
/** How many dataset items the grader lint sees (template paths are probed against them). */
const LINT_ITEM_LIMIT = 2000;

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

export class JobLauncher implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('rftStudio.preflight');
  private running = false;
  /** Why the last preflight could not finish (undefined when it was cancelled). */
  private preflightProblem: string | undefined;

  constructor(
    private readonly ctx: HostContext,
    private readonly providers: ProviderStore,
    private readonly clients: ClientCache,
    private readonly store: JobStore,
  ) {}

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
    const provider = args.providerId ? this.providers.get(args.providerId) : this.providers.active();
    if (!provider) {
      const message =
        'Launching a job needs a provider (OpenAI, Azure OpenAI or an OpenAI-compatible server).';
      void vscode.window
        .showErrorMessage(message, 'Add Provider')
        .then((pick) => pick && vscode.commands.executeCommand('rftStudio.addProvider'));
      return fail('provider', message);
    }
    let client: Awaited<ReturnType<ClientCache['get']>>;
    try {
      client = await this.clients.get(provider.id, { interactive: true });
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

    // 3. Preflight, with progress; errors block.
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking ${rel}`, cancellable: true },
      async (progress, token) =>
        this.preflight(
          resolved,
          provider,
          client.client,
          client.capabilities.graderValidate,
          progress,
          token,
        ),
    );
    if (!report) return fail('preflight', this.preflightProblem ?? 'The preflight was cancelled.');
    this.logReport(rel, provider, report);
    const errors = report.items.filter((i) => i.level === 'error');
    const summary = formatReport(report);
    if (errors.length) {
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
    if (args.confirm !== false) {
      const pick = await vscode.window.showInformationMessage(
        `Launch ${resolved.suffix ? `"${resolved.suffix}"` : rel} on ${provider.label}?`,
        { modal: true, detail: summary },
        'Launch',
      );
      if (pick !== 'Launch') return fail('confirm', 'Not confirmed.');
    }

    // 4. Upload and create, cancellable until the create request is sent.
    const launchId = randomUUID();
    let job: FineTuningJob | undefined;
    try {
      job = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Launching on ${provider.label}`,
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let last = 0;
          try {
            return await launchJob(resolved, {
              client: client.client,
              launchId,
              signal: abort.signal,
              onProgress: (p: LaunchProgress) => {
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
    } catch (e) {
      return this.launchFailed(e, provider);
    }

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

  private async preflight(
    resolved: ResolvedJobSpec,
    provider: ProviderEntry,
    client: OpenAI,
    canValidate: boolean,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<PreflightReport | undefined> {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const byFile = new Map<string, Diagnostic[]>();
    const kind = provider.kind === 'azure' ? 'azure' : 'openai';
    this.preflightProblem = undefined;
    try {
      const report = await runPreflight(resolved, {
        provider: toProviderConfig(provider),
        now: new Date(),
        validateDataset: async (p, role) => {
          progress.report({ message: `validating ${path.basename(p)}` });
          const r = await validateDatasetFile(p, { provider: kind, role, signal: abort.signal });
          byFile.set(p, r.diagnostics);
          const c = countBySeverity(r.diagnostics);
          const first = r.diagnostics.find((d) => d.severity === 'error');
          const summary = `${path.basename(p)}: ${r.examples} example(s), ${c.error} error(s), ${c.warning} warning(s)${first ? ` — line ${first.range.start.line + 1}: ${first.message}` : ''}`;
          return { errors: c.error, warnings: c.warning, examples: r.examples, summary };
        },
        lintGrader: async (grader) => {
          progress.report({ message: 'linting the grader' });
          const items = await readItems(resolved.trainingFile, abort.signal);
          const text = resolved.graderPath
            ? await readText(resolved.graderPath)
            : JSON.stringify(grader, null, 2);
          const diags = lintGraderText(text, {
            path: resolved.graderPath,
            datasetItems: items,
            responseFormat: resolved.responseFormat,
          });
          if (resolved.graderPath) byFile.set(resolved.graderPath, diags);
          const errs = diags.filter((d) => d.severity === 'error');
          return {
            errors: errs.length,
            messages: diags.filter((d) => d.severity !== 'hint').map((d) => `${d.severity}: ${d.message}`),
          };
        },
        validateGraderRemotely: canValidate
          ? async (grader) => {
              progress.report({ message: `validating the grader on ${provider.label}` });
              await client.fineTuning.alpha.graders.validate({ grader } as never, { signal: abort.signal });
            }
          : undefined,
      });
      // Problems go where the user can fix them: the dataset line, the grader field.
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
      return report;
    } catch (e) {
      if (abort.signal.aborted) return undefined;
      const info = describeApiError(e);
      this.preflightProblem = `The preflight could not finish: ${info.message}`;
      this.ctx.log.error('Preflight failed', e);
      void vscode.window
        .showErrorMessage(`The preflight could not finish: ${info.message}`, 'Show Log')
        .then((p) => p && this.ctx.log.show());
      return undefined;
    } finally {
      sub.dispose();
    }
  }

  private launchFailed(e: unknown, provider: ProviderEntry): LaunchResult {
    if (e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError')) {
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

  private logReport(rel: string, provider: ProviderEntry, report: PreflightReport): void {
    this.ctx.log.info(
      `Preflight of ${rel} on ${provider.label}: ${report.ok ? 'ok' : 'blocked'}\n${formatReport(report)}`,
    );
  }

  dispose(): void {
    this.diagnostics.dispose();
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

export function formatReport(report: PreflightReport): string {
  const mark = { error: '✖', warning: '⚠', info: 'ℹ' } as const;
  const lines = report.items.map(
    (i) => `${mark[i.level]} ${i.title}${i.detail ? `\n    ${i.detail.split('\n').join('\n    ')}` : ''}`,
  );
  const est = report.estimate;
  if (est) {
    lines.push(
      '',
      `Training examples: ${est.trainingExamples}, validation examples: ${est.validationExamples}${est.approxTokens ? `, about ${est.approxTokens.toLocaleString('en-US')} prompt tokens` : ''}`,
      `Cost: ${est.costNote}`,
      `Time: ${est.timeNote}`,
    );
  }
  return lines.join('\n');
}

async function readText(p: string): Promise<string> {
  return fs.readFile(p, 'utf8');
}

/** The first dataset items (parsed objects) for the grader lint's template checks; bad lines are skipped. */
async function readItems(file: string, signal: AbortSignal): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  try {
    for await (const line of readJsonlLines(file, { signal })) {
      if (items.length >= LINT_ITEM_LIMIT) break;
      if (!line.text.trim()) continue;
      try {
        const v: unknown = JSON.parse(line.text);
        if (v && typeof v === 'object' && !Array.isArray(v)) items.push(v as Record<string, unknown>);
      } catch {
        // The dataset validator reports malformed lines; the lint only needs the good ones.
      }
    }
  } catch {
    // An unreadable file is reported by the dataset validation step.
  }
  return items;
}
