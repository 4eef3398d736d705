// The report of an eval run folder (issue #13): streams results.jsonl into per-item aggregates, builds the
// EvalReport (means with bootstrap intervals, paired comparisons, per-grader and per-label means, pass rate, errors,
// gates), writes summary.json and summary.md, and compares two saved runs. vscode-free; the CLI and editor share it.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readJsonlLines } from '../datasets/jsonlReader';
import { describeFileError } from '../io/inputFile';
import { evaluateGates } from './gates';
import type { BootstrapOptions } from './stats';
import { mean, meanWithCI, pairedComparison } from './stats';
import type {
  EvalCandidateSummary,
  EvalGate,
  EvalPairComparison,
  EvalReport,
  EvalResultRow,
  EvalRunManifest,
  EvalSpecFile,
} from './types';

/** A run folder that cannot be read; `message` is meant for the user as it is. */
export class EvalReportError extends Error {}

/** One sample as the report keeps it: the headline reward, each grader's reward, whether it failed. */
interface SampleAgg {
  reward: number | null;
  graders: Record<string, number>;
  error: boolean;
}

/** One candidate's samples of one item, by sample index (a resumed run's later line for a sample wins). */
export interface ItemAgg {
  /** The item's key (its `id`, else `line N`): what pairs items across two runs. */
  key: string;
  /** 0-based index of the item in its run. */
  index: number;
  line: number;
  samples: Map<number, SampleAgg>;
}

/** One candidate of a run folder, aggregated per item. */
export interface RunCandidate {
  label: string;
  model: string;
  /**
   * `#<item index>` → the item's samples (within a run items pair by index, so two items sharing an `id` stay
   * apart). Insertion order is the order items first appear in results.jsonl.
   */
  items: Map<string, ItemAgg>;
}

/** A run folder, read. */
export interface RunData {
  dir: string;
  spec?: EvalSpecFile;
  manifest?: EvalRunManifest;
  /** In the spec's order, then any label found only in results.jsonl. */
  candidates: RunCandidate[];
  /** 1-based lines of results.jsonl that were not result rows (a run killed mid-line, a hand edit). */
  skippedLines: number[];
  /** Dataset line → labels from the `label_field`, when the spec names one and the dataset is unchanged. */
  labels?: Map<number, string[]>;
  /** Why labels are missing although the spec names a label field. */
  labelsNote?: string;
}

