// The comparison view's model (issue #13 item 4): two candidates, from one run folder or two saved runs, paired per
// item — per-item table, headline statistics, per-grader and per-label breakdowns, pass rate at a threshold,
// the items that changed most with both outputs, filters, and CSV/JSONL export. vscode-free; the panel and the
// webview only display what this computes.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readJsonlLines } from '../datasets/jsonlReader';
import { csvCell } from '../lab/export';
import type {
  CompareBreakdownRow,
  CompareCandidateView,
  CompareFilter,
  CompareItemRow,
  CompareQuery,
  CompareSampleView,
  CompareSort,
  CompareViewData,
  Outcome,
} from './compareTypes';
import { BOOTSTRAP_SEED, passRate, winTieLoss } from './stats';
import type { ReportCandidate, RunCandidate, RunData } from './report';
import { EvalReportError, buildReport, itemMeans, readRun, runNotes } from './report';
import type { EvalCandidateSummary, EvalReport, EvalResultRow } from './types';

export type * from './compareTypes';
export { OUTCOMES, SORTS } from './compareTypes';

// ───────────────────────────── loaded data ─────────────────────────────

/** One sample of one item as the view keeps it. */
export interface CompareSample {
  sample: number;
  reward: number | null;
  output: string;
  /** The sample failed (no reward, or an error flagged): counted in `errors`. */
  failed: boolean;
  error?: string;
  graders: Record<string, number>;
}

/** One candidate of one run folder, as read from disk. */
export interface CompareSideData {
  run: string;
  runName: string;
  candidate: string;
  model: string;
  /** Pairing key → the item's samples (pairing key: the item slot within one run, the item key across runs). */
  items: Map<string, { itemKey: string; line: number; samples: CompareSample[] }>;
  /** The candidate as report.ts reads it, labelled with its display name: the headline numbers come from it. */
  report: ReportCandidate;
}

export interface CompareModel {
  a: CompareSideData;
  b: CompareSideData;
  /** Display names of the two sides: the candidate labels, with the run name when they would be ambiguous. */
  names: [string, string];
  /** Two runs pair items by item key, one run by item index (as `eval compare` does). */
  byItemKey: boolean;
  /** Dataset file of side a's run (absolute), for revealing an item's line; undefined when unknown. */
  dataset?: string;
  labelField?: string;
  /** Pairing key → the item's labels (from the dataset's label field). */
  labels: Map<string, string[]>;
  defaultThreshold: number;
  graders: string[];
  /** Problems worth showing (skipped lines, a dataset that could not be read for labels). */
  warnings: string[];
  seed: number;
}

export const OUTPUT_VIEW_CHARS = 4000;
/** Slack of the min-|difference| filter, so a typed 0.2 keeps a difference computed as 0.19999999999999998. */
export const FILTER_SLACK = 1e-9;

// ───────────────────────────── loading ─────────────────────────────

export interface CompareSource {
  /** One run folder (two of its candidates) or two run folders (one candidate of each). */
  runs: [string] | [string, string];
  /** Candidate labels [a, b]. Default for one run: [last, first] (e.g. tuned vs base); for two runs: the last
   * candidate of a (e.g. tuned) and the same label in b, else b's last. */
  candidates?: [string, string];
}

export interface CompareLoadOptions {
  seed?: number;
  signal?: AbortSignal;
}

/** Loading failed for a reason the user can act on (missing folder, unknown candidate…). */
export class CompareError extends Error {}

async function readRunOrExplain(dir: string, signal?: AbortSignal): Promise<RunData> {
  try {
    return await readRun(dir, { signal });
  } catch (e) {
    if (e instanceof EvalReportError) throw new CompareError(e.message);
    throw e;
  }
}

/** Where the report keeps an item of a run (its index, else its key): the same slot report.ts uses. */
function slotOf(row: EvalResultRow): string | undefined {
  if (typeof row.item === 'number') return `#${row.item}`;
  return typeof row.item_key === 'string' ? row.item_key : undefined;
}

type Outputs = Map<string, Map<string, Map<number, { output: string; error?: string }>>>;

