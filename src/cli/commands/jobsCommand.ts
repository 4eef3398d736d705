// `rft-studio jobs`: launch a job from a *.rftjob.json spec (preflight, uploads, exactly-once create) and
// list, inspect, follow, pause, resume or cancel jobs — against OpenAI, Azure OpenAI or any compatible URL.
import * as path from 'node:path';
import type OpenAI from 'openai';
import type { CliCommand, CliIO } from '../command';
import { EXIT, UsageError } from '../command';
import { datasetCheckWorkers } from '../checkWorkers';
import { checkInputFile, InputFileError, readInputText } from '../../core/io/inputFile';
import { JobSpecError, parseJobSpec, resolveJobSpec } from '../../core/jobs/jobSpec';
import type { FineTuningJob, FineTuningJobEvent } from '../../core/jobs/jobsService';
import { JobsService, isTerminalStatus } from '../../core/jobs/jobsService';
import { LaunchError } from '../../core/jobs/launch';
import type { LaunchPipelineOptions } from '../../core/jobs/launchPipeline';
import { launchFromSpec } from '../../core/jobs/launchPipeline';
import { statusReportOf } from '../../core/jobs/jobStatusReport';
import { parseMetricsEvents } from '../../core/jobs/metrics';
import { JobPoller } from '../../core/jobs/poller';
import type { PreflightReport } from '../../core/jobs/preflight';
import type { ProviderConfig, ProviderKind } from '../../core/providers';
import { createClient, describeApiError } from '../../core/providers';

const USAGE = `Usage: rft-studio jobs launch <spec.rftjob.json> [provider options] [--dry-run] [--watch [--interval S]] [--reporter text|json]
       rft-studio jobs list [--limit N] [provider options] [--reporter text|json]
       rft-studio jobs status <job-id> [provider options] [--reporter text|json]
       rft-studio jobs events <job-id> [--limit N] [--follow] [provider options] [--reporter text|json]
       rft-studio jobs pause|resume|cancel <job-id> [provider options]

Launch runs the preflight first (datasets validated, grader linted and validated remotely where the provider
can, limits, the provider's situation, a cost and time estimate); errors stop it. Then both datasets are
uploaded, processed, and the job is created exactly once, even when a request has to be retried.

Provider options:
  --provider-url URL    API base URL (default https://api.openai.com/v1). Azure: https://RESOURCE.openai.azure.com/openai/v1/
                        The local emulator (rft-studio emulator): http://127.0.0.1:8787/v1
  --provider KIND       openai | azure | compatible (default: guessed from the URL)
  Keys come from the environment only: OPENAI_API_KEY (openai, compatible) or AZURE_OPENAI_API_KEY (azure).
  OPENAI_ORG_ID and OPENAI_PROJECT_ID are sent to OpenAI when set.

Options:
  --dry-run            launch: stop after the preflight
  --watch              launch: follow the new job until it finishes
  --follow             events: keep printing new events until the job finishes
  --limit N            list/events: how many (default 20)
  --interval S         --watch/--follow: seconds between polls (default 5; backs off when nothing changes)
  --reporter NAME      text (default) or json

Exit codes: 0 ok; 1 the spec, preflight or API refused (including 403 training_not_available), or a watched
job did not succeed; 2 usage or I/O error.
`;

type Reporter = 'text' | 'json';

function reporterOf(v: unknown): Reporter {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new UsageError(`--reporter must be text or json (got "${String(v)}")`);
}

