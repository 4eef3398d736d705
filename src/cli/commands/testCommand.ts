// `rft-studio test [PATHS…]`: runs grader unit tests (`*.gradertest.jsonl`) with the local engine and reports them
// as text, JSON, JUnit XML or SARIF; exit 0 when every case passed, 1 when any failed or errored, 2 on usage errors.
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../command';
import { EXIT, UsageError } from '../command';
import { GraderEngine } from '../../core/graders/engine';
import { findGraderTestFiles } from '../../core/gradertests/discover';
import { GRADER_TEST_RULES } from '../../core/gradertests/parse';
import { GraderTestRunner, type GraderTestResult } from '../../core/gradertests/run';
import { readInputText } from '../../core/io/inputFile';
import { createClient } from '../../core/providers/client';
import type { Diagnostic } from '../../core/diagnostics';
import { graderTestsJUnit } from '../reporters/junit';
import { renderSarif, type FileReport } from '../reporters/diagnosticsReporter';

const REPORTERS = ['text', 'json', 'junit', 'sarif'] as const;
type Reporter = (typeof REPORTERS)[number];

export interface GraderTestSummary {
  files: number;
  cases: number;
  passed: number;
  failed: number;
  errored: number;
}

export function summarizeTests(results: readonly GraderTestResult[], files: number): GraderTestSummary {
  const count = (s: GraderTestResult['status']) => results.filter((r) => r.status === s).length;
  return {
    files,
    cases: results.length,
    passed: count('passed'),
    failed: count('failed'),
    errored: count('errored'),
  };
}

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

function textLine(r: GraderTestResult, cwd: string): string {
  const where = `${rel(cwd, r.file)}:${r.line + 1}`;
  const mark = r.status === 'passed' ? '✔' : r.status === 'failed' ? '✘' : '!';
  let s = `${mark} ${where}  ${r.name}`;
  if (r.status === 'passed') return `${s}  (reward ${r.reward})`;
  s += `\n    ${r.message ?? r.status}`;
  for (const d of r.details) s += `\n    note: ${d}`;
  return s;
}

function jsonReport(results: readonly GraderTestResult[], summary: GraderTestSummary, cwd: string): string {
  return `${JSON.stringify(
    {
      results: results.map((r) => ({
        file: rel(cwd, r.file),
        line: r.line + 1,
        name: r.name,
        status: r.status,
        expected: r.expected,
        reward: r.reward,
        errors: r.errors,
        ...(r.message ? { message: r.message } : {}),
        ...(Object.keys(r.sub_rewards).length ? { sub_rewards: r.sub_rewards } : {}),
        duration_ms: Math.round(r.durationMs * 1000) / 1000,
      })),
      summary,
    },
    null,
    2,
  )}\n`;
}

/** Failing and erroring cases as SARIF results at their line (GitHub code scanning shows them in the diff). */
function sarifReport(
  results: readonly GraderTestResult[],
  diagnostics: Map<string, Diagnostic[]>,
  cwd: string,
): string {
  const files = new Map<string, Diagnostic[]>();
  for (const [f, ds] of diagnostics)
    files.set(
      f,
      ds.filter((d) => d.severity !== 'error'),
    );
  for (const r of results) {
    if (r.status === 'passed') continue;
    const list = files.get(r.file) ?? [];
    list.push({
      range: r.range,
      severity: 'error',
      code: r.status === 'failed' ? 'gradertest/failed' : 'gradertest/errored',
      message: `${r.name}: ${r.message ?? r.status} (expected ${r.expected})`,
    });
    files.set(r.file, list);
  }
  const reports: FileReport[] = [...files].map(([p, ds]) => ({ path: p, diagnostics: ds }));
  return renderSarif(reports, { cwd, rules: GRADER_TEST_RULES });
}

