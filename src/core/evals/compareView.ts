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
import {
  BOOTSTRAP_SEED,
  meanWithCI,
  pairedComparison,
  passRate as shareAtOrAbove,
  winTieLoss,
} from './stats';
import type { EvalResultRow, EvalRunManifest, EvalSpecFile } from './types';

export type * from './compareTypes';
export { OUTCOMES, SORTS } from './compareTypes';

// ───────────────────────────── loaded data ─────────────────────────────

/** One sample of one item as the view keeps it. */
export interface CompareSample {
  sample: number;
  reward: number | null;
  output: string;
  error?: string;
  graders: Record<string, number>;
}

/** One candidate of one run folder, as read from disk. */
export interface CompareSideData {
  run: string;
  runName: string;
  candidate: string;
  model: string;
  /** Pairing key → the item's samples (pairing key: the item index within one run, the item key across runs). */
  items: Map<string, { itemKey: string; line: number; samples: CompareSample[] }>;
  /** results.jsonl lines that were not result rows (a run killed mid-line, hand edits). */
  skippedLines: number;
}

export interface CompareModel {
  a: CompareSideData;
  b: CompareSideData;
  /** Display names of the two sides: the candidate labels, with the run name when they would be ambiguous. */
  names: [string, string];
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
  /** Candidate labels [a, b]. Default for one run: [last, first] (e.g. tuned vs base); for two runs: the first
   * candidate of each, or the same label in both when run b has it. */
  candidates?: [string, string];
}

export interface CompareLoadOptions {
  /** Folder that relative paths in run.json/spec.json are resolved against after the run folder (the workspace). */
  root?: string;
  seed?: number;
  signal?: AbortSignal;
}

/** A run folder as the loader reads it: its manifest (when present) and its resolved spec. */
export interface RunFolderInfo {
  dir: string;
  name: string;
  manifest?: EvalRunManifest;
  spec: EvalSpecFile;
}

/** Loading failed for a reason the user can act on (missing folder, unknown candidate…). */
export class CompareError extends Error {}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new CompareError(`${file} could not be read: is this an eval run folder?`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CompareError(`${file} is not valid JSON (${(e as Error).message}).`);
  }
}

export async function readRunFolder(dir: string): Promise<RunFolderInfo> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new CompareError(`${dir} is not an eval run folder (no such directory).`);
  const spec = (await readJson(path.join(dir, 'spec.json'))) as EvalSpecFile;
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.candidates))
    throw new CompareError(`${path.join(dir, 'spec.json')} has no candidates: is this an eval run folder?`);
  let manifest: EvalRunManifest | undefined;
  try {
    manifest = (await readJson(path.join(dir, 'run.json'))) as EvalRunManifest;
  } catch {
    manifest = undefined;
  }
  return { dir, name: manifest?.name ?? spec.name ?? path.basename(dir), manifest, spec };
}

function candidateLabels(info: RunFolderInfo): string[] {
  return info.spec.candidates.map((c) => c.label);
}

function isResultRow(v: unknown): v is EvalResultRow {
  const r = v as EvalResultRow;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.item) &&
    typeof r.candidate === 'string' &&
    Number.isSafeInteger(r.sample) &&
    (r.reward === null || (typeof r.reward === 'number' && Number.isFinite(r.reward)))
  );
}

/** Streams results.jsonl once and keeps the rows of the wanted candidates, paired by `pairBy`. */
async function readSides(
  info: RunFolderInfo,
  wanted: string[],
  pairBy: 'item' | 'itemKey',
  signal?: AbortSignal,
): Promise<Map<string, CompareSideData>> {
  const sides = new Map<string, CompareSideData>();
  for (const label of wanted) {
    const model = info.spec.candidates.find((c) => c.label === label)?.model ?? '';
    sides.set(label, {
      run: info.dir,
      runName: info.name,
      candidate: label,
      model,
      items: new Map(),
      skippedLines: 0,
    });
  }
  const file = path.join(info.dir, 'results.jsonl');
  const exists = await fs.stat(file).catch(() => undefined);
  if (!exists?.isFile()) throw new CompareError(`${file} is missing: the run has no results yet.`);
  let skipped = 0;
  for await (const { text } of readJsonlLines(file, { signal })) {
    if (!text.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      skipped++;
      continue;
    }
    if (!isResultRow(row)) {
      skipped++;
      continue;
    }
    const side = sides.get(row.candidate);
    if (!side) continue;
    const itemKey = typeof row.item_key === 'string' ? row.item_key : `line ${row.line ?? row.item}`;
    const key = pairBy === 'item' ? String(row.item) : itemKey;
    let item = side.items.get(key);
    if (!item) {
      item = { itemKey, line: Number.isSafeInteger(row.line) ? row.line : row.item, samples: [] };
      side.items.set(key, item);
    }
    const graders: Record<string, number> = {};
    for (const [name, score] of Object.entries(row.graders ?? {}))
      if (typeof score?.reward === 'number' && Number.isFinite(score.reward)) graders[name] = score.reward;
    const sample: CompareSample = {
      sample: row.sample,
      reward: row.reward,
      output: typeof row.output === 'string' ? row.output : '',
      error: row.error?.message,
      graders,
    };
    // A resumed run may append a sample again: the last line written is the one that counts.
    const at = item.samples.findIndex((s) => s.sample === row.sample);
    if (at >= 0) item.samples[at] = sample;
    else item.samples.push(sample);
  }
  for (const side of sides.values()) {
    side.skippedLines = skipped;
    for (const item of side.items.values()) item.samples.sort((x, y) => x.sample - y.sample);
  }
  return sides;
}

