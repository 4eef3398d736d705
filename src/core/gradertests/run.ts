// Runs grader unit tests with the local engine: each grader file is read, checked and parsed once per runner,
// string_check / text_similarity cases grade synchronously, the rest (python, model graders) a few at a time.
// One result per case: passed, failed (the reward or the flags differ from `expect`) or errored (it could not run).
import * as path from 'node:path';
import type { Diagnostic, Range } from '../diagnostics';
import type { GraderEngine } from '../graders/engine';
import { isSyncGrader } from '../graders/engine';
import { lintGraderText } from '../graders/lint';
import { buildSample } from '../graders/sample';
import type { ErrorFlagName, Grader, GraderResult } from '../graders/types';
import { raisedErrors } from '../graders/types';
import { readInputText } from '../io/inputFile';
import {
  DEFAULT_REWARD_TOLERANCE,
  describeExpect,
  parseGraderTests,
  type GraderTestCase,
  type GraderTestExpect,
} from './parse';

export type GraderTestStatus = 'passed' | 'failed' | 'errored';

export interface GraderTestResult {
  /** Absolute path of the test file. */
  file: string;
  name: string;
  /** 0-based line of the case. */
  line: number;
  range: Range;
  status: GraderTestStatus;
  /** What `expect` asks for, for people ("reward 1", "reward in [0.5, 1]"). */
  expected: string;
  /** The grader's reward; null when the case could not run. */
  reward: number | null;
  /** Raised error flags. */
  errors: ErrorFlagName[];
  /** Why it failed or errored (one line). */
  message?: string;
  /** The engine's reasons for raised flags (missing variable, traceback summary…). */
  details: string[];
  sub_rewards: Record<string, number>;
  durationMs: number;
}

export interface GraderTestRunnerOptions {
  engine: GraderEngine;
  /** Python graders run only when this is true; otherwise their cases error with `pythonRefusal`. */
  allowPython: boolean;
  pythonRefusal?: string;
  /** Whether the engine was given a model client; otherwise model-grader cases error with `modelRefusal`. */
  modelAvailable: boolean;
  modelRefusal?: string;
  /**
   * The engine for model graders, asked for only when a case needs one (the editor signs in to the active provider
   * then, not for string checks); a string says why there is none. Takes precedence over modelAvailable.
   */
  modelEngine?: () => Promise<GraderEngine | string>;
  /** Cases graded at once when they need a process or the network (default 8). */
  concurrency?: number;
  readText?: (file: string) => Promise<string>;
}

type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

/** A case ready to grade: its grader, the engine that runs it, and the sample options. */
interface Prepared {
  grader: Grader;
  engine: GraderEngine;
  sampleOpts: { responseFormat?: unknown };
}

function usesType(g: Grader, types: readonly string[]): boolean {
  if (types.includes(g.type)) return true;
  if (g.type === 'multi') return Object.values(g.graders ?? {}).some((c) => usesType(c as Grader, types));
  return g.type === 'text_similarity' && g.evaluation_metric === 'cosine' && types.includes('cosine');
}

const now = () => performance.now();

/** Whether `reward` and `flags` satisfy `expect`; the reason when not. */
export function checkExpectation(
  expect: GraderTestExpect,
  reward: number,
  flags: readonly ErrorFlagName[],
): string | undefined {
  if (expect.errors) {
    const want = [...expect.errors].sort();
    const got = [...flags].sort();
    if (want.join() !== got.join()) return `expected errors [${want.join(', ')}], got [${got.join(', ')}]`;
  } else if (flags.length) return `the grader raised ${flags.join(', ')}`;
  if (expect.reward !== undefined) {
    const tol = expect.tolerance ?? DEFAULT_REWARD_TOLERANCE;
    if (!(Math.abs(reward - expect.reward) <= tol))
      return `expected reward ${expect.reward}, got ${reward} (off by ${Math.abs(reward - expect.reward).toPrecision(3)})`;
  }
  if (expect.min !== undefined && !(reward >= expect.min))
    return `expected reward ≥ ${expect.min}, got ${reward}`;
  if (expect.max !== undefined && !(reward <= expect.max))
    return `expected reward ≤ ${expect.max}, got ${reward}`;
  return undefined;
}