function limitOf(v: unknown): number {
  if (v === undefined) return 20;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--limit must be a whole number 1–1000 (got "${String(v)}")`);
  return n;
}

/** The provider from the options and the environment (keys never come from the command line). */
export function providerFromArgs(
  values: Record<string, unknown>,
  env: CliIO['env'],
): { config: ProviderConfig; apiKey?: string } {
  const url =
    typeof values['provider-url'] === 'string' && values['provider-url']
      ? (values['provider-url'] as string)
      : 'https://api.openai.com/v1';
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--provider-url is not a URL: ${url}`);
  }
  let kind = values.provider as ProviderKind | undefined;
  if (kind !== undefined && !['openai', 'azure', 'compatible'].includes(kind))
    throw new UsageError(`--provider must be openai, azure or compatible (got "${String(kind)}")`);
  const host = new URL(url).hostname;
  kind ??=
    /\.openai\.azure\.com$|\.services\.ai\.azure\.com$|\.cognitiveservices\.azure\.com$/.test(host) ||
    /\/openai\/v1\/?$/.test(new URL(url).pathname)
      ? 'azure'
      : host === 'api.openai.com'
        ? 'openai'
        : 'compatible';
  const apiKey = (kind === 'azure' ? env.AZURE_OPENAI_API_KEY : env.OPENAI_API_KEY) || undefined;
  if (!apiKey && kind !== 'compatible')
    throw new UsageError(
      `set ${kind === 'azure' ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY'} in the environment (keys are never taken from the command line)`,
    );
  const config: ProviderConfig = {
    id: 'cli',
    kind,
    label: kind === 'openai' ? 'OpenAI' : kind === 'azure' ? `Azure OpenAI (${host})` : url,
    baseURL: url,
    auth: apiKey ? 'apiKey' : 'none',
    ...(kind === 'openai' && env.OPENAI_ORG_ID ? { organization: env.OPENAI_ORG_ID } : {}),
    ...(kind === 'openai' && env.OPENAI_PROJECT_ID ? { project: env.OPENAI_PROJECT_ID } : {}),
  };
  return { config, apiKey };
}

function when(unix: number | null | undefined): string {
  return typeof unix === 'number' ? new Date(unix * 1000).toISOString().replace('.000Z', 'Z') : '-';
}

function jobLine(j: FineTuningJob): string {
  const suffix = (j as { user_provided_suffix?: string | null }).user_provided_suffix;
  return `${j.id}  ${j.status.padEnd(16)}  ${j.model}${suffix ? ` (${suffix})` : ''}  ${when(j.created_at)}${j.fine_tuned_model ? `  → ${j.fine_tuned_model}` : ''}`;
}

function eventLine(e: FineTuningJobEvent): string {
  return `${when(e.created_at)}  ${e.level.padEnd(5)}  ${e.message}`;
}

function fail(io: CliIO, e: unknown): number {
  if (e instanceof UsageError) throw e;
  const info = describeApiError(e);
  io.stderr(`rft-studio jobs: ${info.message}\n`);
  return info.status === undefined &&
    !info.retryable &&
    !(e instanceof LaunchError) &&
    (e as NodeJS.ErrnoException)?.syscall
    ? EXIT.usage
    : EXIT.problems;
}

function intervalOf(v: unknown): number {
  if (v === undefined) return 5000;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new UsageError(`--interval must be a number of seconds in (0, 3600] (got "${String(v)}")`);
  return n * 1000;
}

async function follow(
  service: JobsService,
  jobId: string,
  io: CliIO,
  reporter: Reporter,
  intervalMs: number,
  lastEventId?: string,
): Promise<FineTuningJob | undefined> {
  const poller = new JobPoller({ service, intervalMs, maxIntervalMs: Math.max(intervalMs, 60_000) });
  let final: FineTuningJob | undefined;
  try {
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      io.signal.addEventListener('abort', stop, { once: true });
      poller.onDidChange((c) => {
        if (c.type === 'events')
          for (const e of c.events)
            io.stdout(reporter === 'json' ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
        else if (c.type === 'error')
          io.stderr(
            `rft-studio jobs: ${c.error.message} (retrying in ${Math.round(c.retryInMs / 1000)} s)\n`,
          );
        else if (c.type === 'job') {
          final = c.job;
          if (isTerminalStatus(c.job.status)) stop();
        }
      });
      poller.track(jobId, lastEventId ? { lastEventId } : undefined);
    });
  } finally {
    poller.dispose();
  }
  return final;
}