function resolveIn(info: RunFolderInfo, p: string, root: string | undefined): string[] {
  if (path.isAbsolute(p)) return [p];
  const specDir =
    info.manifest?.spec_path && root ? path.dirname(path.resolve(root, info.manifest.spec_path)) : undefined;
  return [specDir, info.dir, root].filter((d): d is string => !!d).map((d) => path.resolve(d, p));
}

/** The labels of the items (pairing key → labels), read from the dataset's label field. */
async function readLabels(
  dataset: string,
  field: string,
  keys: Map<string, { line: number }>,
  signal?: AbortSignal,
): Promise<Map<string, string[]>> {
  const byLine = new Map<number, string[]>();
  for (const [key, { line }] of keys) {
    const list = byLine.get(line) ?? [];
    list.push(key);
    byLine.set(line, list);
  }
  const labels = new Map<string, string[]>();
  for await (const { line, text } of readJsonlLines(dataset, { signal })) {
    const wanted = byLine.get(line);
    if (!wanted) continue;
    let value: unknown;
    try {
      value = (JSON.parse(text) as Record<string, unknown>)[field];
    } catch {
      continue;
    }
    const list = (Array.isArray(value) ? value : [value])
      .filter((v) => v !== undefined && v !== null && typeof v !== 'object')
      .map(String);
    for (const key of wanted) labels.set(key, list);
  }
  return labels;
}

function displayNames(a: CompareSideData, b: CompareSideData): [string, string] {
  if (a.candidate !== b.candidate) return [a.candidate, b.candidate];
  return [`${a.candidate} (${a.runName})`, `${b.candidate} (${b.runName})`];
}

