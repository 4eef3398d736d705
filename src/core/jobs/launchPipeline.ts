// The one launch pipeline both entry points run (the editor's Launch Job command and `rft-studio jobs launch`):
// preflight (datasets validated, on worker threads where large; the grader linted against the dataset items;
// remote validation), a confirmation, then the uploads (the provider's capabilities choose the path) and the
// exactly-once create. What differs per entry point (progress, prompts, cancellation, logging) is a LaunchUi.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type OpenAI from 'openai';
import type { ParallelCheckOptions } from '../datasets/chunkPool';
import { readJsonlLines } from '../datasets/jsonlReader';
import { validateDatasetFile } from '../datasets/validate';
import type { Diagnostic } from '../diagnostics';
import { countBySeverity } from '../diagnostics';
import { lintGraderText } from '../graders/lint';
import type { Logger } from '../log';
import { capabilitiesOf } from '../providers/capabilities';
import type { ProviderCapabilities, ProviderConfig } from '../providers/types';
import type { ResolvedJobSpec } from './jobSpec';
import type { FineTuningJob } from './jobsService';
import type { LaunchDeps, LaunchProgress } from './launch';
import { launchJob } from './launch';
import type { PreflightReport } from './preflight';
import { runPreflight } from './preflight';

/** The two phases an entry point shows progress for: the checks, then the uploads and the create. */
export type LaunchPhase = 'preflight' | 'launch';

/** Progress of a phase: preflight steps are plain messages; launch steps are the uploader's stages. */
export type PipelineProgress = { stage: 'preflight'; message: string } | LaunchProgress;

/** What a phase gets from the entry point: a cancellation signal and somewhere to report progress. */
export interface PhaseControl {
  signal?: AbortSignal;
  progress(p: PipelineProgress): void;
}

/** The per-entry-point part of a launch. */
export interface LaunchUi {
  /** Runs a phase under the entry point's progress display and cancellation (a notification, stderr lines). */
  phase<T>(phase: LaunchPhase, run: (control: PhaseControl) => Promise<T>): Promise<T>;
  /** After a clean preflight: create the job? (The CLI's --dry-run and a dismissed dialog answer no.) */
  confirm(report: PreflightReport): Promise<boolean>;
  /** Problems the preflight found, by file (the editor puts them in the Problems view). */
  problems?(byFile: ReadonlyMap<string, Diagnostic[]>): void;
  log?: Logger;
}

/** Where the job goes. */
export interface LaunchTarget {
  provider: ProviderConfig;
  client: OpenAI;
  /** Default: capabilitiesOf(provider, now). */
  capabilities?: ProviderCapabilities;
}

export interface LaunchPipelineOptions {
  now?: Date;
  /** Unique per launch (default: a new UUID). */
  launchId?: string;
  /**
   * Files at least this big go through the uploads API where the provider has one (default 64 MiB); providers
   * without it (Azure) take every file through /files whatever this says.
   */
  uploadsThresholdBytes?: number;
  /** Worker threads for large datasets (the bundle's dist/workers/datasetCheck.js); none = in-thread. */
  datasetWorkers?: ParallelCheckOptions;
  /** How many dataset items the grader lint probes template paths against (default 2000). */
  lintItemLimit?: number;
  /** Timings of the uploader (tests make them short). */
  timings?: Pick<
    LaunchDeps,
    'processingPollMs' | 'processingTimeoutMs' | 'maxCreateAttempts' | 'retryBaseMs' | 'partSizeBytes'
  >;
}

export type LaunchOutcome =
  | { status: 'created'; job: FineTuningJob; report: PreflightReport; launchId: string }
  /** The preflight found errors; nothing was uploaded. */
  | { status: 'blocked'; report: PreflightReport }
  /** The entry point said no after a clean preflight. */
  | { status: 'declined'; report: PreflightReport }
  | { status: 'failed'; phase: LaunchPhase; error: unknown; cancelled: boolean; report?: PreflightReport };

const DEFAULT_LINT_ITEMS = 2000;

