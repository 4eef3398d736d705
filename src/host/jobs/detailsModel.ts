// Pure mapping from core's metrics series, events and checkpoints to the rows and chart lines the Jobs tree and
// the job details webview show. No vscode import: these are plain functions over plain data.
import type { FineTuningJobCheckpoint, FineTuningJobEvent } from '../../core/jobs/jobsService';
import type { MetricsPoint, MetricsSeries } from '../../core/jobs/metrics';
import type { ChartData, CheckpointRow, EventRow, SeriesLine } from '../../shared/jobDetailsProtocol';

function line(
  label: string,
  role: SeriesLine['role'],
  points: MetricsPoint[],
  pick: (p: MetricsPoint) => number | undefined,
): SeriesLine {
  const out: Array<[number, number]> = [];
  for (const p of points) {
    const v = pick(p);
    if (typeof v === 'number' && Number.isFinite(v)) out.push([p.step, v]);
  }
  return { label, role, points: out };
}

function nonEmpty(lines: SeriesLine[]): SeriesLine[] {
  const kept = lines.filter((l) => l.points.length > 0);
  // Keep at least the first line so an empty chart still has a legend entry explaining what will appear.
  return kept.length ? kept : lines.slice(0, 1);
}

export function chartsFromSeries(series: MetricsSeries): ChartData[] {
  return chartList(series).map((c) => ({
    ...c,
    xMax: series.totalSteps ?? series.points.at(-1)?.totalSteps,
  }));
}

function chartList(series: MetricsSeries): ChartData[] {
  const pts = series.points;
  const graderLines: SeriesLine[] = [];
  for (const name of series.graderNames) {
    graderLines.push(line(`${name} (train)`, 'train', pts, (p) => p.graders[name]?.train));
    graderLines.push(line(`${name} (valid)`, 'valid', pts, (p) => p.graders[name]?.valid));
  }
  return [
    {
      id: 'reward',
      title: 'Reward',
      yLabel: 'mean reward',
      lines: [
        line('train reward', 'train', pts, (p) => p.trainRewardMean),
        line('validation reward', 'valid', pts, (p) => p.validRewardMean),
      ],
    },
    {
      id: 'graders',
      title: 'Per-grader reward',
      yLabel: 'mean reward',
      lines: graderLines.length
        ? nonEmpty(graderLines)
        : [{ label: 'no per-grader scores reported', role: 'other', points: [] }],
    },
    {
      id: 'errors',
      title: 'Parse errors and invalid variables',
      yLabel: 'rate',
      yMin: 0,
      lines: nonEmpty([
        line('parse errors (train)', 'train', pts, (p) => p.trainParseErrorRate),
        line('parse errors (valid)', 'valid', pts, (p) => p.validParseErrorRate),
        line('invalid variables (train)', 'other', pts, (p) => p.trainInvalidVariableRate),
        line('invalid variables (valid)', 'other', pts, (p) => p.validInvalidVariableRate),
      ]),
    },
    {
      id: 'reasoning',
      title: 'Reasoning tokens',
      yLabel: 'tokens per sample',
      yMin: 0,
      lines: nonEmpty([
        line('train', 'train', pts, (p) => p.trainReasoningTokensMean),
        line('validation', 'valid', pts, (p) => p.validReasoningTokensMean),
      ]),
    },
    {
      id: 'timing',
      title: 'Step timing',
      yLabel: 'seconds',
      yMin: 0,
      lines: nonEmpty([
        line('full iteration', 'other', pts, (p) => p.timing.fullIteration),
        line('sampling', 'other', pts, (p) => p.timing.sampling),
        line('training', 'other', pts, (p) => p.timing.training),
        line('eval', 'other', pts, (p) => p.timing.eval),
      ]),
    },
  ];
}

export function eventRow(e: FineTuningJobEvent): EventRow {
  const raw = e as unknown as Record<string, unknown>;
  return {
    id: String(e.id),
    createdAt: typeof e.created_at === 'number' ? e.created_at : 0,
    level: typeof e.level === 'string' ? e.level : 'info',
    type: typeof raw.type === 'string' ? raw.type : 'message',
    message: typeof e.message === 'string' ? e.message : '',
  };
}

export function checkpointRow(c: FineTuningJobCheckpoint): CheckpointRow {
  const metrics: Array<[string, number]> = [];
  const m = (c as unknown as { metrics?: unknown }).metrics;
  if (m && typeof m === 'object') {
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isFinite(v) && k !== 'step') metrics.push([k, v]);
    }
  }
  return {
    id: String(c.id),
    step: typeof c.step_number === 'number' ? c.step_number : 0,
    createdAt: typeof c.created_at === 'number' ? c.created_at : 0,
    model: typeof c.fine_tuned_model_checkpoint === 'string' ? c.fine_tuned_model_checkpoint : '',
    metrics,
  };
}