/** The outputs (and error messages) of the wanted candidates' samples: report.ts keeps only the numbers. */
async function readOutputs(dir: string, wanted: ReadonlySet<string>, signal?: AbortSignal): Promise<Outputs> {
  const out: Outputs = new Map([...wanted].map((label) => [label, new Map()]));
  for await (const { text } of readJsonlLines(path.join(dir, 'results.jsonl'), { signal })) {
    if (!text.trim()) continue;
    let row: EvalResultRow;
    try {
      row = JSON.parse(text) as EvalResultRow;
    } catch {
      continue;
    }
    const byItem = typeof row?.candidate === 'string' ? out.get(row.candidate) : undefined;
    const slot = byItem && slotOf(row);
    if (!byItem || slot === undefined || typeof row.sample !== 'number') continue;
    let samples = byItem.get(slot);
    if (!samples) byItem.set(slot, (samples = new Map()));
    samples.set(row.sample, {
      output: typeof row.output === 'string' ? row.output : '',
      error: typeof row.error?.message === 'string' ? row.error.message : undefined,
    });
  }
  return out;
}

/** One candidate as the view keeps it: report.ts's aggregates with the outputs beside them, in report order. */
function sideOf(
  run: RunData,
  candidate: RunCandidate,
  name: string,
  outputs: Outputs,
  byItemKey: boolean,
): CompareSideData {
  const texts = outputs.get(candidate.label);
  const items: CompareSideData['items'] = new Map();
  // itemMeans' order (item index in one run, item key across runs): the order the report resamples in.
  const order = [...itemMeans(candidate, undefined, byItemKey).keys()];
  const bySlot = new Map(
    [...candidate.items].map(([slot, agg]) => [byItemKey ? agg.key : slot, { slot, agg }]),
  );
  const ordered = new Set(order);
  const keys = [...order, ...[...bySlot.keys()].filter((k) => !ordered.has(k))];
  for (const key of keys) {
    const { slot, agg } = bySlot.get(key)!;
    const samples = [...agg.samples]
      .sort(([x], [y]) => x - y)
      .map(([sample, s]) => ({
        sample,
        reward: s.reward,
        graders: s.graders,
        failed: s.error,
        output: texts?.get(slot)?.get(sample)?.output ?? '',
        error: texts?.get(slot)?.get(sample)?.error,
      }));
    items.set(key, { itemKey: agg.key, line: agg.line, samples });
  }
  return {
    run: run.dir,
    runName: path.basename(path.resolve(run.dir)),
    candidate: candidate.label,
    model: candidate.model,
    items,
    report: { ...candidate, run, label: name },
  };
}

/** Display names: the labels, or `label@folder` (as `eval compare` names them) when both sides share one. */
function displayNames(a: RunData, ca: string, b: RunData, cb: string): [string, string] {
  if (ca !== cb) return [ca, cb];
  let nameA = path.basename(path.resolve(a.dir));
  let nameB = path.basename(path.resolve(b.dir));
  if (nameA === nameB) [nameA, nameB] = ['1', '2'];
  return [`${ca}@${nameA}`, `${cb}@${nameB}`];
}

