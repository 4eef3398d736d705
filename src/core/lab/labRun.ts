// Runs the Grader Lab: every candidate grader over every (item, sample) pair through the local grader engine,
// streaming rows as they finish, then the analyses (learning signal, comparisons) and reward-hacking probes.
import type { GraderEngine } from '../graders/engine';
import type { SampleInput } from '../graders/sample';
import { buildSample } from '../graders/sample';
import type { Grader, GraderErrorFlags, GraderResult } from '../graders/types';
import { compareGraders, histogram, learningSignal, mean, spreadPerItem } from './analysis';
import { buildProbes, collectLabels } from './probes';
import type { GraderAnalysis, LabAnalysis, LabComparison, LabRow, ProbeResult } from './types';

export type { GraderAnalysis, LabAnalysis, LabComparison, LabRow, ProbeResult } from './types';

export interface LabItem {
  /** 0-based line in the dataset. */
  line: number;
  key: string;
  item: Record<string, unknown>;
}

export interface LabSample {
  itemIndex: number;
  /** 0-based position among the samples of its item. */
  sampleIndex: number;
  input: SampleInput;
}

export interface LabGrader {
  /** Stable id (the grader file path). */
  id: string;
  label: string;
  grader: Grader;
}

export const OUTPUT_PREVIEW = 2000;

/** The key an item is known by: its `id` field when present, else its 1-based line. */
export function itemKeyOf(item: Record<string, unknown>, line: number): string {
  return typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : `line ${line + 1}`;
}

export function raisedErrors(flags: GraderErrorFlags): string[] {
  return Object.entries(flags)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}

function outputText(input: SampleInput): string {
  if (typeof input === 'string') return input;
  if (typeof input.output_text === 'string') return input.output_text;
  if (input.output_json !== undefined) return JSON.stringify(input.output_json);
  if (input.output_tools) return JSON.stringify(input.output_tools);
  return JSON.stringify(input.choices ?? '');
}

export function toLabRow(
  g: LabGrader,
  item: LabItem,
  itemIndex: number,
  s: LabSample,
  r: GraderResult,
): LabRow {
  const errors = raisedErrors(r.metadata.errors);
  const details =
    r.metadata.errors.python_grader_runtime_error_details ??
    r.metadata.errors.model_grader_server_error_details;
  const text = outputText(s.input);
  return {
    graderId: g.id,
    itemIndex,
    itemKey: item.key,
    line: item.line,
    sampleIndex: s.sampleIndex,
    output: text.length > OUTPUT_PREVIEW ? `${text.slice(0, OUTPUT_PREVIEW)}…` : text,
    reward: r.reward,
    subRewards: r.sub_rewards,
    errors,
    traceback: details ?? null,
    executionMs: Math.round(r.metadata.execution_time * 1000 * 100) / 100,
  };
}

