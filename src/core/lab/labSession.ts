// One Grader Lab session (vscode-free): the setup, the loaded items, sample pairing and sampling, the run, the
// analysis and probes, the remote check, and the results kept for a reload. A view drives it through methods and
// hears back through `emit`; the VS Code panel adds only dialogs, reveal, export and the webview bridge.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type OpenAI from 'openai';
import type { GraderRunParams } from 'openai/resources/fine-tuning/alpha/graders';
import type { GraderEngineOptions } from '../graders/engine';
import { GraderEngine } from '../graders/engine';
import { pairSamplesFile, readDataItems } from '../graders/gradeInputs';
import type { Grader } from '../graders/types';
import type { TextSimilarityOptions } from '../graders/textSimilarity';
import type { Logger } from '../log';
import type { ExportRow } from './export';
import type { LabGrader, LabItem, LabSample } from './labRun';
import { analyzeLab, itemKeyOf, runLab, runProbes } from './labRun';
import { recommendGrader } from './recommend';
import type { SamplingPlan } from './sampling';
import { planSampling, sampleModel } from './sampling';
import type {
  LabEvent,
  LabItemSummary,
  LabRow,
  LabSetup,
  LabStatus,
  NoticeLevel,
  RemoteDiff,
  SamplesMode,
} from './types';

/** Pasted outputs for one item are separated by a line holding only `---`. */
export const PASTE_SEPARATOR = /^\s*---\s*$/m;
export const MAX_LAB_ITEMS = 50_000;
/** Items listed in the setup (the pasted-output picker); the count shows "500+" beyond. */
export const LISTED_ITEMS = 500;
/** Results larger than this are not kept for a reload (the analysis still is): the store is not a database. */
export const MAX_STORED_ROWS = 10_000;

export const SETUP_KEY = 'rftStudio.lab.setup';
export const RESULTS_KEY = 'rftStudio.lab.results';

/** The provider a session samples and verifies through (the host's provider feature supplies it). */
export interface LabProvider {
  label: string;
  client: OpenAI;
  /** The provider serves the alpha graders run endpoint. */
  graderRun: boolean;
  modelGraders: boolean;
}

/** A key-value store that outlives the session (VS Code's workspaceState fits). */
export interface LabStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface LabSessionOptions {
  log: Logger;
  emit: (event: LabEvent) => void;
  /** The active provider, asked each time one is needed (it can change while the lab is open). */
  provider: () => Promise<LabProvider | undefined>;
  /** Python graders run only in a trusted workspace. */
  trusted: () => boolean;
  /** The notice when python graders are not run because `trusted` is false (the CLI words it for its flag). */
  pythonRefusedNotice?: string;
  /** The engine's python options (interpreter, time limit, sandbox) except `allow`, which `trusted` decides. */
  python?: () => Omit<NonNullable<GraderEngineOptions['python']>, 'allow'>;
  /** Options of the local text_similarity metrics (e.g. the tokenizer switch setting), asked at each run. */
  textSimilarity?: () => TextSimilarityOptions;
  /** Asked before any model call is sent; false cancels the run. */
  confirmSampling: (plan: SamplingPlan, provider: LabProvider) => Promise<boolean>;
  store?: LabStore;
  /** Seeds a lab that has neither a dataset nor graders (workspace settings). */
  defaults?: () => Partial<LabSetup>;
  readText?: (file: string) => Promise<string>;
}

export function defaultSetup(): LabSetup {
  return {
    graders: [],
    samplesMode: 'file',
    pasted: { itemIndex: 0, text: '' },
    model: { model: 'o4-mini-2025-04-16', k: 4 },
    threshold: 0.5,
  };
}

type AnalysisEvent = Extract<LabEvent, { type: 'analysis' }>;
type RemoteEvent = Extract<LabEvent, { type: 'remote' }>;

interface StoredResults {
  rows: LabRow[];
  analysis?: AnalysisEvent;
  remote?: RemoteEvent;
}

/** What the last run used: the remote check grades the same graders and items, without reading them again. */
interface RunInputs {
  items: LabItem[];
  graders: Map<string, unknown>;
}

export class LabSession {
  private setupValue: LabSetup;
  private items: LabItem[] = [];
  private rows: LabRow[] = [];
  private analysis: AnalysisEvent | undefined;
  private remote: RemoteEvent | undefined;
  private status: LabStatus = { phase: 'idle', done: 0, total: 0 };
  private running: AbortController | undefined;
  private engine: GraderEngine | undefined;
  private lastRun: RunInputs | undefined;
  /** The provider as last asked, for snapshots (which are taken synchronously). */
  private providerInfo: { label: string; graderRun: boolean } | undefined;
  private readonly readText: (file: string) => Promise<string>;

