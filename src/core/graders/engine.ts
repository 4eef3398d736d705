// Runs any grader locally and returns the platform's `graders/run` result shape. string_check,
// text_similarity (except cosine) and multi over them run synchronously; python goes to a worker per
// grader source; score_model / label_model / cosine go to the model client.
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type OpenAI from 'openai';
import type { Logger } from '../log';
import { nullLogger } from '../log';
import { evaluateFormula, FormulaError, parseFormula, type FormulaNode } from './formula';
import { ModelGraderRunner, addUsage, type ModelCallOutcome } from './modelGraders';
import { AbortedError, PythonWorker, type PythonLimits } from './python/pythonRunner';
import { sampleParseError, type Sample } from './sample';
import { renderDeep, renderTemplate, TemplateVariableError, type TemplateNamespaces } from './template';
import {
  LOCAL_TEXT_SIMILARITY_METRICS,
  metricImplementation,
  textSimilarity,
  type LocalTextSimilarityMetric,
  type TextSimilarityOptions,
} from './textSimilarity';
import type {
  Grader,
  GraderErrorFlags,
  GraderResult,
  LabelModelGrader,
  MultiChildGrader,
  MultiGrader,
  PythonGrader,
  ScoreModelGrader,
  StringCheckGrader,
  TextSimilarityGrader,
  TokenUsage,
} from './types';
import { noErrors } from './types';

export interface GraderEngineOptions {
  log?: Logger;
  /** Python graders run only when `allow` is true (trusted workspace / `--allow-python`). */
  python?: {
    allow: boolean;
    /** Also run them where no sandbox is available (`--allow-unsandboxed-python` / the setting). */
    allowUnsandboxed?: boolean;
    interpreter?: string;
    timeoutMs?: number;
    limits?: Partial<PythonLimits>;
    env?: Readonly<Record<string, string | undefined>>;
  };
  /** Any OpenAI-compatible client (its baseURL may be a local model server). */
  modelClient?: OpenAI;
  /** Parallel rows in gradeMany, and parallel model requests (default 8). */
  concurrency?: number;
  /** Directory for the model-grader response cache (in memory only when unset). */
  cacheDir?: string;
  /** Options of the local text_similarity metrics (which tokenizer test bleu/gleu/meteor use). */
  textSimilarity?: TextSimilarityOptions;
}

/** Local additions to `metadata.scores` (the platform leaves it free-form). */
export interface LocalScores {
  /** Human-readable reasons for raised flags (missing variable, traceback summary, HTTP error…). */
  messages?: string[];
  /** Which function computed a text_similarity metric. */
  implementation?: string;
  /** The grader model's `{steps, result}` / label answer. */
  result?: unknown;
  steps?: unknown;
  /** Captured prints of a python grader (capped). */
  stdout?: string;
  /** The answer came from the content-hash cache. */
  cached?: boolean;
}

type Partial0 = {
  reward: number;
  errors: GraderErrorFlags;
  scores: LocalScores & Record<string, unknown>;
  usage: Record<string, TokenUsage>;
  tokenUsage: TokenUsage | null;
  model: string | null;
  sub: Record<string, number>;
};

function fresh(): Partial0 {
  return { reward: 0, errors: noErrors(), scores: {}, usage: {}, tokenUsage: null, model: null, sub: {} };
}

function note(p: Partial0, message: string): void {
  (p.scores.messages ??= []).push(message);
}

const ERROR_KEYS = Object.keys(noErrors()) as Array<keyof GraderErrorFlags>;

const childEntries = new WeakMap<MultiGrader, Array<[string, MultiChildGrader]>>();
function entriesOf(g: MultiGrader): Array<[string, MultiChildGrader]> {
  let e = childEntries.get(g);
  if (!e) childEntries.set(g, (e = Object.entries(g.graders ?? {})));
  return e;
}

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

function clampFinite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

export function isSyncGrader(g: Grader): boolean {
  switch (g.type) {
    case 'string_check':
      return true;
    case 'text_similarity':
      return g.evaluation_metric !== 'cosine';
    case 'multi':
      return Object.values(g.graders ?? {}).every((c) => isSyncGrader(c as Grader));
    default:
      return false;
  }
}

function usesPython(g: Grader): boolean {
  return (
    g.type === 'python' ||
    (g.type === 'multi' && Object.values(g.graders ?? {}).some((c) => c.type === 'python'))
  );
}