async function launch(
  file: string,
  values: Record<string, unknown>,
  io: CliIO,
  client: OpenAI,
  provider: ProviderConfig,
  reporter: Reporter,
  launchOptions: LaunchPipelineOptions,
): Promise<number> {
  const specPath = path.resolve(io.cwd, file);
  const text = await readInputText(specPath);
  const { spec, diagnostics } = parseJobSpec(text);
  for (const d of diagnostics)
    io.stderr(
      `${path.relative(io.cwd, specPath) || specPath}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]\n`,
    );
  if (!spec) return EXIT.problems;
  let resolved;
  try {
    resolved = await resolveJobSpec(spec, specPath, (p) => readInputText(p));
  } catch (e) {
    if (e instanceof JobSpecError) {
      io.stderr(`rft-studio jobs: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  let printed = false;
  const printReport = (report: PreflightReport) => {
    if (printed || reporter !== 'text') return;
    printed = true;
    io.stdout(`Preflight for ${path.relative(io.cwd, specPath)} on ${provider.label}:\n`);
    for (const i of report.items)
      io.stdout(
        `  ${i.level === 'error' ? '✖' : i.level === 'warning' ? '⚠' : 'ℹ'} ${i.title}\n${i.detail ? `${i.detail.replace(/^/gm, '      ')}\n` : ''}`,
      );
    if (report.estimate)
      io.stdout(`  Time: ${report.estimate.timeNote}\n  Cost: ${report.estimate.costNote}\n`);
  };
  let lastStage = '';
  const outcome = await launchFromSpec(
    resolved,
    { provider, client },
    {
      phase: (_phase, run) =>
        run({
          signal: io.signal,
          progress: (p) => {
            if (p.stage === 'preflight') return;
            if (p.stage !== lastStage || p.fraction === 1) io.stderr(`${p.message}\n`);
            lastStage = p.stage;
          },
        }),
      confirm: async (report) => {
        printReport(report);
        return !values['dry-run'];
      },
    },
    { ...launchOptions, datasetWorkers: datasetCheckWorkers() },
  );
  if (outcome.status === 'failed' && outcome.phase === 'preflight') throw outcome.error;
  if (outcome.status === 'blocked' || outcome.status === 'declined') {
    printReport(outcome.report);
    if (reporter === 'json') io.stdout(`${JSON.stringify({ preflight: outcome.report })}\n`);
    return outcome.status === 'declined' ? EXIT.ok : EXIT.problems;
  }
  if (outcome.status === 'failed') {
    if (reporter === 'json')
      io.stdout(`${JSON.stringify({ preflight: outcome.report, error: describeApiError(outcome.error) })}\n`);
    return fail(io, outcome.error);
  }
  const { job, report } = outcome;
  if (reporter === 'json' && !values.watch) io.stdout(`${JSON.stringify({ preflight: report, job })}\n`);
  else if (reporter === 'text') io.stdout(`Launched ${job.id} (${job.status}).\n`);
  if (!values.watch) return EXIT.ok;
  const final = await follow(new JobsService(client), job.id, io, reporter, intervalOf(values.interval));
  if (!final) return EXIT.problems;
  if (reporter === 'text')
    io.stdout(`${jobLine(final)}\n${final.error ? `Error: ${final.error.message}\n` : ''}`);
  else io.stdout(`${JSON.stringify({ job: final })}\n`);
  return final.status === 'succeeded' ? EXIT.ok : EXIT.problems;
}

/** The command; tests pass pipeline options (a low uploads threshold, short polls). */
export function createJobsCommand(launchOptions: LaunchPipelineOptions = {}): CliCommand {
  return {
    name: 'jobs',
    summary: 'launch a job from a *.rftjob.json spec; list, follow, pause, resume, cancel jobs',
    usage: USAGE,
    allowPositionals: true,
    options: {
      'provider-url': { type: 'string' },
      provider: { type: 'string' },
      'dry-run': { type: 'boolean' },
      watch: { type: 'boolean' },
      follow: { type: 'boolean' },
      limit: { type: 'string' },
      interval: { type: 'string' },
      reporter: { type: 'string' },
    },
    async run({ values, positionals }, io) {
      const [sub, arg, ...extra] = positionals;
      const reporter = reporterOf(values.reporter);
      intervalOf(values.interval);
      if (!sub)
        throw new UsageError('name a subcommand: launch, list, status, events, pause, resume or cancel');
      if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
      const needsArg = ['launch', 'status', 'events', 'pause', 'resume', 'cancel'];
      if (!needsArg.includes(sub) && sub !== 'list') throw new UsageError(`unknown subcommand "${sub}"`);
      if (needsArg.includes(sub) && !arg)
        throw new UsageError(sub === 'launch' ? 'name the job spec file (*.rftjob.json)' : 'name the job id');
      // The spec is checked before the provider: a folder, a FIFO or a missing file is the first thing said.
      if (sub === 'launch') await checkInputFile(path.resolve(io.cwd, arg!));
      const { config, apiKey } = providerFromArgs(values, io.env);
      const client = createClient(config, { apiKey });
      const service = new JobsService(client);
      try {
        switch (sub) {
          case 'launch':
            return await launch(arg!, values, io, client, config, reporter, launchOptions);
          case 'list': {
            const { jobs, hasMore } = await service.list({ limit: limitOf(values.limit), signal: io.signal });
            if (reporter === 'json') io.stdout(`${JSON.stringify({ jobs, has_more: hasMore })}\n`);
            else
              io.stdout(
                jobs.length
                  ? `${jobs.map(jobLine).join('\n')}\n${hasMore ? '(more: raise --limit)\n' : ''}`
                  : 'No fine-tuning jobs.\n',
              );
            return EXIT.ok;
          }
          case 'status': {
            const job = await service.retrieve(arg!, io.signal);
            const { events } = await service.eventsSince(arg!, undefined, io.signal);
            const series = parseMetricsEvents(events);
            const last = series.points.at(-1);
            const lastValid = [...series.points].reverse().find((p) => p.validRewardMean !== undefined);
            if (reporter === 'json') io.stdout(`${JSON.stringify(statusReportOf(job, series))}\n`);
            else {
              io.stdout(`${jobLine(job)}\n`);
              if (last)
                io.stdout(
                  `  step ${last.step}/${series.totalSteps ?? '?'}  train reward ${last.trainRewardMean?.toFixed(3) ?? '-'}  validation reward ${lastValid?.validRewardMean?.toFixed(3) ?? '-'}${lastValid && lastValid !== last ? ` (step ${lastValid.step})` : ''}\n`,
                );
              if (job.estimated_finish) io.stdout(`  estimated finish ${when(job.estimated_finish)}\n`);
              if (job.error)
                io.stdout(`  error: ${job.error.message}${job.error.param ? ` (${job.error.param})` : ''}\n`);
            }
            return EXIT.ok;
          }
          case 'events': {
            const limit = limitOf(values.limit);
            const { events, latestId } = await service.eventsSince(arg!, undefined, io.signal);
            const shown = events.slice(-limit);
            for (const e of shown)
              io.stdout(reporter === 'json' ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
            if (values.follow) {
              const final = await follow(service, arg!, io, reporter, intervalOf(values.interval), latestId);
              return final && final.status !== 'failed' ? EXIT.ok : EXIT.problems;
            }
            return EXIT.ok;
          }
          default: {
            const job =
              sub === 'pause'
                ? await service.pause(arg!)
                : sub === 'resume'
                  ? await service.resume(arg!)
                  : await service.cancel(arg!);
            io.stdout(reporter === 'json' ? `${JSON.stringify({ job })}\n` : `${jobLine(job)}\n`);
            return EXIT.ok;
          }
        }
      } catch (e) {
        // A missing or unreadable input file is a usage error (exit 2), reported by runCli.
        if (e instanceof InputFileError || (e as NodeJS.ErrnoException)?.code === 'ENOENT') throw e;
        return fail(io, e);
      }
    },
  };
}

export const jobsCommand: CliCommand = createJobsCommand();