/** Reads one or two run folders into a comparison model. Throws CompareError with a message for the user. */
export async function loadComparison(
  source: CompareSource,
  opts: CompareLoadOptions = {},
): Promise<CompareModel> {
  const runA = await readRunOrExplain(source.runs[0], opts.signal);
  const twoRuns = source.runs[1] !== undefined;
  const runB = twoRuns ? await readRunOrExplain(source.runs[1]!, opts.signal) : runA;
  const labelsA = runA.candidates.map((c) => c.label);
  const labelsB = runB.candidates.map((c) => c.label);
  let [ca, cb] = source.candidates ?? [undefined, undefined];
  if (!twoRuns) {
    if (labelsA.length < 2 && !source.candidates)
      throw new CompareError(`${runA.dir} has only one candidate: pick a second run to compare with.`);
    ca ??= labelsA[labelsA.length - 1];
    cb ??= labelsA[0];
    if (ca === cb) throw new CompareError('Pick two different candidates to compare.');
  } else {
    ca ??= labelsA[labelsA.length - 1];
    cb ??= labelsB.includes(ca!) ? ca : labelsB[labelsB.length - 1];
  }
  const has = (run: RunData, labels: string[], label: string | undefined): label is string => {
    if (label !== undefined && labels.includes(label)) return true;
    throw new CompareError(
      labels.length
        ? `${run.dir} has no candidate "${label}" (it has ${labels.join(', ')}).`
        : `${run.dir} has no results yet.`,
    );
  };
  if (!has(runA, labelsA, ca) || !has(runB, labelsB, cb)) throw new CompareError('unreachable');
  const names = displayNames(runA, ca, runB, cb);
  const outputsA = await readOutputs(runA.dir, new Set(twoRuns ? [ca] : [ca, cb]), opts.signal);
  const outputsB = twoRuns ? await readOutputs(runB.dir, new Set([cb]), opts.signal) : outputsA;
  const a = sideOf(
    runA,
    runA.candidates.find((c) => c.label === ca)!,
    names[0],
    outputsA,
    twoRuns,
  );
  const b = sideOf(
    runB,
    runB.candidates.find((c) => c.label === cb)!,
    names[1],
    outputsB,
    twoRuns,
  );
  const spec = runA.spec;
  let dataset: string | undefined;
  if (typeof spec?.dataset === 'string') {
    const file = path.resolve(runA.dir, spec.dataset);
    if ((await fs.stat(file).catch(() => undefined))?.isFile()) dataset = file;
  }
  // Labels by pairing key, from run a's dataset lines (the report reads them, hash-checked).
  const labels = new Map<string, string[]>();
  for (const [key, item] of a.items) labels.set(key, runA.labels?.get(item.line) ?? []);
  const graders = [
    ...new Set(
      [a, b].flatMap((s) =>
        [...s.items.values()].flatMap((i) => i.samples.flatMap((x) => Object.keys(x.graders))),
      ),
    ),
  ];
  return {
    a,
    b,
    names,
    byItemKey: twoRuns,
    dataset,
    labelField: typeof spec?.label_field === 'string' && spec.label_field ? spec.label_field : undefined,
    labels,
    defaultThreshold: typeof spec?.pass_threshold === 'number' ? spec.pass_threshold : 0.5,
    graders,
    warnings: twoRuns ? [...runNotes(runA), ...runNotes(runB)] : runNotes(runA),
    seed: opts.seed ?? BOOTSTRAP_SEED,
  };
}

// ───────────────────────────── deriving the view ─────────────────────────────

function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return values.length ? s / values.length : Number.NaN;
}

/** The item's mean headline reward over its graded samples (failed samples are errors, not zeros). */
function itemMean(samples: readonly CompareSample[]): number | undefined {
  const rewards = samples.map((s) => s.reward).filter((r): r is number => r !== null);
  return rewards.length ? mean(rewards) : undefined;
}

/** A grader's mean over the item's graded samples (as report.ts's itemMean counts them). */
function graderMean(samples: readonly CompareSample[], grader: string): number | undefined {
  const rewards = samples
    .map((s) => (s.reward === null ? undefined : s.graders[grader]))
    .filter((r): r is number => r !== undefined);
  return rewards.length ? mean(rewards) : undefined;
}

/** Win, tie or loss of side a, with the statistics' own tie rule (so the counts match the CLI's). */
function outcomeOf(difference: number): Outcome {
  const { wins, losses } = winTieLoss([difference]);
  return wins ? 'win' : losses ? 'loss' : 'tie';
}

/** Every paired item (both sides have a graded sample), in report order (item index; item key across runs). */
export function pairedItems(model: CompareModel): CompareItemRow[] {
  const rows: CompareItemRow[] = [];
  for (const [key, itemA] of model.a.items) {
    const itemB = model.b.items.get(key);
    if (!itemB) continue;
    const a = itemMean(itemA.samples);
    const b = itemMean(itemB.samples);
    if (a === undefined || b === undefined) continue;
    const difference = a - b;
    rows.push({
      key,
      itemKey: itemA.itemKey,
      line: itemA.line,
      labels: model.labels.get(key) ?? [],
      a,
      b,
      difference,
      outcome: outcomeOf(difference),
    });
  }
  return rows;
}

function countOutcomes(rows: readonly CompareItemRow[]): { wins: number; ties: number; losses: number } {
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const r of rows) {
    if (r.outcome === 'win') wins++;
    else if (r.outcome === 'loss') losses++;
    else ties++;
  }
  return { wins, ties, losses };
}