export function stringCheck(op: string, input: string, reference: string): number {
  switch (op) {
    case 'eq':
      return input === reference ? 1 : 0;
    case 'ne':
      return input !== reference ? 1 : 0;
    case 'like':
      return input.includes(reference) ? 1 : 0;
    case 'ilike':
      return input.toLowerCase().includes(reference.toLowerCase()) ? 1 : 0;
    default:
      throw new Error(`unknown string_check operation "${op}"`);
  }
}

export class GraderEngine {
  private readonly log: Logger;
  private readonly workers = new Map<string, PythonWorker>();
  private readonly formulas = new Map<string, FormulaNode | FormulaError>();
  private models: ModelGraderRunner | undefined;
  private disposed = false;

  constructor(readonly opts: GraderEngineOptions) {
    this.log = opts.log ?? nullLogger;
    if (opts.modelClient)
      this.models = new ModelGraderRunner({
        client: opts.modelClient,
        log: this.log,
        concurrency: opts.concurrency,
        cacheDir: opts.cacheDir,
      });
  }

  /** Cache/request counters of the model runner (undefined without a model client). */
  get modelStats(): { cacheHits: number; requests: number } | undefined {
    return this.models?.stats;
  }

  async grade(
    grader: Grader,
    item: Record<string, unknown>,
    sample: Sample,
    signal?: AbortSignal,
  ): Promise<GraderResult> {
    const t0 = now();
    const p = fresh();
    if (!this.precheck(p, sample)) await this.run(grader, { item, sample }, p, signal);
    return this.finish(grader, p, t0);
  }

  /** Synchronous grading for graders that need no process or network (see isSyncGrader). */
  gradeSync(grader: Grader, item: Record<string, unknown>, sample: Sample): GraderResult {
    const t0 = now();
    const p = fresh();
    if (!this.precheck(p, sample)) this.runSync(grader, { item, sample }, p);
    return this.finish(grader, p, t0);
  }

  async gradeMany(
    grader: Grader,
    rows: Array<{ item: Record<string, unknown>; sample: Sample }>,
    opts: {
      signal?: AbortSignal;
      concurrency?: number;
      onResult?: (index: number, r: GraderResult) => void;
    } = {},
  ): Promise<GraderResult[]> {
    const out: GraderResult[] = new Array<GraderResult>(rows.length);
    const { onResult } = opts;
    // One inner signal for all rows: each in-flight row listens to it (hundreds for python batches).
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const forward = () => inner.abort(opts.signal?.reason);
    if (opts.signal?.aborted) forward();
    else opts.signal?.addEventListener('abort', forward, { once: true });
    try {
      return await this.runMany(grader, rows, out, inner.signal, onResult, opts.concurrency);
    } finally {
      opts.signal?.removeEventListener('abort', forward);
    }
  }