async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EvalReportError(
      describeFileError(e, file) ?? `${file} cannot be read: ${(e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new EvalReportError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function isRow(v: unknown): v is EvalResultRow {
  const r = v as EvalResultRow;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.candidate === 'string' &&
    (typeof r.item_key === 'string' || typeof r.item === 'number') &&
    typeof r.sample === 'number' &&
    (r.reward === null || typeof r.reward === 'number')
  );
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function labelsOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(labelsOf);
  return typeof v === 'object' ? [JSON.stringify(v)] : [String(v)];
}

/** Labels of the items the run used, read from its dataset (streamed; only the run's lines are kept). */
async function readLabels(run: RunData, field: string): Promise<void> {
  const dataset = run.spec?.dataset;
  if (typeof dataset !== 'string') {
    run.labelsNote = 'the run folder does not name its dataset';
    return;
  }
  const file = path.resolve(run.dir, dataset);
  const wanted = new Set<number>();
  for (const c of run.candidates) for (const agg of c.items.values()) wanted.add(agg.line);
  try {
    const expected = run.manifest?.hashes?.dataset;
    if (expected && (await sha256File(file)) !== expected) {
      run.labelsNote = `the dataset ${file} changed since the run, so its labels may not match the items`;
      return;
    }
    const labels = new Map<number, string[]>();
    for await (const l of readJsonlLines(file)) {
      if (!wanted.has(l.line)) continue;
      try {
        const item = JSON.parse(l.text) as Record<string, unknown>;
        labels.set(l.line, labelsOf(item?.[field]));
      } catch {
        labels.set(l.line, []);
      }
    }
    run.labels = labels;
  } catch (e) {
    run.labelsNote =
      describeFileError(e, file) ?? `the dataset ${file} cannot be read: ${(e as Error).message}`;
  }
}

/** Reads a run folder: spec.json, run.json and results.jsonl (streamed into per-item aggregates). */
export async function readRun(dir: string, opts: { signal?: AbortSignal } = {}): Promise<RunData> {
  const results = path.join(dir, 'results.jsonl');
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new EvalReportError(`${dir} is not an eval run folder (it is a file)`);
    await fs.access(results);
  } catch (e) {
    if (e instanceof EvalReportError) throw e;
    throw new EvalReportError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${dir} is not an eval run folder (no results.jsonl in it)`
        : (describeFileError(e, dir) ?? String(e)),
    );
  }
  const spec = await readJsonFile<EvalSpecFile>(path.join(dir, 'spec.json'));
  const manifest = await readJsonFile<EvalRunManifest>(path.join(dir, 'run.json'));
  const byLabel = new Map<string, RunCandidate>();
  for (const c of Array.isArray(spec?.candidates) ? spec.candidates : [])
    if (c && typeof c.label === 'string')
      byLabel.set(c.label, { label: c.label, model: String(c.model ?? ''), items: new Map() });
  const skippedLines: number[] = [];
  try {
    for await (const l of readJsonlLines(results, { signal: opts.signal })) {
      if (l.text.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(l.text);
      } catch {
        skippedLines.push(l.line + 1);
        continue;
      }
      if (!isRow(row)) {
        skippedLines.push(l.line + 1);
        continue;
      }
      let cand = byLabel.get(row.candidate);
      if (!cand) {
        cand = { label: row.candidate, model: '', items: new Map() };
        byLabel.set(row.candidate, cand);
      }
      const key = typeof row.item_key === 'string' ? row.item_key : `item ${row.item}`;
      const slot = typeof row.item === 'number' ? `#${row.item}` : key;
      let item = cand.items.get(slot);
      if (!item) {
        item = {
          key,
          index: typeof row.item === 'number' ? row.item : -1,
          line: typeof row.line === 'number' ? row.line : -1,
          samples: new Map(),
        };
        cand.items.set(slot, item);
      }
      const graders: Record<string, number> = {};
      for (const [name, g] of Object.entries(row.graders ?? {}))
        if (typeof g?.reward === 'number' && Number.isFinite(g.reward)) graders[name] = g.reward;
      const reward = typeof row.reward === 'number' && Number.isFinite(row.reward) ? row.reward : null;
      item.samples.set(row.sample, { reward, graders, error: reward === null || row.error !== undefined });
    }
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new EvalReportError(
      describeFileError(e, results) ?? `${results} cannot be read: ${(e as Error).message}`,
    );
  }
  const run: RunData = { dir, spec, manifest, candidates: [...byLabel.values()], skippedLines };
  if (typeof spec?.label_field === 'string' && spec.label_field) await readLabels(run, spec.label_field);
  return run;
}

/** The mean headline (or `grader`'s) reward over an item's graded samples; undefined when none was graded. */
export function itemMean(item: ItemAgg, grader?: string): number | undefined {
  let s = 0;
  let n = 0;
  for (const smp of item.samples.values()) {
    const v = grader === undefined ? smp.reward : smp.reward === null ? undefined : smp.graders[grader];
    if (typeof v === 'number') {
      s += v;
      n++;
    }
  }
  return n ? s / n : undefined;
}

/**
 * Pairing key → the candidate's mean reward on the item (items with no graded sample are left out). Keys are
 * the item index within a run (`byItemKey` false) or the item key across runs. The map is in item order (index,
 * or key across runs), not in the order rows were appended: a concurrent run appends in completion order, and
 * the seeded resampling must see the same sequence every time for the interval to be reproducible.
 */