export const testCommand: CliCommand = {
  name: 'test',
  summary: 'run grader unit tests (*.gradertest.jsonl) with the local engine; text, JSON, JUnit or SARIF',
  usage: `Usage: rft-studio test [PATHS…] [--reporter text|json|junit|sarif] [--allow-python] [--base-url URL]

Runs grader unit tests: every line of a *.gradertest.jsonl file is one case,
  {"name": "…", "grader": "PATH relative to the file", "item": {…}, "sample": {"output_text": "…"}, "expect": {"reward": 1}}
where "expect" holds an exact "reward" (within "tolerance", default 1e-6) or a range ("min" and/or "max", inclusive),
and optionally "errors": the error flags the grader must raise ([] for none; without it any raised flag fails).
"sample" may hold "output_json" instead of "output_text"; "response_format" (a path) makes output_text parse as JSON.

PATHS are test files or folders (default: the current folder); folders are searched for *.gradertest.jsonl,
skipping node_modules and .git.

Options:
  --reporter R         text (default), json ({"results": […], "summary": {…}}), junit (JUnit XML: a testsuite per
                       file, a testcase per case, failures with expected/actual and file:line) or sarif
  --allow-python       run python graders (they execute code from the grader file) in a bubblewrap sandbox;
                       without it their cases error
  --allow-unsandboxed-python
                       also run them where no sandbox is available (the code then runs with your user's access)
  --python PATH        Python interpreter (default python3)
  --timeout SECONDS    python per-call time limit (default 120)
  --base-url URL       OpenAI-compatible endpoint for model graders (default OPENAI_BASE_URL; with neither it nor
                       OPENAI_API_KEY set, cases of score_model / label_model / cosine graders error)

Exit codes: 0 every case passed, 1 a case failed or could not run (or a line is not a valid case), 2 usage or I/O
error (including no test files found).
`,
  allowPositionals: true,
  options: {
    reporter: { type: 'string' },
    'allow-python': { type: 'boolean' },
    'allow-unsandboxed-python': { type: 'boolean' },
    python: { type: 'string' },
    timeout: { type: 'string' },
    'base-url': { type: 'string' },
  },
  async run({ values, positionals }, io: CliIO): Promise<number> {
    const v = values as Record<string, string | boolean | undefined>;
    const reporter = (v.reporter ?? 'text') as Reporter;
    if (!REPORTERS.includes(reporter))
      throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}`);
    const timeoutS = v.timeout === undefined ? 120 : Number(v.timeout);
    if (!(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
    const files = await findGraderTestFiles(positionals, io.cwd, io.signal);
    if (!files.length) {
      io.stderr(
        `rft-studio test: no *.gradertest.jsonl files under ${positionals.length ? positionals.join(', ') : 'the current folder'}\n`,
      );
      return EXIT.usage;
    }
    const apiKey = io.env.OPENAI_API_KEY;
    const baseURL = typeof v['base-url'] === 'string' ? v['base-url'] : io.env.OPENAI_BASE_URL;
    const modelAvailable = Boolean(apiKey || baseURL);
    const engine = new GraderEngine({
      python: {
        allow: Boolean(v['allow-python']),
        allowUnsandboxed: Boolean(v['allow-unsandboxed-python']),
        interpreter: typeof v.python === 'string' ? v.python : undefined,
        timeoutMs: timeoutS * 1000,
        env: io.env,
      },
      modelClient: modelAvailable
        ? createClient(
            {
              id: 'cli',
              kind: baseURL ? 'compatible' : 'openai',
              label: 'CLI',
              baseURL: baseURL ?? 'https://api.openai.com/v1',
              auth: apiKey ? 'apiKey' : 'none',
            },
            { apiKey },
          )
        : undefined,
    });
    const runner = new GraderTestRunner({
      engine,
      allowPython: Boolean(v['allow-python']),
      pythonRefusal: 'this grader runs Python code from the grader file; pass --allow-python to run it',
      modelAvailable,
      modelRefusal:
        'this grader calls a model (score_model, label_model or cosine); set OPENAI_API_KEY, or --base-url for a local OpenAI-compatible server',
    });
    const results: GraderTestResult[] = [];
    const diagnostics = new Map<string, Diagnostic[]>();
    const t0 = performance.now();
    try {
      for (const file of files) {
        const text = await readInputText(file, 'test file');
        const out = await runner.runFile(file, { text, signal: io.signal });
        if (io.signal.aborted) break;
        results.push(...out.results);
        diagnostics.set(file, out.diagnostics);
        if (reporter === 'text') for (const r of out.results) io.stdout(`${textLine(r, io.cwd)}\n`);
        for (const d of out.diagnostics)
          if (d.severity !== 'error')
            io.stderr(
              `${rel(io.cwd, file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.message} [${d.code}]\n`,
            );
      }
    } finally {
      engine.dispose();
    }
    if (io.signal.aborted) {
      io.stderr('rft-studio test: cancelled\n');
      return 130;
    }
    const summary = summarizeTests(results, files.length);
    const ms = performance.now() - t0;
    if (reporter === 'json') io.stdout(jsonReport(results, summary, io.cwd));
    else if (reporter === 'junit') io.stdout(graderTestsJUnit(results, { cwd: io.cwd }));
    else if (reporter === 'sarif') io.stdout(sarifReport(results, diagnostics, io.cwd));
    else
      io.stdout(
        `\n${summary.passed} passed, ${summary.failed} failed, ${summary.errored} errored · ${summary.cases} case(s) in ${summary.files} file(s) · ${ms.toFixed(0)} ms\n`,
      );
    return summary.failed || summary.errored ? EXIT.problems : EXIT.ok;
  },
};