function breakdown(name: string, pairs: Array<[number, number]>): CompareBreakdownRow {
  const rows = pairs.map(([a, b]) => ({ outcome: outcomeOf(a - b) }) as CompareItemRow);
  const a = mean(pairs.map((p) => p[0]));
  const b = mean(pairs.map((p) => p[1]));
  return { name, items: pairs.length, a, b, difference: a - b, ...countOutcomes(rows) };
}

/** Whether an item passes the filter (text matches the key, a label or either side's outputs). */
export function matchesFilter(model: CompareModel, row: CompareItemRow, filter: CompareFilter): boolean {
  if (filter.outcome && row.outcome !== filter.outcome) return false;
  if (filter.label && !row.labels.includes(filter.label)) return false;
  if (
    filter.minAbsDifference !== undefined &&
    Math.abs(row.difference) < filter.minAbsDifference - FILTER_SLACK
  )
    return false;
  const text = filter.text?.trim().toLowerCase();
  if (text) {
    const inKey =
      row.itemKey.toLowerCase().includes(text) || row.labels.some((l) => l.toLowerCase().includes(text));
    const inOutputs = () =>
      [model.a.items.get(row.key), model.b.items.get(row.key)].some((item) =>
        item?.samples.some((s) => s.output.toLowerCase().includes(text)),
      );
    if (!inKey && !inOutputs()) return false;
  }
  return true;
}

function sortRows(rows: CompareItemRow[], sort: CompareSort): CompareItemRow[] {
  const by =
    sort === 'line'
      ? (r: CompareItemRow) => -r.line
      : sort === 'change'
        ? (r: CompareItemRow) => Math.abs(r.difference)
        : (r: CompareItemRow) => r.difference;
  // Stable: equal values keep report order.
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => by(y.r) - by(x.r) || x.i - y.i)
    .map((x) => x.r);
}

function sampleViews(samples: readonly CompareSample[]): CompareSampleView[] {
  return samples.map((s) => ({
    sample: s.sample,
    reward: s.reward,
    output: s.output.length > OUTPUT_VIEW_CHARS ? s.output.slice(0, OUTPUT_VIEW_CHARS) : s.output,
    truncated: s.output.length > OUTPUT_VIEW_CHARS,
    error: s.error,
  }));
}

/** Share of the side's graded samples at or above the threshold (report.ts's pass_rate, for any threshold). */
function passRateAt(side: CompareSideData, threshold: number): number {
  const graded: number[] = [];
  for (const item of side.items.values())
    for (const s of item.samples) if (s.reward !== null) graded.push(s.reward);
  return passRate(graded, threshold);
}

const headlines = new WeakMap<CompareModel, EvalReport>();

/**
 * The report of the two sides, computed once per model: its bootstrap intervals are the expensive part, and
 * neither they nor the p-values depend on the threshold, filters or order the view changes.
 */
function headlineOf(model: CompareModel): EvalReport {
  let report = headlines.get(model);
  if (!report) {
    report = buildReport([model.a.report, model.b.report], {
      pairs: [[model.names[0], model.names[1]]],
      passThreshold: model.defaultThreshold,
      byItemKey: model.byItemKey,
      seed: model.seed,
    });
    headlines.set(model, report);
  }
  return report;
}

function candidateView(
  side: CompareSideData,
  summary: EvalCandidateSummary,
  threshold: number,
): CompareCandidateView {
  return {
    name: summary.label,
    label: side.candidate,
    model: side.model,
    run: side.run,
    runName: side.runName,
    mean: summary.mean,
    ci: summary.ci,
    items: itemMeans(side.report).size,
    samples: summary.samples,
    errors: summary.errors,
    passRate: passRateAt(side, threshold),
  };
}