/** An invalid line as a result, so reports and CI count it instead of silently running fewer cases. */
export function diagnosticResult(file: string, d: Diagnostic): GraderTestResult {
  return {
    file,
    name: `line ${d.range.start.line + 1}`,
    line: d.range.start.line,
    range: d.range,
    status: 'errored',
    expected: 'a valid grader test case',
    reward: null,
    errors: [],
    message: `${d.message} [${d.code}]`,
    details: [],
    sub_rewards: {},
    durationMs: 0,
  };
}

export class GraderTestRunner {
  private readonly graders = new Map<string, Promise<Loaded<Grader>>>();
  private readonly formats = new Map<string, Promise<Loaded<unknown>>>();
  private readonly readText: (file: string) => Promise<string>;
  private modelEngine: Promise<GraderEngine | string> | undefined;

  constructor(private readonly opts: GraderTestRunnerOptions) {
    this.readText = opts.readText ?? ((f) => readInputText(f, 'file'));
  }

  /** Forget the graders read so far (the editor calls this when a grader file changes). */
  invalidate(file?: string): void {
    if (file === undefined) {
      this.graders.clear();
      this.formats.clear();
    } else {
      this.graders.delete(file);
      this.formats.delete(file);
    }
  }

  private loadGrader(file: string): Promise<Loaded<Grader>> {
    let p = this.graders.get(file);
    if (!p) {
      p = this.readGrader(file);
      this.graders.set(file, p);
    }
    return p;
  }