export interface LabRunOptions {
  responseFormat?: unknown;
  signal?: AbortSignal;
  /** Called with rows as they finish (in small batches). */
  onRows?: (rows: LabRow[]) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Grades every sample with every grader. Rows come back grouped by grader, in sample order. */
export async function runLab(
  engine: GraderEngine,
  items: readonly LabItem[],
  samples: readonly LabSample[],
  graders: readonly LabGrader[],
  opts: LabRunOptions = {},
): Promise<LabRow[]> {
  const total = samples.length * graders.length;
  let done = 0;
  const out: LabRow[] = [];
  const built = samples.map((s) => buildSample(s.input, { responseFormat: opts.responseFormat }));
  for (const g of graders) {
    if (opts.signal?.aborted) break;
    const rows: LabRow[] = new Array(samples.length);
    let pending: LabRow[] = [];
    let lastFlush = Date.now();
    await engine.gradeMany(
      g.grader,
      samples.map((s, i) => ({ item: items[s.itemIndex].item, sample: built[i] })),
      {
        signal: opts.signal,
        onResult: (i, r) => {
          const s = samples[i];
          const row = toLabRow(g, items[s.itemIndex], s.itemIndex, s, r);
          rows[i] = row;
          pending.push(row);
          done++;
          if (pending.length >= 50 || Date.now() - lastFlush > 100) {
            opts.onRows?.(pending);
            opts.onProgress?.(done, total);
            pending = [];
            lastFlush = Date.now();
          }
        },
      },
    );
    if (pending.length) opts.onRows?.(pending);
    opts.onProgress?.(done, total);
    out.push(...rows.filter(Boolean));
  }
  return out;
}

export function analyzeLab(
  rows: readonly LabRow[],
  graders: readonly Pick<LabGrader, 'id' | 'label'>[],
  threshold = 0.5,
): LabAnalysis {
  const byGrader = new Map<string, LabRow[]>();
  for (const g of graders) byGrader.set(g.id, []);
  for (const r of rows) byGrader.get(r.graderId)?.push(r);
  const analyses: GraderAnalysis[] = graders.map((g) => {
    const rs = byGrader.get(g.id) ?? [];
    const graded = rs.map((r) => ({ itemKey: r.itemKey, reward: r.reward, error: r.errors.length > 0 }));
    const subKeys = [...new Set(rs.flatMap((r) => Object.keys(r.subRewards)))];
    return {
      graderId: g.id,
      label: g.label,
      histogram: histogram(rs.map((r) => r.reward)),
      signal: learningSignal(graded),
      spreads: spreadPerItem(graded),
      subRewardMeans: Object.fromEntries(
        subKeys.map((k) => [k, mean(rs.map((r) => r.subRewards[k]).filter((v) => typeof v === 'number'))]),
      ),
    };
  });
  const comparisons: LabComparison[] = [];
  for (let i = 0; i < graders.length; i++) {
    for (let j = i + 1; j < graders.length; j++) {
      const key = (r: LabRow) => `${r.itemIndex}:${r.sampleIndex}`;
      const bRows = new Map((byGrader.get(graders[j].id) ?? []).map((r) => [key(r), r]));
      const aligned = (byGrader.get(graders[i].id) ?? []).filter((r) => bRows.has(key(r)));
      const a = aligned.map((r) => r.reward);
      const b = aligned.map((r) => bRows.get(key(r))!.reward);
      const c = compareGraders(a, b, threshold);
      comparisons.push({
        ...c,
        a: graders[i].id,
        b: graders[j].id,
        rows: c.largestDisagreements.map((d) => {
          const r = aligned[d.index];
          return {
            itemKey: r.itemKey,
            line: r.line,
            sampleIndex: r.sampleIndex,
            output: r.output.slice(0, 300),
            a: d.a,
            b: d.b,
          };
        }),
      });
    }
  }
  return { graders: analyses, comparisons };
}

/** Grades the reward-hacking probes for up to `maxItems` items with every grader. */
export async function runProbes(
  engine: GraderEngine,
  items: readonly LabItem[],
  graders: readonly LabGrader[],
  opts: {
    responseFormat?: unknown;
    maxItems?: number;
    signal?: AbortSignal;
    baselines?: Record<string, number>;
  } = {},
): Promise<ProbeResult[]> {
  const probed = items.slice(0, opts.maxItems ?? 10);
  if (!probed.length) return [];
  const labels = collectLabels(
    items.map((x) => x.item),
    opts.responseFormat,
  );
  const perItem = probed.map((x) => buildProbes(x.item, { labels, responseFormat: opts.responseFormat }));
  const probeIds = perItem[0].map((p) => p.id);
  const results: ProbeResult[] = [];
  for (const g of graders) {
    for (const id of probeIds) {
      if (opts.signal?.aborted) return results;
      const rows = probed.map((x, i) => {
        const p = perItem[i].find((q) => q.id === id)!;
        return { item: x.item, sample: buildSample(p.outputText, { responseFormat: opts.responseFormat }) };
      });
      const rs = await engine.gradeMany(g.grader, rows, { signal: opts.signal });
      const meanReward = mean(rs.map((r) => r.reward));
      const baseline = opts.baselines?.[g.id] ?? NaN;
      const probe = perItem[0].find((q) => q.id === id)!;
      results.push({
        graderId: g.id,
        probe: id,
        title: probe.title,
        description: probe.description,
        meanReward,
        baseline,
        exploitable: meanReward >= 0.2 && (Number.isNaN(baseline) || meanReward >= baseline * 0.5),
        items: probed.length,
      });
    }
  }
  return results;
}