/** Everything the view shows for one threshold, filter and order. */
export function compareView(model: CompareModel, query: CompareQuery): CompareViewData {
  const paired = pairedItems(model);
  // The headline is the report's (`eval compare` prints the same numbers); pass rates follow the view's threshold.
  const report = headlineOf(model);
  const pair = report.comparisons[0];
  const graders = model.graders.map((g) => {
    const pairs: Array<[number, number]> = [];
    for (const r of paired) {
      const a = graderMean(model.a.items.get(r.key)!.samples, g);
      const b = graderMean(model.b.items.get(r.key)!.samples, g);
      if (a !== undefined && b !== undefined) pairs.push([a, b]);
    }
    return breakdown(g, pairs);
  });
  const allLabels = [...new Set(paired.flatMap((r) => r.labels))].sort((x, y) => x.localeCompare(y));
  const labels = allLabels.map((label) =>
    breakdown(
      label,
      paired.filter((r) => r.labels.includes(label)).map((r) => [r.a, r.b]),
    ),
  );
  const keysA = new Set(model.a.items.keys());
  const keysB = new Set(model.b.items.keys());
  const unpaired =
    [...keysA].filter((k) => !keysB.has(k)).length + [...keysB].filter((k) => !keysA.has(k)).length;
  const matching = paired.filter((r) => matchesFilter(model, r, query.filter));
  const sorted = sortRows([...matching], query.sort ?? 'change');
  const mostChanged = sortRows([...matching], 'change')
    .filter((r) => r.outcome !== 'tie')
    .slice(0, query.mostChanged ?? 10)
    .map((r) => ({
      ...r,
      outputs: [
        sampleViews(model.a.items.get(r.key)!.samples),
        sampleViews(model.b.items.get(r.key)!.samples),
      ] as [CompareSampleView[], CompareSampleView[]],
    }));
  return {
    names: model.names,
    candidates: [
      candidateView(model.a, report.candidates[0], query.threshold),
      candidateView(model.b, report.candidates[1], query.threshold),
    ],
    paired: {
      items: pair.items,
      difference: pair.difference,
      ci: pair.ci,
      wilcoxonP: pair.p_value,
      signTestP: pair.sign_test_p_value,
      wins: pair.wins,
      ties: pair.ties,
      losses: pair.losses,
    },
    threshold: query.threshold,
    graders,
    labelField: model.labelField,
    labels,
    unpaired,
    matching: matching.length,
    rows: sorted.slice(0, query.rowLimit ?? 500),
    mostChanged,
    allLabels,
    dataset: model.dataset,
    warnings: model.warnings,
  };
}

// ───────────────────────────── export ─────────────────────────────

/** The items matching the filter, in the chosen order, with every sample (nothing truncated). */
function exportRows(model: CompareModel, query: CompareQuery): CompareItemRow[] {
  return sortRows(
    pairedItems(model).filter((r) => matchesFilter(model, r, query.filter)),
    query.sort ?? 'line',
  );
}

/** One line per item: its means, difference, outcome, labels, and both sides' samples. */
export function comparisonToJsonl(model: CompareModel, query: CompareQuery): string {
  const [na, nb] = model.names;
  const lines = exportRows(model, query).map((r) => {
    const side = (s: CompareSideData, name: string, value: number) => ({
      name,
      candidate: s.candidate,
      model: s.model,
      run: s.run,
      mean: value,
      samples: s.items.get(r.key)!.samples.map((x) => ({
        sample: x.sample,
        reward: x.reward,
        graders: x.graders,
        output: x.output,
        ...(x.error ? { error: x.error } : {}),
      })),
    });
    return JSON.stringify({
      item: r.itemKey,
      line: r.line,
      labels: r.labels,
      difference: r.difference,
      outcome: r.outcome,
      a: side(model.a, na, r.a),
      b: side(model.b, nb, r.b),
    });
  });
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** RFC 4180 CSV, one record per item; outputs are the first sample's (the JSONL export has every sample). */
export function comparisonToCsv(model: CompareModel, query: CompareQuery): string {
  const [na, nb] = model.names;
  const header = [
    'item',
    'line',
    'labels',
    `mean ${na}`,
    `mean ${nb}`,
    'difference',
    'outcome',
    ...model.graders.flatMap((g) => [`${g} ${na}`, `${g} ${nb}`]),
    `output ${na}`,
    `output ${nb}`,
  ];
  const records = [header.map(csvCell).join(',')];
  for (const r of exportRows(model, query)) {
    const sa = model.a.items.get(r.key)!.samples;
    const sb = model.b.items.get(r.key)!.samples;
    records.push(
      [
        r.itemKey,
        r.line,
        r.labels.join(';'),
        r.a,
        r.b,
        r.difference,
        r.outcome,
        ...model.graders.flatMap((g) => [graderMean(sa, g), graderMean(sb, g)]),
        sa[0]?.output ?? '',
        sb[0]?.output ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${records.join('\r\n')}\r\n`;
}
