// `rft-studio grade`: runs a grader locally over a dataset and its samples, with the platform's result
// shape per row and a summary; exit 0 when every row was graded, 1 when any row raised a grader error.
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../command';
import { EXIT, UsageError } from '../command';
import { GraderEngine } from '../../core/graders/engine';
import { detectSandbox } from '../../core/graders/python/sandbox';
import {
  pairSamplesFile,
  readDataItems,
  samplesFromField,
  type GradeRow,
  type InputProblem,
} from '../../core/graders/gradeInputs';
import { lintGraderText } from '../../core/graders/lint';
import { TOKENIZER_SWITCHES, type TokenizerSwitch } from '../../core/graders/textSimilarity';
import { checkInputFile, readInputText } from '../../core/io/inputFile';
import type { Grader, GraderResult } from '../../core/graders/types';
import { raisedErrors } from '../../core/graders/types';
import { createClient } from '../../core/providers/client';

const REPORTERS = ['text', 'json', 'jsonl'] as const;
type Reporter = (typeof REPORTERS)[number];

export interface GradeRowReport {
  line: number;
  id: unknown;
  sample: string;
  reward: number | null;
  sub_rewards: Record<string, number>;
  errors: string[];
  /** Why flags were raised (local detail, not in the platform result). */
  messages?: string[];
}

export interface GradeSummary {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Flag name → rows that raised it. */
  errors: Record<string, number>;
}

