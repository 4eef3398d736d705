// A job's status with its latest training metrics, in one JSON shape: `rft-studio jobs status --reporter json`
// and the agent tools (VS Code language-model tools, the MCP server) print exactly this.
import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import type { JobsService } from './jobsService';
import { parseMetricsEvents, type MetricsSeries } from './metrics';

export interface JobStatusReport {
  job: FineTuningJob;
  metrics: {
    steps: number;
    total_steps: number | undefined;
    latest: ReturnType<typeof parseMetricsEvents>['points'][number] | undefined;
  };
}

/** The report of a job and its parsed metrics series. */
export function statusReportOf(job: FineTuningJob, series: MetricsSeries): JobStatusReport {
  return {
    job,
    metrics: { steps: series.points.length, total_steps: series.totalSteps, latest: series.points.at(-1) },
  };
}

export async function jobStatusReport(
  service: JobsService,
  id: string,
  signal?: AbortSignal,
): Promise<JobStatusReport> {
  const job = await service.retrieve(id, signal);
  const { events } = await service.eventsSince(id, undefined, signal);
  return statusReportOf(job, parseMetricsEvents(events));
}