/** Reads one or two run folders into a comparison model. Throws CompareError with a message for the user. */
export async function loadComparison(
  source: CompareSource,
  opts: CompareLoadOptions = {},
): Promise<CompareModel> {
  const infoA = await readRunFolder(source.runs[0]);
  const infoB = source.runs[1] !== undefined ? await readRunFolder(source.runs[1]) : infoA;
  const labelsA = candidateLabels(infoA);
  const labelsB = candidateLabels(infoB);
  const twoRuns = infoA !== infoB;
  let [ca, cb] = source.candidates ?? [undefined, undefined];
  if (!twoRuns) {
    if (labelsA.length < 2 && !source.candidates)
      throw new CompareError(`${infoA.dir} has only one candidate: pick a second run to compare with.`);
    ca ??= labelsA[labelsA.length - 1];
    cb ??= labelsA[0];
    if (ca === cb) throw new CompareError('Pick two different candidates to compare.');
  } else {
    ca ??= labelsA[0];
    cb ??= labelsB.includes(ca) ? ca : labelsB[0];
  }
  if (!labelsA.includes(ca))
    throw new CompareError(`${infoA.dir} has no candidate "${ca}" (it has ${labelsA.join(', ')}).`);
  if (!labelsB.includes(cb))
    throw new CompareError(`${infoB.dir} has no candidate "${cb}" (it has ${labelsB.join(', ')}).`);
  const pairBy = twoRuns ? 'itemKey' : 'item';
  let a: CompareSideData;
  let b: CompareSideData;
  if (twoRuns) {
    a = (await readSides(infoA, [ca], pairBy, opts.signal)).get(ca)!;
    b = (await readSides(infoB, [cb], pairBy, opts.signal)).get(cb)!;
  } else {
    const sides = await readSides(infoA, [ca, cb], pairBy, opts.signal);
    a = sides.get(ca)!;
    b = sides.get(cb)!;
  }
  const warnings: string[] = [];
  for (const side of twoRuns ? [a, b] : [a])
    if (side.skippedLines)
      warnings.push(
        `${side.skippedLines} line(s) of ${path.join(side.run, 'results.jsonl')} were not result rows and were skipped.`,
      );
  const spec = infoA.spec;
  let dataset: string | undefined;
  if (typeof spec.dataset === 'string') {
    for (const candidate of resolveIn(infoA, spec.dataset, opts.root)) {
      if ((await fs.stat(candidate).catch(() => undefined))?.isFile()) {
        dataset = candidate;
        break;
      }
    }
  }
  const labelField = typeof spec.label_field === 'string' && spec.label_field ? spec.label_field : undefined;
  let labels = new Map<string, string[]>();
  if (labelField) {
    if (!dataset) warnings.push(`The dataset ${spec.dataset} was not found: no per-label breakdown.`);
    else labels = await readLabels(dataset, labelField, new Map([...a.items, ...b.items]), opts.signal);
  }
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
    names: displayNames(a, b),
    dataset,
    labelField,
    labels,
    defaultThreshold: typeof spec.pass_threshold === 'number' ? spec.pass_threshold : 0.5,
    graders,
    warnings,
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

function graderMean(samples: readonly CompareSample[], grader: string): number | undefined {
  const rewards = samples.map((s) => s.graders[grader]).filter((r): r is number => r !== undefined);
  return rewards.length ? mean(rewards) : undefined;
}

/** Win, tie or loss of side a, with the statistics' own tie rule (so the counts match the CLI's). */
function outcomeOf(difference: number): Outcome {
  const { wins, losses } = winTieLoss([difference]);
  return wins ? 'win' : losses ? 'loss' : 'tie';
}

/** Every paired item (both sides have a graded sample), in dataset order. */
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
  return rows.sort((x, y) => x.line - y.line || x.key.localeCompare(y.key));
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
  if (sort === 'line') return rows;
  const by =
    sort === 'change' ? (r: CompareItemRow) => Math.abs(r.difference) : (r: CompareItemRow) => r.difference;
  // Stable: equal changes keep dataset order.
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => by(y.r) - by(x.r) || x.i - y.i)
    .map((x) => x.r);
}

/** Share of graded samples at or above the threshold. */
function passRate(side: CompareSideData, threshold: number): number {
  const rewards: number[] = [];
  for (const item of side.items.values())
    for (const s of item.samples) if (s.reward !== null) rewards.push(s.reward);
  return shareAtOrAbove(rewards, threshold);
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

function candidateView(
  model: CompareModel,
  side: CompareSideData,
  name: string,
  perItem: number[],
  threshold: number,
): CompareCandidateView {
  const { mean: m, ci } = meanWithCI(perItem, { seed: model.seed });
  let samples = 0;
  let errors = 0;
  for (const item of side.items.values())
    for (const s of item.samples) {
      samples++;
      if (s.reward === null) errors++;
    }
  return {
    name,
    label: side.candidate,
    model: side.model,
    run: side.run,
    runName: side.runName,
    mean: m,
    ci,
    items: perItem.length,
    samples,
    errors,
    passRate: passRate(side, threshold),
  };
}

/** Everything the view shows for one threshold, filter and order. */
export function compareView(model: CompareModel, query: CompareQuery): CompareViewData {
  const paired = pairedItems(model);
  // Per-item means in dataset order, so the resampling (and its interval) does not depend on the order in which
  // samples finished.
  const perItem = (side: CompareSideData) =>
    [...side.items.values()]
      .sort((x, y) => x.line - y.line)
      .map((i) => itemMean(i.samples))
      .filter((m): m is number => m !== undefined);
  const { difference, ci, p_value, sign_test_p_value } = pairedComparison(
    new Map(paired.map((r) => [r.key, r.a])),
    new Map(paired.map((r) => [r.key, r.b])),
    { seed: model.seed },
  );
  const stats = { difference, ci, wilcoxonP: p_value, signTestP: sign_test_p_value };
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
      candidateView(model, model.a, model.names[0], perItem(model.a), query.threshold),
      candidateView(model, model.b, model.names[1], perItem(model.b), query.threshold),
    ],
    paired: { items: paired.length, ...stats, ...countOutcomes(paired) },
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