  constructor(private readonly opts: LabSessionOptions) {
    this.readText = opts.readText ?? ((f) => readFile(f, 'utf8'));
    this.setupValue = { ...defaultSetup(), ...opts.store?.get<Partial<LabSetup>>(SETUP_KEY) };
    if (!this.setupValue.dataset && this.setupValue.graders.length === 0)
      Object.assign(this.setupValue, opts.defaults?.() ?? {});
    const stored = opts.store?.get<StoredResults>(RESULTS_KEY);
    if (stored) {
      this.rows = stored.rows ?? [];
      this.analysis = stored.analysis;
      this.remote = stored.remote;
    }
  }

  get setup(): Readonly<LabSetup> {
    return this.setupValue;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Loads the dataset and the graders' names, then tells the view. */
  async start(): Promise<void> {
    await this.loadDataset();
    for (const g of this.setupValue.graders) {
      try {
        const grader = await this.readGrader(g.path);
        Object.assign(g, refOf(g.path, grader));
      } catch {
        g.type = '?';
      }
    }
    await this.pushSetup();
  }

  /** Everything a freshly loaded view needs, in the order it would have heard it. */
  snapshot(): LabEvent[] {
    const out: LabEvent[] = [this.setupEvent(), { type: 'status', status: this.status }];
    if (this.rows.length) out.push({ type: 'rows', rows: this.rows, reset: true });
    if (this.analysis) out.push(this.analysis);
    if (this.remote) out.push(this.remote);
    return out;
  }

  dispose(): void {
    this.running?.abort();
    this.engine?.dispose();
  }

  // ---- setup ----

  async setDataset(file: string): Promise<void> {
    this.setupValue.dataset = file;
    await this.loadDataset();
    await this.pushSetup();
  }

  async addGraders(files: readonly string[]): Promise<void> {
    for (const file of files) {
      try {
        const grader = await this.readGrader(file);
        if (!this.setupValue.graders.some((g) => g.path === file))
          this.setupValue.graders.push(refOf(file, grader));
      } catch (e) {
        this.notice('error', `${path.basename(file)}: ${(e as Error).message}`);
      }
    }
    await this.pushSetup();
  }

  removeGrader(file: string): Promise<void> {
    this.setupValue.graders = this.setupValue.graders.filter((g) => g.path !== file);
    return this.pushSetup();
  }

  setSamplesFile(file: string): Promise<void> {
    this.setupValue.samplesFile = file;
    return this.pushSetup();
  }

  setResponseFormat(file: string | undefined): Promise<void> {
    this.setupValue.responseFormat = file;
    return this.pushSetup();
  }

  setMode(mode: SamplesMode): Promise<void> {
    this.setupValue.samplesMode = mode;
    return this.pushSetup();
  }

  /** Typed text is not echoed back: the view already shows it. */
  async setPasted(itemIndex: number, text: string): Promise<void> {
    this.setupValue.pasted = { itemIndex, text };
    await this.saveSetup();
  }

  setModel(model: string, k: number): Promise<void> {
    this.setupValue.model = { model: model.trim(), k };
    return this.pushSetup();
  }

  /** The threshold only changes the comparisons: re-analysed without grading or probing again. */
  async setThreshold(threshold: number): Promise<void> {
    this.setupValue.threshold = threshold;
    await this.saveSetup();
    if (this.rows.length) await this.analyze();
  }

  // ---- run ----

  cancel(): void {
    this.running?.abort();
  }

  async run(): Promise<void> {
    if (this.running) return;
    const setup = this.setupValue;
    if (!setup.dataset) return this.notice('warning', 'Choose a dataset first.');
    if (!setup.graders.length) return this.notice('warning', 'Add at least one grader.');
    const controller = new AbortController();
    const signal = controller.signal;
    this.running = controller;
    this.rows = [];
    this.analysis = undefined;
    this.remote = undefined;
    this.lastRun = undefined;
    this.opts.emit({ type: 'rows', rows: [], reset: true });
    try {
      await this.loadDataset();
      const items = this.items;
      const graders = await this.loadGraders();
      await this.pushSetup();
      if (!items.length) throw new Error('The dataset has no examples.');
      const responseFormat = setup.responseFormat ? await this.readJson(setup.responseFormat) : undefined;
      const samples = await this.collectSamples(items, responseFormat, signal);
      if (!samples.length) throw new Error('No samples to grade.');
      const provider = await this.activeProvider();
      this.engine?.dispose();
      const python = this.opts.python?.() ?? {};
      this.engine = new GraderEngine({
        log: this.opts.log,
        python: { allow: this.opts.trusted(), ...python },
        modelClient: provider?.modelGraders ? provider.client : undefined,
        textSimilarity: this.opts.textSimilarity?.(),
      });
      if (!this.opts.trusted() && graders.some((g) => usesPython(g.grader)))
        this.notice(
          'warning',
          this.opts.pythonRefusedNotice ??
            'This workspace is not trusted, so python graders are not run (they score 0 with python_grader_server_error). Trust the workspace to run them.',
        );
      this.lastRun = { items, graders: new Map(graders.map((g) => [g.id, g.grader])) };
      const total = samples.length * graders.length;
      this.setStatus({ phase: 'grading', done: 0, total });
      this.rows = await runLab(this.engine, items, samples, graders, {
        responseFormat,
        signal,
        onRows: (batch) => this.opts.emit({ type: 'rows', rows: batch }),
        onProgress: (done) => this.setStatus({ phase: 'grading', done, total }),
      });
      const done = this.rows.length;
      if (signal.aborted) return this.setStatus({ phase: 'cancelled', done, total, message: 'Cancelled.' });
      this.setStatus({ phase: 'probing', done, total, message: 'Grading reward-hacking probes…' });
      await this.analyze({ items, graders, responseFormat, signal });
      this.setStatus(
        signal.aborted
          ? { phase: 'cancelled', done, total, message: 'Cancelled.' }
          : {
              phase: 'done',
              done,
              total,
              message: `Graded ${samples.length} sample(s) with ${graders.length} grader(s).`,
            },
      );
    } catch (e) {
      const cancelled = signal.aborted;
      this.setStatus({
        phase: cancelled ? 'cancelled' : 'error',
        done: this.rows.length,
        total: 0,
        message: cancelled ? 'Cancelled.' : (e as Error).message,
      });
      if (!cancelled) this.opts.log.error('Grader Lab run failed', e);
    } finally {
      this.running = undefined;
      await this.saveResults();
    }
  }

  /** Rows as exported (grader by label, 1-based line). */
  exportRows(): ExportRow[] {
    const labels = this.labels();
    return this.rows.map((r) => ({
      grader: labels.get(r.graderId) ?? r.graderId,
      line: r.line + 1,
      itemKey: r.itemKey,
      sample: r.output,
      reward: r.reward,
      subRewards: r.subRewards,
      errors: r.errors,
      traceback: r.traceback,
    }));
  }

  /** Runs the first `count` rows through the provider's graders/run endpoint and reports every difference. */
  async verifyRemote(count: number): Promise<void> {
    const provider = await this.activeProvider();
    if (!provider)
      return this.notice(
        'warning',
        'Remote verification needs a provider: run "RFT Studio: Add Provider" first.',
      );
    if (!provider.graderRun)
      return this.notice('warning', `${provider.label} does not offer the graders/run endpoint.`);
    const run = this.lastRun;
    if (!run || !this.rows.length || this.running)
      return this.notice('warning', 'Run the lab locally first.');
    const subset = this.rows.slice(0, count);
    const diffs: RemoteDiff[] = [];
    const message = `Verifying with ${provider.label}…`;
    this.setStatus({ phase: 'grading', done: 0, total: subset.length, message });
    let done = 0;
    for (const row of subset) {
      const base = { graderId: row.graderId, itemKey: row.itemKey, sampleIndex: row.sampleIndex };
      try {
        const remote = await provider.client.fineTuning.alpha.graders.run({
          // The grader is the user's JSON as read from disk; the endpoint is the judge of its shape.
          grader: run.graders.get(row.graderId) as GraderRunParams['grader'],
          model_sample: row.output,
          item: run.items[row.itemIndex].item,
        });
        const remoteErrors = Object.entries(remote.metadata?.errors ?? {})
          .filter(([, v]) => v === true)
          .map(([k]) => k);
        const differences = diffResults(row, remote.reward, remote.sub_rewards ?? {}, remoteErrors);
        if (differences.length)
          diffs.push({ ...base, local: row.reward, remote: remote.reward, differences });
      } catch (e) {
        diffs.push({ ...base, local: row.reward, remote: null, differences: [(e as Error).message] });
      }
      this.setStatus({ phase: 'grading', done: ++done, total: subset.length, message });
    }
    this.setStatus({
      phase: 'done',
      done,
      total: subset.length,
      message: `Verified ${done} row(s) remotely: ${diffs.length} differ.`,
    });
    this.remote = { type: 'remote', checked: done, diffs };
    this.opts.emit(this.remote);
    await this.saveResults();
  }

  // ---- internals ----

  private async activeProvider(): Promise<LabProvider | undefined> {
    return this.opts.provider().catch(() => undefined);
  }

  private notice(level: NoticeLevel, message: string): void {
    this.opts.emit({ type: 'notice', level, message });
  }

  private setStatus(status: LabStatus): void {
    this.status = status;
    this.opts.emit({ type: 'status', status });
  }

  private labels(): Map<string, string> {
    return new Map(this.setupValue.graders.map((g) => [g.path, g.label]));
  }

  private setupEvent(): Extract<LabEvent, { type: 'setup' }> {
    const setup = this.setupValue;
    const items: LabItemSummary[] = this.items.slice(0, LISTED_ITEMS).map((x, index) => ({
      index,
      key: x.key,
      line: x.line,
      preview: lastUserPreview(x.item),
    }));
    const samplingPlan =
      setup.samplesMode === 'model' && this.items.length
        ? planSampling(this.items, setup.model.model, setup.model.k).summary
        : undefined;
    return {
      type: 'setup',
      setup,
      items,
      samplingPlan,
      ...(this.providerInfo ? { provider: this.providerInfo } : {}),
      trusted: this.opts.trusted(),
    };
  }

  private async saveSetup(): Promise<void> {
    await this.opts.store?.update(SETUP_KEY, this.setupValue);
  }

  private async pushSetup(): Promise<void> {
    await this.saveSetup();
    const provider = await this.activeProvider();
    this.providerInfo = provider && { label: provider.label, graderRun: provider.graderRun };
    this.opts.emit(this.setupEvent());
  }

  private async saveResults(): Promise<void> {
    const results: StoredResults = {
      rows: this.rows.length <= MAX_STORED_ROWS ? this.rows : [],
      analysis: this.analysis,
      remote: this.remote,
    };
    await this.opts.store?.update(RESULTS_KEY, results);
  }

  private async loadDataset(): Promise<void> {
    this.items = [];
    const file = this.setupValue.dataset;
    if (!file) return;
    try {
      const { items, problems } = await readDataItems(file);
      this.items = items
        .slice(0, MAX_LAB_ITEMS)
        .map((d) => ({ line: d.line - 1, key: itemKeyOf(d.item, d.line - 1), item: d.item }));
      if (problems.length)
        this.notice(
          'warning',
          `${problems.length} line(s) of the dataset are not JSON objects and were skipped; validate the file to see where.`,
        );
    } catch (e) {
      this.notice('error', `Cannot read the dataset: ${(e as Error).message}`);
    }
  }

  /** Reads every grader of the setup once, refreshing its label and type from what was read. */
  private async loadGraders(): Promise<LabGrader[]> {
    const out: LabGrader[] = [];
    for (const ref of this.setupValue.graders) {
      let grader: Grader;
      try {
        grader = await this.readGrader(ref.path);
      } catch (e) {
        throw new Error(`${path.basename(ref.path)}: ${(e as Error).message}`);
      }
      Object.assign(ref, refOf(ref.path, grader));
      out.push({ id: ref.path, label: ref.label, grader });
    }
    return out;
  }

  /** Analyses of the current rows; probes are graded again only after a run (`run` given). */
  private async analyze(run?: {
    items: LabItem[];
    graders: LabGrader[];
    responseFormat: unknown;
    signal: AbortSignal;
  }): Promise<void> {
    const labels = this.labels();
    const graders = this.setupValue.graders.map((g) => ({ id: g.path, label: g.label }));
    const analysis = analyzeLab(this.rows, graders, this.setupValue.threshold);
    let probes = this.analysis?.probes ?? [];
    if (run && this.engine) {
      const baselines = Object.fromEntries(analysis.graders.map((a) => [a.graderId, a.signal.meanReward]));
      probes = await runProbes(this.engine, run.items, run.graders, {
        responseFormat: run.responseFormat,
        maxItems: 10,
        signal: run.signal,
        baselines,
      });
    }
    const recommendation = recommendGrader(analysis, probes, (id) => labels.get(id) ?? path.basename(id));
    this.analysis = { type: 'analysis', analysis, probes, recommendation };
    this.opts.emit(this.analysis);
    if (!run) await this.saveResults();
  }

  private async collectSamples(
    items: LabItem[],
    responseFormat: unknown,
    signal: AbortSignal,
  ): Promise<LabSample[]> {
    const setup = this.setupValue;
    switch (setup.samplesMode) {
      case 'file': {
        if (!setup.samplesFile)
          throw new Error('Choose a samples file (one sample per line), or paste outputs.');
        return this.pairSamples(items, setup.samplesFile, responseFormat, signal);
      }
      case 'pasted':
        return pastedSamples(items.length, setup.pasted);
      case 'model': {
        const provider = await this.opts.provider();
        if (!provider)
          throw new Error('Sampling a model needs a provider: run "RFT Studio: Add Provider" first.');
        const plan = planSampling(items, setup.model.model, setup.model.k);
        if (!(await this.opts.confirmSampling(plan, provider)))
          throw new Error('Sampling not confirmed; nothing was sent.');
        this.setStatus({ phase: 'sampling', done: 0, total: plan.calls });
        return sampleModel(provider.client, items, {
          model: setup.model.model,
          k: setup.model.k,
          responseFormat,
          signal,
          onSample: (_s, done, total) => this.setStatus({ phase: 'sampling', done, total }),
        });
      }
    }
  }

  /** The same pairing as `rft-studio grade --samples`: by id when the samples carry item ids, else by line. */
  private async pairSamples(
    items: LabItem[],
    samplesFile: string,
    responseFormat: unknown,
    signal: AbortSignal,
  ): Promise<LabSample[]> {
    const byLine = new Map(items.map((x, i) => [x.line + 1, i]));
    const data = items.map((x) => ({ line: x.line + 1, item: x.item }));
    const { rows, problems, notes } = await pairSamplesFile(data, samplesFile, { responseFormat, signal });
    if (problems.length) {
      const first = problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`);
      this.notice('warning', `${problems.length} sample line(s) skipped — ${first.join('; ')}`);
    }
    for (const n of notes) this.notice('info', n);
    const counters = new Map<number, number>();
    return rows.map((r) => {
      const itemIndex = byLine.get(r.line)!;
      const sampleIndex = counters.get(itemIndex) ?? 0;
      counters.set(itemIndex, sampleIndex + 1);
      return { itemIndex, sampleIndex, input: r.sample };
    });
  }

  private async readJson(file: string): Promise<unknown> {
    const text = (await this.readText(file)).replace(/^\ufeff/, '');
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`not valid JSON (${(e as Error).message})`);
    }
  }

  private async readGrader(file: string): Promise<Grader> {
    const g = await this.readJson(file);
    if (!g || typeof g !== 'object' || typeof (g as { type?: unknown }).type !== 'string')
      throw new Error('not a grader (no "type")');
    return g as Grader;
  }
}

/** Splits pasted text into outputs for one item (blocks separated by a line holding only `---`). */
export function pastedSamples(itemCount: number, pasted: LabSetup['pasted']): LabSample[] {
  const itemIndex = Math.min(Math.max(0, pasted.itemIndex), itemCount - 1);
  const outputs = pasted.text
    .split(PASTE_SEPARATOR)
    .map((s) => s.replace(/^\r?\n|\r?\n$/g, ''))
    .filter((s) => s.trim() !== '');
  if (!outputs.length)
    throw new Error('Paste at least one output (separate several with a line holding only ---).');
  return outputs.map((text, sampleIndex) => ({ itemIndex, sampleIndex, input: text }));
}

/** Every field in which a remote graders/run result differs from the local row. */
export function diffResults(
  row: LabRow,
  reward: number,
  subRewards: Record<string, unknown>,
  remoteErrors: readonly string[],
): string[] {
  const differences: string[] = [];
  if (Math.abs(reward - row.reward) > 1e-9) differences.push(`reward ${row.reward} → ${reward}`);
  for (const [k, v] of Object.entries(subRewards)) {
    if (typeof v === 'number' && Math.abs(v - (row.subRewards[k] ?? NaN)) > 1e-9)
      differences.push(`sub_rewards.${k} ${row.subRewards[k]} → ${v}`);
  }
  for (const e of new Set([...remoteErrors, ...row.errors])) {
    if (remoteErrors.includes(e) !== row.errors.includes(e))
      differences.push(`errors.${e} ${row.errors.includes(e)} → ${remoteErrors.includes(e)}`);
  }
  return differences;
}

function refOf(file: string, grader: Grader): { path: string; label: string; type: string } {
  return { path: file, label: grader.name || path.basename(file), type: grader.type };
}

function usesPython(g: Grader): boolean {
  return (
    g.type === 'python' || (g.type === 'multi' && Object.values(g.graders).some((c) => c.type === 'python'))
  );
}

function lastUserPreview(item: Record<string, unknown>): string {
  const messages = Array.isArray(item.messages) ? (item.messages as Array<Record<string, unknown>>) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user' && typeof messages[i].content === 'string')
      return (messages[i].content as string).slice(0, 160);
  }
  return JSON.stringify(item).slice(0, 160);
}