export function itemMeans(c: RunCandidate, grader?: string, byItemKey = false): Map<string, number> {
  const entries: Array<[string, number, ItemAgg]> = [];
  for (const [slot, item] of c.items) {
    const m = itemMean(item, grader);
    if (m !== undefined) entries.push([byItemKey ? item.key : slot, m, item]);
  }
  entries.sort(([ka, , a], [kb, , b]) =>
    byItemKey ? (ka < kb ? -1 : ka > kb ? 1 : 0) : a.index - b.index || (ka < kb ? -1 : ka > kb ? 1 : 0),
  );
  return new Map(entries.map(([k, m]) => [k, m]));
}

/** A candidate of the report, with the data it was computed from (a label made unique across runs). */
export interface ReportCandidate extends RunCandidate {
  /** The run the candidate comes from. */
  run: RunData;
}

export interface BuildReportOptions extends BootstrapOptions {
  /** Pairs to compare (labels), in order; default: see `defaultPairs`. */
  pairs?: Array<[string, string]>;
  gates?: readonly EvalGate[];
  passThreshold?: number;
  /** Pair items by their item key (two runs) instead of their index in the run. */
  byItemKey?: boolean;
}

/**
 * The comparisons a report holds: every later candidate against the first (the baseline, usually the base
 * model: `difference` = later − first), then the pairs the gates name, each pair once and in that order.
 */
export function defaultPairs(
  labels: readonly string[],
  gates: readonly EvalGate[] = [],
): Array<[string, string]> {
  const pairs: Array<[string, string]> = labels.slice(1).map((l) => [l, labels[0]]);
  for (const g of gates)
    if (
      'compare' in g &&
      Array.isArray(g.compare) &&
      !pairs.some(([a, b]) => a === g.compare[0] && b === g.compare[1])
    )
      pairs.push([g.compare[0], g.compare[1]]);
  return pairs;
}

function summarise(c: ReportCandidate, threshold: number, opts: BootstrapOptions): EvalCandidateSummary {
  const means = itemMeans(c);
  const { mean: m, ci } = meanWithCI([...means.values()], opts);
  let samples = 0;
  let errors = 0;
  let graded = 0;
  let passed = 0;
  const graderNames = new Set<string>();
  for (const item of c.items.values())
    for (const s of item.samples.values()) {
      samples++;
      if (s.error) errors++;
      if (s.reward !== null) {
        graded++;
        if (s.reward >= threshold) passed++;
      }
      for (const g of Object.keys(s.graders)) graderNames.add(g);
    }
  const graders: Record<string, number> = {};
  for (const g of graderNames) graders[g] = mean([...itemMeans(c, g).values()]);
  const out: EvalCandidateSummary = {
    label: c.label,
    model: c.model,
    mean: m,
    ci,
    samples,
    errors,
    pass_rate: graded ? passed / graded : Number.NaN,
    graders,
  };
  if (c.run.labels) {
    const byLabel = new Map<string, number[]>();
    for (const item of c.items.values()) {
      const v = itemMean(item);
      if (v === undefined) continue;
      for (const label of c.run.labels.get(item.line) ?? []) {
        let list = byLabel.get(label);
        if (!list) byLabel.set(label, (list = []));
        list.push(v);
      }
    }
    out.labels = Object.fromEntries(
      [...byLabel.keys()]
        .sort()
        .map((l) => [l, { mean: mean(byLabel.get(l)!), items: byLabel.get(l)!.length }]),
    );
  }
  return out;
}

/** The report of some candidates (of one run or several); `run` names the folder(s). */
export function buildReport(candidates: ReportCandidate[], opts: BuildReportOptions = {}): EvalReport {
  const runs = [...new Set(candidates.map((c) => c.run.dir))];
  const threshold = opts.passThreshold ?? 0.5;
  const summaries = candidates.map((c) => summarise(c, threshold, opts));
  const byLabel = new Map(candidates.map((c) => [c.label, c]));
  const comparisons: EvalPairComparison[] = [];
  for (const [a, b] of opts.pairs ??
    defaultPairs(
      candidates.map((c) => c.label),
      opts.gates,
    )) {
    const ca = byLabel.get(a);
    const cb = byLabel.get(b);
    if (!ca || !cb) continue;
    comparisons.push({
      a,
      b,
      ...pairedComparison(
        itemMeans(ca, undefined, opts.byItemKey),
        itemMeans(cb, undefined, opts.byItemKey),
        opts,
      ),
    });
  }
  const report: EvalReport = { run: runs[0] ?? '', candidates: summaries, comparisons };
  if (runs.length > 1) report.runs = runs;
  if (opts.gates?.length) report.gates = evaluateGates(opts.gates, report);
  return report;
}