  private async readGrader(file: string): Promise<Loaded<Grader>> {
    let text: string;
    try {
      text = await this.readText(file);
    } catch (e) {
      return { ok: false, message: `cannot read the grader ${file}: ${(e as Error).message}` };
    }
    const blocking = lintGraderText(text, { path: file }).find(
      (d) =>
        d.severity === 'error' &&
        ['grader/json-syntax', 'grader/json-too-deep', 'grader/schema', 'grader/formula-syntax'].includes(
          d.code,
        ),
    );
    if (blocking)
      return {
        ok: false,
        message: `the grader ${file}:${blocking.range.start.line + 1} is not valid: ${blocking.message} [${blocking.code}]`,
      };
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) as Grader };
  }

  private loadFormat(file: string): Promise<Loaded<unknown>> {
    let p = this.formats.get(file);
    if (!p) {
      p = this.readText(file).then(
        (text): Loaded<unknown> => {
          try {
            return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
          } catch (e) {
            return {
              ok: false,
              message: `the response format ${file} is not valid JSON: ${(e as Error).message}`,
            };
          }
        },
        (e: Error): Loaded<unknown> => ({
          ok: false,
          message: `cannot read the response format ${file}: ${e.message}`,
        }),
      );
      this.formats.set(file, p);
    }
    return p;
  }

  /** Reads and runs one test file (text given: the editor's unsaved buffer). */
  async runFile(
    file: string,
    opts: {
      text?: string;
      /** Only these cases (by 0-based line); invalid lines are reported only when no filter is given. */
      lines?: ReadonlySet<number>;
      signal?: AbortSignal;
      onResult?: (r: GraderTestResult) => void;
    } = {},
  ): Promise<{ results: GraderTestResult[]; diagnostics: Diagnostic[] }> {
    const text = opts.text ?? (await this.readText(file));
    const parsed = parseGraderTests(text);
    const cases = opts.lines ? parsed.cases.filter((c) => opts.lines!.has(c.line)) : parsed.cases;
    const invalid = opts.lines
      ? []
      : parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => diagnosticResult(file, d));
    const results = [...invalid, ...(await this.runCases(file, cases, opts))];
    results.sort((a, b) => a.line - b.line);
    for (const r of invalid) opts.onResult?.(r);
    return { results, diagnostics: parsed.diagnostics };
  }

  /** Runs cases of one file; results come back in the cases' order. */
  async runCases(
    file: string,
    cases: readonly GraderTestCase[],
    opts: { signal?: AbortSignal; onResult?: (r: GraderTestResult) => void } = {},
  ): Promise<GraderTestResult[]> {
    const dir = path.dirname(file);
    const out = new Array<GraderTestResult>(cases.length);
    const later: Array<{ i: number; prepared: Prepared }> = [];
    for (let i = 0; i < cases.length; i++) {
      if (opts.signal?.aborted) break;
      const c = cases[i]!;
      const prepared = await this.prepare(file, dir, c);
      if ('result' in prepared) out[i] = prepared.result;
      else if (isSyncGrader(prepared.grader)) {
        const t0 = now();
        const r = prepared.engine.gradeSync(
          prepared.grader,
          c.item,
          buildSample(c.sample, prepared.sampleOpts),
        );
        out[i] = this.judge(file, c, r, now() - t0);
      } else {
        later.push({ i, prepared });
        continue;
      }
      opts.onResult?.(out[i]!);
    }
    let next = 0;
    const worker = async () => {
      while (next < later.length && !opts.signal?.aborted) {
        const { i, prepared } = later[next++]!;
        const c = cases[i]!;
        const t0 = now();
        try {
          const r = await prepared.engine.grade(
            prepared.grader,
            c.item,
            buildSample(c.sample, prepared.sampleOpts),
            opts.signal,
          );
          out[i] = this.judge(file, c, r, now() - t0);
        } catch (e) {
          if (opts.signal?.aborted) return;
          out[i] = this.errored(file, c, (e as Error).message);
        }
        opts.onResult?.(out[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, later.length) }, worker));
    return out.filter((r): r is GraderTestResult => r !== undefined);
  }

  private async prepare(
    file: string,
    dir: string,
    c: GraderTestCase,
  ): Promise<{ result: GraderTestResult } | Prepared> {
    const grader = await this.loadGrader(path.resolve(dir, c.grader));
    if (!grader.ok) return { result: this.errored(file, c, grader.message) };
    if (!this.opts.allowPython && usesType(grader.value, ['python']))
      return {
        result: this.errored(
          file,
          c,
          this.opts.pythonRefusal ?? 'python graders are not allowed to run here',
        ),
      };
    let engine = this.opts.engine;
    if (usesType(grader.value, ['score_model', 'label_model', 'cosine'])) {
      if (this.opts.modelEngine) {
        this.modelEngine ??= this.opts.modelEngine();
        const got = await this.modelEngine;
        if (typeof got === 'string') return { result: this.errored(file, c, got) };
        engine = got;
      } else if (!this.opts.modelAvailable)
        return {
          result: this.errored(
            file,
            c,
            this.opts.modelRefusal ?? 'this grader calls a model, and none is configured',
          ),
        };
    }
    let responseFormat: unknown;
    if (c.response_format !== undefined) {
      const rf = await this.loadFormat(path.resolve(dir, c.response_format));
      if (!rf.ok) return { result: this.errored(file, c, rf.message) };
      responseFormat = rf.value;
    }
    return {
      grader: grader.value,
      engine,
      sampleOpts: responseFormat === undefined ? {} : { responseFormat },
    };
  }

  private base(file: string, c: GraderTestCase): Omit<GraderTestResult, 'status' | 'reward' | 'durationMs'> {
    return {
      file,
      name: c.name,
      line: c.line,
      range: c.range,
      expected: describeExpect(c.expect),
      errors: [],
      details: [],
      sub_rewards: {},
    };
  }

  private errored(file: string, c: GraderTestCase, message: string): GraderTestResult {
    return { ...this.base(file, c), status: 'errored', reward: null, message, durationMs: 0 };
  }

  private judge(file: string, c: GraderTestCase, r: GraderResult, durationMs: number): GraderTestResult {
    const flags = raisedErrors(r.metadata.errors);
    const why = checkExpectation(c.expect, r.reward, flags);
    const details = (r.metadata.scores as { messages?: string[] }).messages ?? [];
    return {
      ...this.base(file, c),
      status: why ? 'failed' : 'passed',
      reward: r.reward,
      errors: flags,
      ...(why ? { message: why } : {}),
      details,
      sub_rewards: r.sub_rewards,
      durationMs,
    };
  }
}

/** The 1-based "file:line" people click on. */
export function caseLocation(r: Pick<GraderTestResult, 'file' | 'line'>, cwd?: string): string {
  const rel = cwd ? path.relative(cwd, r.file) : r.file;
  return `${rel && !rel.startsWith('..') ? rel : r.file}:${r.line + 1}`;
}