function usesType(g: Grader, types: readonly string[]): boolean {
  if (types.includes(g.type)) return true;
  if (g.type === 'multi') return Object.values(g.graders ?? {}).some((c) => usesType(c as Grader, types));
  if (g.type === 'text_similarity' && g.evaluation_metric === 'cosine') return types.includes('cosine');
  return false;
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  const text = await readInputText(file, what);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function rowReport(row: GradeRow, r: GraderResult | undefined): GradeRowReport {
  const sampleText = row.sample.output_text;
  if (!r)
    return {
      line: row.line,
      id: row.id ?? null,
      sample: sampleText,
      reward: null,
      sub_rewards: {},
      errors: ['sample_parse_error'],
      messages: [row.problem ?? 'not graded'],
    };
  const messages = (r.metadata.scores as { messages?: string[] }).messages;
  return {
    line: row.line,
    id: row.id ?? null,
    sample: sampleText,
    reward: r.reward,
    sub_rewards: r.sub_rewards,
    errors: raisedErrors(r.metadata.errors),
    ...(messages?.length ? { messages } : {}),
  };
}

export function summarize(rows: readonly GradeRowReport[]): GradeSummary {
  const rewards = rows.map((r) => r.reward).filter((x): x is number => typeof x === 'number');
  const errors: Record<string, number> = {};
  for (const r of rows) for (const e of r.errors) errors[e] = (errors[e] ?? 0) + 1;
  return {
    count: rows.length,
    mean: rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : null,
    min: rewards.length ? Math.min(...rewards) : null,
    max: rewards.length ? Math.max(...rewards) : null,
    errors,
  };
}

function fmt(x: number | null): string {
  return x === null ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(4);
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function textRow(r: GradeRowReport): string {
  const id =
    r.id === null || r.id === undefined
      ? ''
      : ` id=${typeof r.id === 'string' ? r.id : JSON.stringify(r.id)}`;
  const subs = Object.entries(r.sub_rewards)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(' ');
  let s = `line ${r.line}${id}  reward ${fmt(r.reward)}${subs ? `  (${subs})` : ''}  ${JSON.stringify(clip(r.sample, 60))}`;
  if (r.errors.length)
    s += `\n    ✘ ${r.errors.join(', ')}${r.messages?.length ? `: ${clip(r.messages.join('; '), 300)}` : ''}`;
  else if (r.messages?.length) s += `\n    ⚠ ${clip(r.messages.join('; '), 300)}`;
  return s;
}

function textSummary(s: GradeSummary): string {
  const errs = Object.entries(s.errors)
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  return `\n${s.count} row(s) graded · mean ${fmt(s.mean)} · min ${fmt(s.min)} · max ${fmt(s.max)}${errs ? ` · errors: ${errs}` : ' · no grader errors'}\n`;
}

function problemText(p: InputProblem, cwd: string): string {
  return `${path.relative(cwd, p.file) || p.file}:${p.line}: ${p.message}`;
}

export const gradeCommand: CliCommand = {
  name: 'grade',
  summary: 'run a grader locally over a dataset and its samples (graders/run result per row)',
  usage: `Usage: rft-studio grade --grader G.json --data ITEMS.jsonl [--samples SAMPLES.jsonl | --sample-field FIELD]
                        [--response-format RF.json] [--allow-python] [--concurrency N] [--reporter text|json|jsonl]

Grades every data line with the grader, locally: string_check and text_similarity in TypeScript, python
graders in a sandboxed local Python worker (only with --allow-python), score_model / label_model / cosine
through an OpenAI-compatible endpoint (OPENAI_API_KEY, or --base-url for a local server).

Samples:
  --samples FILE       one sample per line: {"output_text": "…"}, {"output_json": {…}}, {"output_tools": […]},
                       {"choices": […]} or a bare JSON string. Line i grades data line i; when samples carry an
                       "id" that matches the items' "id", they are matched by id (several per item allowed).
  --sample-field F     take the model output from field F (dotted path) of each data line instead.

Options:
  --grader FILE        grader JSON (required)
  --data FILE          dataset JSONL (required); RFT lines or {"item": {…}} lines
  --response-format F  the job's response_format (or its JSON schema): output_json is then required to parse
  --allow-python       run python graders (they execute code from the grader file) in a bubblewrap sandbox
  --allow-unsandboxed-python
                       also run them where no sandbox is available (no bwrap, not Linux, user namespaces
                       off): the grader's code then runs with your user's access to files and processes
  --python PATH        Python interpreter (default python3)
  --timeout SECONDS    python per-call time limit (default 120)
  --base-url URL       OpenAI-compatible endpoint for model graders (default OPENAI_BASE_URL or api.openai.com)
  --cache-dir DIR      cache model grader answers on disk (identical requests are not sent again)
  --concurrency N      parallel model requests (default 8)
  --tokenizer-switch S latin1 (default) or ascii: the text bleu, gleu and meteor tokenize with nltk word_tokenize
                       (the rest goes through the NIST tokenizer): printable Latin-1, as the grader service does, or
                       ASCII only, as a newer azure-ai-evaluation release does
  --reporter R         text (default), json ({"rows":[…],"summary":{…}}) or jsonl (a row per line, then the summary)

Exit codes: 0 every row graded (a reward of 0 counts), 1 a row raised a grader error, 2 usage or I/O error.
`,
  options: {
    grader: { type: 'string' },
    data: { type: 'string' },
    samples: { type: 'string' },
    'sample-field': { type: 'string' },
    'response-format': { type: 'string' },
    'allow-python': { type: 'boolean' },
    'allow-unsandboxed-python': { type: 'boolean' },
    python: { type: 'string' },
    timeout: { type: 'string' },
    'base-url': { type: 'string' },
    'cache-dir': { type: 'string' },
    concurrency: { type: 'string' },
    'tokenizer-switch': { type: 'string' },
    reporter: { type: 'string' },
  },
  async run({ values }, io: CliIO): Promise<number> {
    const v = values as Record<string, string | boolean | undefined>;
    const reporter = (v.reporter ?? 'text') as Reporter;
    if (!REPORTERS.includes(reporter))
      throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}`);
    if (typeof v.grader !== 'string') throw new UsageError('--grader is required');
    if (typeof v.data !== 'string') throw new UsageError('--data is required');
    if (v.samples !== undefined && v['sample-field'] !== undefined)
      throw new UsageError('use either --samples or --sample-field, not both');
    if (v.samples === undefined && v['sample-field'] === undefined)
      throw new UsageError('give the model outputs with --samples FILE or --sample-field FIELD');
    const concurrency = v.concurrency === undefined ? 8 : Number(v.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError('--concurrency must be a positive integer');
    const timeoutS = v.timeout === undefined ? 120 : Number(v.timeout);
    if (!(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
    const tokenizerSwitch = (v['tokenizer-switch'] ?? 'latin1') as TokenizerSwitch;
    if (!TOKENIZER_SWITCHES.includes(tokenizerSwitch))
      throw new UsageError(`--tokenizer-switch must be one of ${TOKENIZER_SWITCHES.join(', ')}`);
    const abs = (p: string) => path.resolve(io.cwd, p);

    const graderPath = abs(v.grader);
    // Every named input is checked before any work: a folder, a FIFO or a missing file fails fast and plainly.
    for (const flag of ['grader', 'data', 'samples', 'response-format'])
      if (typeof v[flag] === 'string') await checkInputFile(abs(v[flag]), `--${flag}`);
    const graderText = await readInputText(graderPath, '--grader');
    const responseFormat =
      typeof v['response-format'] === 'string'
        ? await readJsonFile(abs(v['response-format']), 'response format')
        : undefined;
    const blocking = lintGraderText(graderText, { path: graderPath, responseFormat }).filter(
      (d) =>
        d.severity === 'error' &&
        (d.code === 'grader/json-syntax' ||
          d.code === 'grader/json-too-deep' ||
          d.code === 'grader/schema' ||
          d.code === 'grader/formula-syntax'),
    );
    if (blocking.length) {
      for (const d of blocking)
        io.stderr(
          `${v.grader}:${d.range.start.line + 1}:${d.range.start.character + 1}: error ${d.message} [${d.code}]\n`,
        );
      io.stderr(
        `rft-studio grade: the grader is not valid; run \`rft-studio lint ${v.grader}\` for every problem\n`,
      );
      return EXIT.usage;
    }
    const grader = JSON.parse(graderText.replace(/^\uFEFF/, '')) as Grader;
    if (usesType(grader, ['python']) && !v['allow-python']) {
      io.stderr(
        'rft-studio grade: this grader runs Python code from the grader file; pass --allow-python to run it\n',
      );
      return EXIT.usage;
    }
    if (usesType(grader, ['python']) && !v['allow-unsandboxed-python']) {
      const sandbox = await detectSandbox({
        interpreter: typeof v.python === 'string' ? v.python : 'python3',
        env: io.env,
      });
      if (sandbox.kind === 'none') {
        io.stderr(
          `rft-studio grade: python graders run only in a sandbox, and none is available: ${sandbox.reason}\n`,
        );
        return EXIT.usage;
      }
    }
    const needsModel = usesType(grader, ['score_model', 'label_model', 'cosine']);
    const apiKey = io.env.OPENAI_API_KEY;
    const baseURL = typeof v['base-url'] === 'string' ? v['base-url'] : io.env.OPENAI_BASE_URL;
    if (needsModel && !apiKey && !baseURL) {
      io.stderr(
        'rft-studio grade: this grader calls a model (score_model, label_model or cosine); set OPENAI_API_KEY, or --base-url for a local OpenAI-compatible server\n',
      );
      return EXIT.usage;
    }

    const { items, problems } = await readDataItems(abs(v.data), io.signal);
    let rows: GradeRow[];
    const notes: string[] = [];
    if (typeof v.samples === 'string') {
      const paired = await pairSamplesFile(items, abs(v.samples), { responseFormat, signal: io.signal });
      rows = paired.rows;
      problems.push(...paired.problems);
      notes.push(...paired.notes);
    } else {
      try {
        rows = samplesFromField(items, String(v['sample-field']), { responseFormat });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    for (const p of problems) io.stderr(`${problemText(p, io.cwd)}\n`);
    for (const n of notes) io.stderr(`note: ${n}\n`);

    const engine = new GraderEngine({
      python: {
        allow: Boolean(v['allow-python']),
        allowUnsandboxed: Boolean(v['allow-unsandboxed-python']),
        interpreter: typeof v.python === 'string' ? v.python : undefined,
        timeoutMs: timeoutS * 1000,
        env: io.env,
      },
      textSimilarity: { tokenizerSwitch },
      modelClient: needsModel
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
      concurrency,
      cacheDir: typeof v['cache-dir'] === 'string' ? abs(v['cache-dir']) : undefined,
    });
    const gradable = rows.map((r, i) => ({ r, i })).filter(({ r }) => !r.problem);
    const results: Array<GraderResult | undefined> = new Array<GraderResult | undefined>(rows.length);
    const reports: GradeRowReport[] = new Array<GradeRowReport>(rows.length);
    // jsonl/text stream rows in order as soon as every earlier row is done.
    let printed = 0;
    const flush = () => {
      while (printed < rows.length && (rows[printed]!.problem || results[printed])) {
        const rep = rowReport(rows[printed]!, results[printed]);
        reports[printed] = rep;
        if (reporter === 'jsonl') io.stdout(`${JSON.stringify(rep)}\n`);
        else if (reporter === 'text') io.stdout(`${textRow(rep)}\n`);
        printed++;
      }
    };
    try {
      flush();
      await engine.gradeMany(
        grader,
        gradable.map(({ r }) => ({ item: r.item, sample: r.sample })),
        {
          signal: io.signal,
          onResult: (k, r) => {
            results[gradable[k]!.i] = r;
            flush();
          },
        },
      );
    } catch (e) {
      if (io.signal.aborted) {
        io.stderr('rft-studio grade: cancelled\n');
        return 130;
      }
      throw e;
    } finally {
      engine.dispose();
    }
    flush();
    const summary = summarize(reports);
    if (reporter === 'json') io.stdout(`${JSON.stringify({ rows: reports, summary }, null, 2)}\n`);
    else if (reporter === 'jsonl') io.stdout(`${JSON.stringify({ summary })}\n`);
    else io.stdout(textSummary(summary));
    if (problems.length) return EXIT.usage;
    return reports.some((r) => r.errors.length) ? EXIT.problems : EXIT.ok;
  },
};