export async function launchFromSpec(
  resolved: ResolvedJobSpec,
  target: LaunchTarget,
  ui: LaunchUi,
  opts: LaunchPipelineOptions = {},
): Promise<LaunchOutcome> {
  const now = opts.now ?? new Date();
  const caps = target.capabilities ?? capabilitiesOf(target.provider, now);
  // Whatever fails after the user cancelled counts as the cancel (a validator may not name its abort).
  let signal: AbortSignal | undefined;
  let report: PreflightReport;
  try {
    report = await ui.phase('preflight', (control) => {
      signal = control.signal;
      return preflightSpec(resolved, target, caps, control, opts, now, ui);
    });
  } catch (error) {
    const cancelled = isCancel(error) || !!signal?.aborted;
    if (!cancelled) ui.log?.error('Preflight failed', error);
    return { status: 'failed', phase: 'preflight', error, cancelled };
  }
  // The preflight turns a failed step into a report item; after a cancel those items are not the news.
  if (signal?.aborted)
    return { status: 'failed', phase: 'preflight', error: signal.reason, cancelled: true, report };
  if (!report.ok) return { status: 'blocked', report };
  if (!(await ui.confirm(report))) return { status: 'declined', report };

  const launchId = opts.launchId ?? randomUUID();
  try {
    const job = await ui.phase('launch', (control) => {
      signal = control.signal;
      return launchJob(resolved, {
        ...opts.timings,
        client: target.client,
        launchId,
        signal: control.signal,
        uploadsThresholdBytes: caps.uploadsApi ? opts.uploadsThresholdBytes : Infinity,
        onProgress: (p) => control.progress(p),
      });
    });
    ui.log?.info(`Created ${job.id} on ${target.provider.label} (launch ${launchId})`);
    return { status: 'created', job, report, launchId };
  } catch (error) {
    return {
      status: 'failed',
      phase: 'launch',
      error,
      cancelled: isCancel(error) || !!signal?.aborted,
      report,
    };
  }
}

async function preflightSpec(
  resolved: ResolvedJobSpec,
  target: LaunchTarget,
  caps: ProviderCapabilities,
  control: PhaseControl,
  opts: LaunchPipelineOptions,
  now: Date,
  ui: LaunchUi,
): Promise<PreflightReport> {
  const { signal } = control;
  const say = (message: string) => control.progress({ stage: 'preflight', message });
  const byFile = new Map<string, Diagnostic[]>();
  const kind = target.provider.kind === 'azure' ? 'azure' : 'openai';
  const report = await runPreflight(resolved, {
    provider: target.provider,
    now,
    validateDataset: async (file, role) => {
      say(`validating ${path.basename(file)}`);
      const r = await validateDatasetFile(file, {
        provider: kind,
        role,
        signal,
        ...(opts.datasetWorkers ? { parallel: opts.datasetWorkers } : {}),
      });
      byFile.set(file, r.diagnostics);
      const c = countBySeverity(r.diagnostics);
      const shown = r.diagnostics
        .filter((d) => d.severity === 'error' || d.severity === 'warning')
        .slice(0, 5);
      return {
        errors: c.error,
        warnings: c.warning,
        examples: r.examples,
        summary: shown.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('\n'),
      };
    },
    lintGrader: async (grader) => {
      say('linting the grader');
      const items = await readDatasetItems(
        resolved.trainingFile,
        opts.lintItemLimit ?? DEFAULT_LINT_ITEMS,
        signal,
      );
      // The grader file's own text, so its problems land on the right ranges; an inline grader as JSON.
      const text = resolved.graderPath
        ? await readFile(resolved.graderPath, 'utf8')
        : JSON.stringify(grader, null, 2);
      const diags = lintGraderText(text, {
        path: resolved.graderPath,
        datasetItems: items,
        responseFormat: resolved.responseFormat,
      });
      if (resolved.graderPath) byFile.set(resolved.graderPath, diags);
      return {
        errors: diags.filter((d) => d.severity === 'error').length,
        messages: diags.filter((d) => d.severity !== 'hint').map((d) => `${d.severity}: ${d.message}`),
      };
    },
    validateGraderRemotely: caps.graderValidate
      ? async (grader) => {
          say(`validating the grader on ${target.provider.label}`);
          await target.client.fineTuning.alpha.graders.validate({ grader } as never, { signal });
        }
      : undefined,
  });
  ui.problems?.(byFile);
  ui.log?.info(
    `Preflight on ${target.provider.label}: ${report.ok ? 'ok' : 'blocked'}\n${formatReport(report)}`,
  );
  return report;
}

/** The first dataset items (parsed objects) for the grader lint's template checks; bad lines are skipped. */
export async function readDatasetItems(
  file: string,
  limit: number,
  signal?: AbortSignal,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  try {
    for await (const line of readJsonlLines(file, { signal })) {
      if (items.length >= limit) break;
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

/** The preflight report as plain text (dialogs, the log). */
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

function isCancel(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError');
}
