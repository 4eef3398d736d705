// `rft-studio eval`: run an eval spec (*.rfteval.json) against a provider — estimate first, confirmation, a progress
// line, the report and its gates — and compare the candidates of one run folder or of two saved runs.
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { CliCommand, CliIO } from '../command';
import { EXIT, UsageError } from '../command';
import { checkInputFile } from '../../core/io/inputFile';
import { createClient, describeApiError } from '../../core/providers';
import { EvalCache } from '../../core/evals/cache';
import { estimateEval } from '../../core/evals/estimate';
import { compareRuns, EvalReportError } from '../../core/evals/report';
import type { EvalProgress } from '../../core/evals/runner';
import { runEval } from '../../core/evals/runner';
import { EvalSpecError, loadEvalSpec } from '../../core/evals/spec';
import type { EvalReport } from '../../core/evals/types';
import { evalGatesJUnit } from '../reporters/junit';
import { providerFromArgs } from './jobsCommand';

const USAGE = `Usage: rft-studio eval run <spec.rfteval.json> [--yes] [--new] [--batch|--online] [--allow-python] [--reporter text|json|junit] [provider options]
       rft-studio eval compare <RUN_DIR> [RUN_DIR_B] [--reporter text|json]

run      Samples every candidate of the spec on its dataset (K samples per item), grades each sample locally, and
         writes a new run folder under .rft/evals/ (relative to the current folder). It prints the estimate (calls,
         tokens, cost) first and asks before spending; without a terminal it refuses unless --yes is given. A
         killed run resumes where it stopped (every request is cached under .rft/cache/evals/), and an unchanged
         rerun costs nothing. A progress line is shown on a terminal (stderr).
compare  The report of one run folder (its candidates, each against the first), or of two saved runs (the
         candidates of both, items paired by item key, a label both runs use shown as label@folder).

Provider options (run):
  --provider-url URL    API base URL (default https://api.openai.com/v1); the emulator: http://127.0.0.1:8787/v1
  --provider KIND       openai | azure | compatible (default: guessed from the URL)
  Keys come from the environment only: OPENAI_API_KEY (openai, compatible) or AZURE_OPENAI_API_KEY (azure).

Options:
  --yes                 run: do not ask before spending
  --new                 run: start a new run folder instead of resuming the spec's unfinished one
  --batch               run: sample through the provider's Batch API (as "mode": "batch" in the spec; half price,
                        up to 24 h; an interrupted run resumes its batches when run again)
  --online              run: sample online even when the spec says "mode": "batch" (with --new: the requests a
                        batch failed, expired or lost are sent online; the answered ones come from the cache)
  --allow-python        run: run python graders (in the bubblewrap sandbox)
  --reporter NAME       text (default), json, or junit (run: the spec's gates as test cases)

JSON (--reporter json): {"run": DIR, "candidates": [{"label", "model", "mean", "ci": [lo, hi], "samples",
  "errors", "pass_rate", "graders", "labels"?}], "comparisons": [{"a", "b", "difference", "ci": [lo, hi],
  "p_value", "sign_test_p_value", "wins", "ties", "losses", "items"}], "gates"?: [{"name", "passed", "message",
  "gate"}], "runs"?: [DIR_A, DIR_B]} — difference is mean(a) − mean(b) over the items both have; p_value is the
  two-sided Wilcoxon signed-rank test over per-item mean rewards.

Exit codes: 0 ok; 1 a sample failed beyond the retries, the run stopped early (spend limit, cancelled), a gate
failed, or the spec or the provider refused; 2 usage or I/O error, or spending not confirmed without a terminal.
`;

type Reporter = 'text' | 'json' | 'junit';

function reporterOf(v: unknown, sub: string): Reporter {
  if (v === undefined || v === 'text' || v === 'json') return (v ?? 'text') as Reporter;
  if (v === 'junit' && sub === 'run') return 'junit';
  throw new UsageError(
    `--reporter must be text or json${sub === 'run' ? ' or junit' : ''} (got "${String(v)}")`,
  );
}