/** The report of one run folder, with its spec's gates and pass threshold. */
export function reportOfRun(run: RunData, opts: BootstrapOptions = {}): EvalReport {
  const gates = Array.isArray(run.spec?.gates) ? run.spec.gates : [];
  return buildReport(
    run.candidates.map((c) => ({ ...c, run })),
    {
      ...opts,
      gates,
      passThreshold: typeof run.spec?.pass_threshold === 'number' ? run.spec.pass_threshold : 0.5,
    },
  );
}

// ───────────────────────────── summary.md ─────────────────────────────

function f(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function p(x: number): string {
  return !Number.isFinite(x) ? '–' : x < 0.0001 ? '<0.0001' : x.toFixed(4);
}

/** Markdown table rows; `|` in cells escaped. */
function table(head: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

/** summary.md: the report for people. */
export function reportMarkdown(report: EvalReport, title: string, notes: string[] = []): string {
  const out: string[] = [`# ${title}`, ''];
  if (report.runs) out.push(`Runs: ${report.runs.map((r) => `\`${r}\``).join(', ')}`, '');
  out.push(
    '## Candidates',
    '',
    table(
      ['candidate', 'model', 'mean', '95% CI', 'pass rate', 'samples', 'errors'],
      report.candidates.map((c) => [
        c.label,
        c.model,
        f(c.mean),
        `${f(c.ci[0])} … ${f(c.ci[1])}`,
        Number.isFinite(c.pass_rate) ? `${(c.pass_rate * 100).toFixed(1)}%` : '–',
        String(c.samples),
        String(c.errors),
      ]),
    ),
    '',
  );
  if (report.comparisons.length)
    out.push(
      '## Comparisons',
      '',
      'Difference = mean(a) − mean(b) over the items both have; p: Wilcoxon signed-rank (two-sided) and sign test.',
      '',
      table(
        ['a', 'b', 'difference', '95% CI', 'p (Wilcoxon)', 'p (sign)', 'wins', 'ties', 'losses', 'items'],
        report.comparisons.map((c) => [
          c.a,
          c.b,
          f(c.difference),
          `${f(c.ci[0])} … ${f(c.ci[1])}`,
          p(c.p_value),
          p(c.sign_test_p_value),
          String(c.wins),
          String(c.ties),
          String(c.losses),
          String(c.items),
        ]),
      ),
      '',
    );
  const graders = [...new Set(report.candidates.flatMap((c) => Object.keys(c.graders)))];
  if (graders.length > 1)
    out.push(
      '## Per grader',
      '',
      table(
        ['grader', ...report.candidates.map((c) => c.label)],
        graders.map((g) => [g, ...report.candidates.map((c) => f(c.graders[g] ?? Number.NaN))]),
      ),
      '',
    );
  const labels = [...new Set(report.candidates.flatMap((c) => Object.keys(c.labels ?? {})))].sort();
  if (labels.length)
    out.push(
      '## Per label',
      '',
      table(
        ['label', ...report.candidates.map((c) => c.label)],
        labels.map((l) => [
          l,
          ...report.candidates.map((c) => {
            const v = c.labels?.[l];
            return v ? `${f(v.mean)} (${v.items})` : '–';
          }),
        ]),
      ),
      '',
    );
  if (report.gates?.length)
    out.push(
      '## Gates',
      '',
      table(
        ['gate', 'result', 'detail'],
        report.gates.map((g) => [g.name, g.passed ? 'pass' : 'FAIL', g.message]),
      ),
      '',
    );
  if (notes.length) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

/** Things a reader of the report should know: skipped results lines, labels that could not be read. */
export function runNotes(run: RunData): string[] {
  const notes: string[] = [];
  if (run.skippedLines.length)
    notes.push(
      `${run.skippedLines.length} line(s) of ${path.join(run.dir, 'results.jsonl')} are not result rows and were skipped (line ${run.skippedLines.slice(0, 5).join(', ')}${run.skippedLines.length > 5 ? ', …' : ''})`,
    );
  if (run.labelsNote) notes.push(`no per-label breakdown: ${run.labelsNote}`);
  return notes;
}

/** A temp name of its own per write: two summaries of one folder written at once must not rename each other's file. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/**
 * Reads a run folder and writes its summary.json (the EvalReport) and summary.md. `report.run` is `dir` as given.
 * Called by the runner when a run ends (also a cancelled one) and by `eval compare` on an older folder.
 */
export async function writeRunSummary(dir: string): Promise<EvalReport> {
  const run = await readRun(dir);
  const report = reportOfRun(run);
  await writeAtomic(path.join(dir, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
  const title = `Eval ${run.spec?.name ?? path.basename(dir)}${run.manifest?.status ? ` (${run.manifest.status})` : ''}`;
  await writeAtomic(path.join(dir, 'summary.md'), reportMarkdown(report, title, runNotes(run)));
  return report;
}

/** Labels made unique across two runs: a label both runs use gets `@<folder name>` (or `@1`/`@2`). */
function disambiguate(a: RunData, b: RunData): [ReportCandidate[], ReportCandidate[]] {
  const inA = new Set(a.candidates.map((c) => c.label));
  const inB = new Set(b.candidates.map((c) => c.label));
  let nameA = path.basename(path.resolve(a.dir));
  let nameB = path.basename(path.resolve(b.dir));
  if (nameA === nameB) [nameA, nameB] = ['1', '2'];
  const rename = (run: RunData, other: Set<string>, name: string): ReportCandidate[] =>
    run.candidates.map((c) => ({ ...c, run, label: other.has(c.label) ? `${c.label}@${name}` : c.label }));
  return [rename(a, inB, nameA), rename(b, inA, nameB)];
}

export interface CompareRunsResult {
  report: EvalReport;
  /** Notes on either run (skipped lines, missing labels). */
  notes: string[];
}

/**
 * One run: its report (every candidate against the first, and the gates' pairs). Two runs: the candidates of
 * both (A's first; a label both use becomes `label@folder`), items paired by item key, every candidate against
 * A's first, and each label both runs share as B's against A's. Gates are a single run's and are not evaluated
 * across runs.
 */
export async function compareRuns(
  dirA: string,
  dirB?: string,
  opts: BootstrapOptions & { signal?: AbortSignal } = {},
): Promise<CompareRunsResult> {
  const a = await readRun(dirA, opts);
  if (dirB === undefined) return { report: reportOfRun(a, opts), notes: runNotes(a) };
  const b = await readRun(dirB, opts);
  const [ca, cb] = disambiguate(a, b);
  const labels = [...ca, ...cb].map((c) => c.label);
  const pairs = defaultPairs(labels);
  const bLabels = new Set(b.candidates.map((c) => c.label));
  for (let i = 0; i < a.candidates.length; i++)
    if (bLabels.has(a.candidates[i].label)) {
      const j = b.candidates.findIndex((c) => c.label === a.candidates[i].label);
      const pair: [string, string] = [cb[j].label, ca[i].label];
      if (!pairs.some(([x, y]) => x === pair[0] && y === pair[1])) pairs.push(pair);
    }
  const threshold = typeof a.spec?.pass_threshold === 'number' ? a.spec.pass_threshold : 0.5;
  const report = buildReport([...ca, ...cb], { ...opts, pairs, passThreshold: threshold, byItemKey: true });
  return { report, notes: [...runNotes(a), ...runNotes(b)] };
}