  private async runMany(
    grader: Grader,
    rows: Array<{ item: Record<string, unknown>; sample: Sample }>,
    out: GraderResult[],
    signal: AbortSignal,
    onResult: ((index: number, r: GraderResult) => void) | undefined,
    concurrencyOpt: number | undefined,
  ): Promise<GraderResult[]> {
    if (isSyncGrader(grader)) {
      for (let i = 0; i < rows.length; i++) {
        if (signal?.aborted) throw new AbortedError();
        const r = this.gradeSync(grader, rows[i]!.item, rows[i]!.sample);
        out[i] = r;
        onResult?.(i, r);
        // Yield now and then so a long synchronous run stays cancellable and the host stays responsive.
        if ((i & 0xfff) === 0xfff) await new Promise<void>((res) => setImmediate(res));
      }
      return out;
    }
    // Python rows queue on one worker that takes them as batches; model rows are bounded by the
    // model runner's semaphore. Enough rows in flight to keep both busy.
    const concurrency = Math.max(
      1,
      concurrencyOpt ?? (usesPython(grader) ? 512 : (this.opts.concurrency ?? 8) * 2),
    );
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        if (signal?.aborted) throw new AbortedError();
        const i = next++;
        const r = await this.grade(grader, rows[i]!.item, rows[i]!.sample, signal);
        out[i] = r;
        onResult?.(i, r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
    return out;
  }

  /** Kills python workers. */
  dispose(): void {
    this.disposed = true;
    for (const w of this.workers.values()) w.dispose();
    this.workers.clear();
  }

  private precheck(p: Partial0, sample: Sample): boolean {
    const parseError = sampleParseError(sample);
    if (parseError) {
      p.errors.sample_parse_error = true;
      note(p, parseError);
      return true;
    }
    return false;
  }

  private finish(grader: Grader, p: Partial0, t0: number): GraderResult {
    return {
      reward: p.reward,
      metadata: {
        name: typeof grader.name === 'string' ? grader.name : '',
        type: grader.type,
        errors: p.errors,
        execution_time: (now() - t0) / 1000,
        scores: p.scores,
        token_usage: p.tokenUsage,
        sampled_model_name: p.model,
      },
      sub_rewards: p.sub,
      model_grader_token_usage_per_model: p.usage,
    };
  }

  private render(text: unknown, ns: TemplateNamespaces, p: Partial0, field: string): string | undefined {
    if (typeof text !== 'string') {
      p.errors.other_error = true;
      note(p, `${field} must be a string`);
      return undefined;
    }
    try {
      return renderTemplate(text, ns);
    } catch (e) {
      if (e instanceof TemplateVariableError) {
        p.errors.invalid_variable_error = true;
        note(p, `${field}: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  private runSync(grader: Grader, ns: TemplateNamespaces, p: Partial0): void {
    switch (grader.type) {
      case 'string_check':
        return this.runStringCheck(grader, ns, p);
      case 'text_similarity':
        return this.runTextSimilarity(grader, ns, p);
      case 'multi': {
        const formula = this.formula(grader, p);
        const vars: Record<string, number> = {};
        for (const [key, child] of entriesOf(grader)) {
          const c = fresh();
          this.runSync(child as Grader, ns, c);
          this.mergeChild(p, key, c, vars);
        }
        return this.applyFormula(formula, vars, p);
      }
      default:
        throw new Error(`${grader.type} graders cannot run synchronously`);
    }
  }

  private async run(
    grader: Grader,
    ns: TemplateNamespaces,
    p: Partial0,
    signal?: AbortSignal,
  ): Promise<void> {
    switch (grader.type) {
      case 'string_check':
        return this.runStringCheck(grader, ns, p);
      case 'text_similarity':
        if (grader.evaluation_metric === 'cosine') return this.runCosine(grader, ns, p, signal);
        return this.runTextSimilarity(grader, ns, p);
      case 'python':
        return this.runPython(grader, ns, p, signal);
      case 'score_model':
      case 'label_model':
        return this.runModel(grader, ns, p, signal);
      case 'multi': {
        const formula = this.formula(grader, p);
        const entries = entriesOf(grader);
        const children = await Promise.all(
          entries.map(async ([, child]) => {
            const c = fresh();
            if ((child as Grader).type === 'multi') {
              c.errors.other_error = true;
              note(c, 'a multi grader cannot contain another multi grader');
            } else await this.run(child as Grader, ns, c, signal);
            return c;
          }),
        );
        const vars: Record<string, number> = {};
        entries.forEach(([key], i) => this.mergeChild(p, key, children[i]!, vars));
        return this.applyFormula(formula, vars, p);
      }
      case 'endpoint':
        p.errors.other_error = true;
        note(p, 'endpoint graders (private preview) run only on the platform; nothing was graded locally');
        return;
      default: {
        p.errors.other_error = true;
        note(p, `unknown grader type "${String((grader as { type?: unknown }).type)}"`);
      }
    }
  }

  private runStringCheck(g: StringCheckGrader, ns: TemplateNamespaces, p: Partial0): void {
    const input = this.render(g.input, ns, p, 'input');
    const reference = this.render(g.reference, ns, p, 'reference');
    if (input === undefined || reference === undefined) return;
    try {
      p.reward = stringCheck(g.operation, input, reference);
    } catch (e) {
      p.errors.other_error = true;
      note(p, (e as Error).message);
    }
  }

  private runTextSimilarity(g: TextSimilarityGrader, ns: TemplateNamespaces, p: Partial0): void {
    const input = this.render(g.input, ns, p, 'input');
    const reference = this.render(g.reference, ns, p, 'reference');
    if (input === undefined || reference === undefined) return;
    const metric = g.evaluation_metric;
    if (!(LOCAL_TEXT_SIMILARITY_METRICS as readonly string[]).includes(metric)) {
      p.errors.other_error = true;
      note(p, `unknown evaluation_metric "${String(metric)}"`);
      return;
    }
    const local = metric as LocalTextSimilarityMetric;
    p.reward = clampFinite(textSimilarity(local, input, reference, this.opts.textSimilarity));
    p.scores.implementation = metricImplementation(local, this.opts.textSimilarity);
  }

  private async runCosine(
    g: TextSimilarityGrader,
    ns: TemplateNamespaces,
    p: Partial0,
    signal?: AbortSignal,
  ) {
    const input = this.render(g.input, ns, p, 'input');
    const reference = this.render(g.reference, ns, p, 'reference');
    if (input === undefined || reference === undefined) return;
    if (!this.models) {
      p.errors.model_grader_server_error = true;
      p.errors.model_grader_server_error_details =
        'cosine needs the network: it calls the provider embeddings endpoint (text-embedding-3-large); configure a provider';
      return;
    }
    try {
      const r = await this.models.cosine(input, reference, signal);
      p.reward = clampFinite(r.value);
      p.scores.implementation = `cosine similarity of ${r.model} embeddings (provider embeddings endpoint)`;
      if (r.usage) addUsage(p.usage, r.model, r.usage);
    } catch (e) {
      if (signal?.aborted) throw e;
      p.errors.model_grader_server_error = true;
      p.errors.model_grader_server_error_details = (e as Error).message;
    }
  }

  private worker(g: PythonGrader): PythonWorker {
    const py = this.opts.python!;
    const key = createHash('sha256').update(g.source).digest('hex');
    let w = this.workers.get(key);
    if (!w) {
      w = new PythonWorker({
        source: g.source,
        interpreter: py.interpreter,
        limits: { ...py.limits, ...(py.timeoutMs ? { timeoutMs: py.timeoutMs } : {}) },
        log: this.log,
        env: py.env,
        allowUnsandboxed: py.allowUnsandboxed,
      });
      this.workers.set(key, w);
    }
    return w;
  }

  private async runPython(g: PythonGrader, ns: TemplateNamespaces, p: Partial0, signal?: AbortSignal) {
    if (!this.opts.python?.allow) {
      p.errors.python_grader_server_error = true;
      p.errors.python_grader_server_error_type = 'not_allowed';
      note(
        p,
        'python graders run only when allowed: in a trusted workspace in the editor, with --allow-python in the CLI',
      );
      return;
    }
    if (typeof g.source !== 'string') {
      p.errors.other_error = true;
      note(p, 'source must be a string');
      return;
    }
    if (this.disposed) throw new Error('grader engine disposed');
    const out = await this.worker(g).run(ns.sample, ns.item, signal);
    if (out.stdout) p.scores.stdout = out.stdout;
    if (out.ok) {
      p.reward = out.value;
      if (out.warning) note(p, out.warning);
      return;
    }
    if (out.kind === 'server') {
      p.errors.python_grader_server_error = true;
      p.errors.python_grader_server_error_type = out.serverType ?? 'worker_start_failed';
      note(p, out.details);
    } else {
      p.errors.python_grader_runtime_error = true;
      p.errors.python_grader_runtime_error_details = out.details;
      note(p, out.error);
    }
  }

  private async runModel(
    g: ScoreModelGrader | LabelModelGrader,
    ns: TemplateNamespaces,
    p: Partial0,
    signal?: AbortSignal,
  ) {
    let input: typeof g.input;
    try {
      input = renderDeep(g.input, ns);
    } catch (e) {
      if (e instanceof TemplateVariableError) {
        p.errors.invalid_variable_error = true;
        note(p, `input: ${e.message}`);
        return;
      }
      throw e;
    }
    if (!this.models) {
      p.errors.model_grader_server_error = true;
      p.errors.model_grader_server_error_details = `${g.type} needs a model provider (an OpenAI-compatible endpoint); none is configured`;
      return;
    }
    if (!Array.isArray(input)) {
      p.errors.other_error = true;
      note(p, 'input must be an array of messages');
      return;
    }
    const out: ModelCallOutcome =
      g.type === 'score_model'
        ? await this.models.score(g, input, signal)
        : await this.models.label(g, input, signal);
    if (out.usage) {
      p.tokenUsage = out.usage;
      addUsage(p.usage, out.model ?? g.model, out.usage);
    }
    p.model = out.model;
    if (out.cached) p.scores.cached = true;
    switch (out.kind) {
      case 'server':
        p.errors.model_grader_server_error = true;
        p.errors.model_grader_server_error_details = out.details ?? null;
        return;
      case 'refusal':
        p.errors.model_grader_refusal_error = true;
        note(p, `refusal: ${out.details}`);
        return;
      case 'parse':
        p.errors.model_grader_parse_error = true;
        note(p, out.details ?? 'unparseable answer');
        return;
      case 'ok':
        break;
    }
    const { result, steps } = out.parsed!;
    p.scores.result = result;
    p.scores.steps = steps;
    if (g.type === 'score_model') {
      const [lo, hi] = g.range ?? [0, 1];
      const x = typeof result === 'number' ? result : typeof result === 'string' ? Number(result) : NaN;
      if (!Number.isFinite(x)) {
        // "default to 0 for all non-numeric outputs"
        p.errors.model_grader_parse_error = true;
        note(p, `result ${JSON.stringify(result)} is not a number`);
        return;
      }
      p.reward = Math.min(Math.max(x, Math.min(lo, hi)), Math.max(lo, hi));
    } else {
      if (typeof result !== 'string' || !g.labels.includes(result)) {
        p.errors.model_grader_parse_error = true;
        note(p, `label ${JSON.stringify(result)} is not one of ${JSON.stringify(g.labels)}`);
        return;
      }
      p.reward = g.passing_labels.includes(result) ? 1 : 0;
    }
  }

  private formula(g: MultiGrader, p: Partial0): FormulaNode | undefined {
    const src = g.calculate_output;
    if (typeof src !== 'string') {
      p.errors.formula_parse_error = true;
      note(p, 'calculate_output must be a string');
      return undefined;
    }
    let f = this.formulas.get(src);
    if (!f) {
      try {
        f = parseFormula(src);
      } catch (e) {
        if (!(e instanceof FormulaError)) throw e;
        f = e;
      }
      this.formulas.set(src, f);
    }
    if (f instanceof FormulaError) {
      p.errors.formula_parse_error = true;
      note(p, `calculate_output: ${f.message} at ${f.start + 1}`);
      return undefined;
    }
    return f;
  }

  private mergeChild(p: Partial0, key: string, c: Partial0, vars: Record<string, number>): void {
    p.sub[key] = c.reward;
    vars[key] = c.reward;
    const e = p.errors;
    const ce = c.errors;
    for (const k of ERROR_KEYS) {
      const v = ce[k];
      if (v === true) (e as Record<string, unknown>)[k] = true;
      else if (typeof v === 'string' && (e[k] === null || e[k] === undefined))
        (e as Record<string, unknown>)[k] = `${key}: ${v}`;
    }
    if (c.scores.messages) for (const m of c.scores.messages) note(p, `${key}: ${m}`);
    for (const model in c.usage) addUsage(p.usage, model, c.usage[model]!);
    if (c.tokenUsage) {
      const t = (p.tokenUsage ??= {
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        cached_tokens: 0,
      });
      t.prompt_tokens += c.tokenUsage.prompt_tokens;
      t.completion_tokens += c.tokenUsage.completion_tokens;
      t.total_tokens += c.tokenUsage.total_tokens;
      t.cached_tokens += c.tokenUsage.cached_tokens;
    }
    if (c.model && !p.model) p.model = c.model;
  }

  private applyFormula(formula: FormulaNode | undefined, vars: Record<string, number>, p: Partial0): void {
    if (!formula) return;
    // A missing variable makes the whole sample score 0 (the platform's rule for invalid_variable_error);
    // other child failures only zero that child's term.
    if (p.errors.invalid_variable_error) {
      p.reward = 0;
      return;
    }
    try {
      const x = evaluateFormula(formula, vars);
      if (!Number.isFinite(x)) {
        p.errors.formula_parse_error = true;
        note(p, `calculate_output evaluated to ${x} (division by zero or a domain error)`);
        p.reward = 0;
        return;
      }
      p.reward = x;
    } catch (e) {
      if (!(e instanceof FormulaError)) throw e;
      p.errors.formula_parse_error = true;
      note(p, `calculate_output: ${e.message}`);
      p.reward = 0;
    }
  }
}

export type { MultiChildGrader };