/** How the command meets the terminal; tests give their own. */
export interface EvalTerminal {
  /** Whether a person can answer on stdin. */
  interactive: () => boolean;
  /** Whether stderr is a terminal (the progress line is drawn only there). */
  progressLine: () => boolean;
  /** Asks a yes/no question; true for yes. */
  confirm: (question: string, io: CliIO) => Promise<boolean>;
}

const processTerminal: EvalTerminal = {
  interactive: () => process.stdin.isTTY === true,
  progressLine: () => process.stderr.isTTY === true,
  async confirm(question, io) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const onAbort = () => rl.close();
    io.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await rl.question(question, { signal: io.signal });
      return /^y(es)?$/i.test(answer.trim());
    } catch {
      return false;
    } finally {
      io.signal.removeEventListener('abort', onAbort);
      rl.close();
    }
  },
};

// ───────────────────────────── the text reporter ─────────────────────────────

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function signed(x: number): string {
  return Number.isFinite(x) ? `${x > 0 ? '+' : ''}${x.toFixed(3)}` : '–';
}

function pValue(x: number): string {
  return !Number.isFinite(x) ? '–' : x < 0.0001 ? '<0.0001' : x.toFixed(4);
}

const MAX_LABEL_ROWS = 20;

/** Left-aligned columns (numbers right-aligned), two spaces apart. */
function table(head: string[], rows: string[][], numeric: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function relDir(io: CliIO, dir: string): string {
  const rel = path.relative(io.cwd, dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

export function reportText(report: EvalReport, heading: string): string {
  const out: string[] = [heading, ''];
  out.push(
    table(
      ['candidate', 'model', 'mean', '95% CI', 'pass rate', 'samples', 'errors'],
      report.candidates.map((c) => [
        c.label,
        c.model,
        fmt(c.mean),
        `[${fmt(c.ci[0])}, ${fmt(c.ci[1])}]`,
        Number.isFinite(c.pass_rate) ? `${(c.pass_rate * 100).toFixed(1)}%` : '–',
        String(c.samples),
        String(c.errors),
      ]),
      [false, false, true, false, true, true, true],
    ),
  );
  if (report.comparisons.length)
    out.push(
      '',
      table(
        ['a − b', 'difference', '95% CI', 'p (Wilcoxon)', 'p (sign)', 'wins', 'ties', 'losses', 'items'],
        report.comparisons.map((c) => [
          `${c.a} − ${c.b}`,
          signed(c.difference),
          `[${signed(c.ci[0])}, ${signed(c.ci[1])}]`,
          pValue(c.p_value),
          pValue(c.sign_test_p_value),
          String(c.wins),
          String(c.ties),
          String(c.losses),
          String(c.items),
        ]),
        [false, true, false, true, true, true, true, true, true],
      ),
    );
  const graders = [...new Set(report.candidates.flatMap((c) => Object.keys(c.graders)))];
  if (graders.length > 1)
    out.push(
      '',
      table(
        ['grader', ...report.candidates.map((c) => c.label)],
        graders.map((g) => [g, ...report.candidates.map((c) => fmt(c.graders[g] ?? Number.NaN))]),
        [false, ...report.candidates.map(() => true)],
      ),
    );
  const allLabels = [...new Set(report.candidates.flatMap((c) => Object.keys(c.labels ?? {})))].sort();
  // A label field with many values (ids, numbers) would bury the headline numbers: the first ones are shown.
  const labels = allLabels.slice(0, MAX_LABEL_ROWS);
  if (labels.length)
    out.push(
      '',
      table(
        ['label (items)', ...report.candidates.map((c) => c.label)],
        labels.map((l) => [
          `${l} (${Math.max(...report.candidates.map((c) => c.labels?.[l]?.items ?? 0))})`,
          ...report.candidates.map((c) => fmt(c.labels?.[l]?.mean ?? Number.NaN)),
        ]),
        [false, ...report.candidates.map(() => true)],
      ),
    );
  if (allLabels.length > labels.length)
    out.push(`(${allLabels.length - labels.length} more label(s): --reporter json lists them all)`);
  if (report.gates?.length) {
    out.push('', 'Gates:');
    for (const g of report.gates) out.push(`  ${g.passed ? '✔' : '✖'} ${g.name}: ${g.message}`);
  }
  return `${out.join('\n')}\n`;
}

// ───────────────────────────── eval run ─────────────────────────────

function progressText(name: string, p: EvalProgress): string {
  const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
  return `eval ${name}: ${p.done}/${p.total} samples (${pct}%), ${p.cached} cached, ${p.failed} failed, $${p.spentUsd.toFixed(3)} spent`;
}

async function run(
  file: string,
  values: Record<string, unknown>,
  io: CliIO,
  reporter: Reporter,
  term: EvalTerminal,
): Promise<number> {
  const specPath = path.resolve(io.cwd, file);
  await checkInputFile(specPath);
  const { config, apiKey } = providerFromArgs(values, io.env);
  let spec;
  try {
    spec = await loadEvalSpec(specPath, io.signal);
  } catch (e) {
    if (!(e instanceof EvalSpecError)) throw e;
    io.stderr(`rft-studio eval: ${relDir(io, specPath)}: ${e.message}\n`);
    return EXIT.problems;
  }
  if (values.batch === true && values.online === true)
    throw new UsageError('--batch and --online contradict each other: choose one');
  if (values.batch === true) {
    spec.mode = 'batch';
    spec.resolved.mode = 'batch';
  } else if (values.online === true && spec.mode === 'batch') {
    spec.mode = 'online';
    spec.resolved.mode = 'online';
  }
  const named = spec.candidates.filter((c) => c.provider).map((c) => c.label);
  if (named.length)
    io.stderr(
      `rft-studio eval: candidate(s) ${named.join(', ')} name a provider; on the command line every candidate uses --provider-url (${config.baseURL})\n`,
    );
  const client = createClient(config, { apiKey });
  const root = io.cwd;
  const estimate = await estimateEval(spec, {
    baseUrlOf: () => client.baseURL,
    cache: EvalCache.forWorkspace(root),
  });
  io.stderr(`${estimate.summary}\n`);
  if (estimate.calls > estimate.cached && values.yes !== true) {
    if (!term.interactive()) {
      io.stderr(
        'rft-studio eval: not run: spending needs a confirmation and there is no terminal to ask; pass --yes to run without asking\n',
      );
      return EXIT.usage;
    }
    if (!(await term.confirm('Run it? [y/N] ', io))) {
      io.stderr('Not run.\n');
      return EXIT.ok;
    }
  }

  const showProgress = term.progressLine();
  let lastDraw = 0;
  let drawn = false;
  const onProgress = (p: EvalProgress) => {
    if (!showProgress) return;
    const now = Date.now();
    if (now - lastDraw < 100 && p.done < p.total) return;
    lastDraw = now;
    drawn = true;
    io.stderr(`\r\x1b[2K${progressText(spec.name, p)}`);
  };
  let result;
  try {
    result = await runEval(
      spec,
      {
        clientFor: () => ({ client, kind: config.kind }),
        grading: { python: { allow: values['allow-python'] === true, env: io.env } },
      },
      {
        root,
        signal: io.signal,
        onProgress,
        resume: values.new !== true,
      },
    );
  } catch (e) {
    if (drawn) io.stderr('\n');
    const info = describeApiError(e);
    io.stderr(`rft-studio eval: ${info.message}\n`);
    return EXIT.problems;
  }
  if (drawn) io.stderr('\n');
  const { dir, manifest, report } = result;
  const where = relDir(io, dir);
  if (!report) {
    io.stderr(`rft-studio eval: the run ${where} ended (${manifest.status}) before any sample finished\n`);
    return EXIT.problems;
  }
  const problems: string[] = [];
  if (manifest.counts.failed > 0)
    problems.push(
      `${manifest.counts.failed} sample(s) failed beyond the retries (see error in ${where}/results.jsonl)`,
    );
  if (manifest.status === 'spend_limit')
    problems.push('the run stopped at the spend limit before every sample was taken');
  else if (manifest.status === 'cancelled')
    problems.push('the run was cancelled; run the same command to resume it');
  else if (manifest.status === 'failed') problems.push('the run failed; run the same command to resume it');
  for (const g of report.gates ?? []) if (!g.passed) problems.push(`gate "${g.name}" failed: ${g.message}`);

  if (reporter === 'json') io.stdout(`${JSON.stringify(report)}\n`);
  else if (reporter === 'junit')
    io.stdout(evalGatesJUnit(report.gates ?? [], { specPath, cwd: io.cwd, run: where }));
  else
    io.stdout(
      reportText(
        report,
        `Run ${where} (${manifest.status}${result.resumed ? ', resumed' : ''}): ${manifest.counts.requests} request(s), ${manifest.counts.cached} cached, ${manifest.counts.failed} failed`,
      ),
    );
  for (const p of problems) io.stderr(`rft-studio eval: ${p}\n`);
  return problems.length ? EXIT.problems : EXIT.ok;
}

// ───────────────────────────── eval compare ─────────────────────────────

async function compare(dirs: string[], io: CliIO, reporter: Reporter): Promise<number> {
  const [a, b] = dirs.map((d) => path.resolve(io.cwd, d));
  let result;
  try {
    result = await compareRuns(a, b, { signal: io.signal });
  } catch (e) {
    if (!(e instanceof EvalReportError)) throw e;
    io.stderr(`rft-studio eval: ${e.message}\n`);
    return EXIT.usage;
  }
  for (const n of result.notes) io.stderr(`rft-studio eval: note: ${n}\n`);
  const { report } = result;
  if (reporter === 'json') io.stdout(`${JSON.stringify(report)}\n`);
  else
    io.stdout(
      reportText(
        report,
        b === undefined ? `Run ${relDir(io, a)}` : `Runs ${relDir(io, a)} and ${relDir(io, b)}`,
      ),
    );
  return EXIT.ok;
}

/** The command; tests give their own terminal. */
export function createEvalCommand(term: EvalTerminal = processTerminal): CliCommand {
  return {
    name: 'eval',
    summary: 'run an eval spec (*.rfteval.json) and compare candidates or saved runs',
    usage: USAGE,
    allowPositionals: true,
    options: {
      'provider-url': { type: 'string' },
      provider: { type: 'string' },
      yes: { type: 'boolean' },
      new: { type: 'boolean' },
      batch: { type: 'boolean' },
      online: { type: 'boolean' },
      'allow-python': { type: 'boolean' },
      reporter: { type: 'string' },
    },
    async run({ values, positionals }, io) {
      const [sub, ...args] = positionals;
      if (!sub) throw new UsageError('name a subcommand: run or compare');
      if (sub !== 'run' && sub !== 'compare')
        throw new UsageError(`unknown subcommand "${sub}" (run or compare)`);
      const reporter = reporterOf(values.reporter, sub);
      if (sub === 'run') {
        if (args.length !== 1)
          throw new UsageError(
            args.length ? `one spec at a time (got ${args.length})` : 'name the eval spec (*.rfteval.json)',
          );
        return run(args[0], values, io, reporter, term);
      }
      for (const flag of ['yes', 'new', 'batch', 'online', 'allow-python', 'provider-url', 'provider'])
        if (values[flag] !== undefined)
          throw new UsageError(`--${flag} is an option of eval run, not of eval compare`);
      if (args.length < 1 || args.length > 2) throw new UsageError('name one or two run folders');
      return compare(args, io, reporter);
    },
  };
}

export const evalCommand = createEvalCommand();
