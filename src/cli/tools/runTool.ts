// Runs one agent tool: checks the input against the tool's schema, confines every file argument to the allowed
// roots, runs the CLI command in-process (file tools) or the jobs API (job tools), and returns a short summary for
// the model plus the JSON report, both capped in size and scrubbed of secrets. A tool that spends (an eval run)
// estimates first and runs only when the caller's confirmSpend agrees.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type OpenAI from 'openai';
import { dispatch } from '../dispatch';
import { evalCommand } from '../commands/evalCommand';
import { gradeCommand } from '../commands/gradeCommand';
import { labCommand } from '../commands/labCommand';
import { lintCommand } from '../commands/lintCommand';
import { statsCommand } from '../commands/statsCommand';
import { validateCommand } from '../commands/validateCommand';
import { EvalCache } from '../../core/evals/cache';
import { estimateEval, type EvalEstimate } from '../../core/evals/estimate';
import { EvalSpecError, loadEvalSpec } from '../../core/evals/spec';
import { JobsService } from '../../core/jobs/jobsService';
import { jobStatusReport } from '../../core/jobs/jobStatusReport';
import { TOOLS, toolByName, type ToolDefinition } from './catalogue';
import { summarize } from './summaries';

export interface ToolContext {
  /** Absolute folders the tool may read; relative paths resolve against the first. */
  roots: readonly string[];
  /** Python graders may run (in their sandbox). */
  allowPython: boolean;
  /** The client for job tools; without it they answer that no provider is configured. */
  jobsClient?: () => Promise<OpenAI>;
  /** Where model graders (score_model, label_model) send requests, and the key variables they need. */
  modelGraders?: { baseUrl: string; env: Record<string, string> };
  /**
   * Asked, with the estimate, before a `spends` tool sends anything that is not cached; true to go ahead. Without
   * it such a tool never spends. VS Code: its own confirmation was given before invoke (prepareInvocation); MCP: the
   * client asks the user (elicitation), or the model passes `confirm: true` after showing the estimate.
   */
  confirmSpend?: (estimate: EvalEstimate, input: Record<string, unknown>) => Promise<boolean>;
  /** Strings that must never appear in a result (API keys). */
  secrets?: readonly string[];
  log: (line: string) => void;
  signal?: AbortSignal;
  limits?: Partial<ToolLimits>;
}

export interface ToolLimits {
  /** Characters of the text summary. */
  summaryChars: number;
  /** Characters of the serialized JSON report. */
  dataChars: number;
}

export const DEFAULT_LIMITS: ToolLimits = { summaryChars: 6_000, dataChars: 100_000 };

export interface ToolResult {
  /** false when the tool could not run or the command exited 2 (usage or I/O error). */
  ok: boolean;
  /** The CLI exit code for file tools: 0 ok, 1 problems found, 2 usage or I/O error. */
  exitCode: number;
  summary: string;
  data: unknown;
  /** Set when the JSON report was cut to fit; says what was cut. */
  truncated?: string;
}

/** Input the tool refuses before running anything (schema, a path outside the roots, no provider). */
export class ToolInputError extends Error {}

/** The commands file tools run (only these, so the extension bundle does not carry the rest of the CLI). */
const FILE_TOOL_COMMANDS = [
  evalCommand,
  gradeCommand,
  labCommand,
  lintCommand,
  statsCommand,
  validateCommand,
];

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>(TOOLS.map((t) => [t.name, ajv.compile(t.inputSchema)]));

/** Resolves a file argument and refuses it unless it lies inside one of the roots (symlinks resolved). */
export function confinePath(p: string, roots: readonly string[], field: string): string {
  if (!roots.length) throw new ToolInputError('no workspace folder is open, so no file can be read');
  if (p.includes('\0')) throw new ToolInputError(`${field}: the path contains a NUL character`);
  const abs = nodePath.resolve(roots[0], p);
  const real = realpathOfExistingPrefix(abs);
  for (const root of roots) {
    const rootReal = realpathOfExistingPrefix(nodePath.resolve(root));
    const rel = nodePath.relative(rootReal, real);
    if (rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel))) return abs;
  }
  throw new ToolInputError(
    `${field}: ${p} is outside the allowed folders (${roots.join(', ')}); only files inside them can be read`,
  );
}

function realpathOfExistingPrefix(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return nodePath.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = nodePath.dirname(head);
      if (parent === head) return abs;
      tail.push(nodePath.basename(head));
      head = parent;
    }
  }
}

/** The path as the CLI is given it: relative to the first root when inside it (as a user would type it). */
function cliPath(abs: string, roots: readonly string[]): string {
  const rel = nodePath.relative(roots[0], abs);
  return rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : abs;
}

type Input = Record<string, unknown>;

function checkInput(tool: ToolDefinition, input: unknown, roots: readonly string[]): Input {
  const validate = validators.get(tool.name)!;
  if (!validate(input)) {
    const why = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(input)'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new ToolInputError(`invalid input for ${tool.name}: ${why}`);
  }
  const out: Input = { ...(input as unknown as Input) };
  for (const field of tool.pathFields) {
    const v = out[field];
    if (typeof v === 'string') out[field] = cliPath(confinePath(v, roots, field), roots);
    else if (Array.isArray(v))
      out[field] = v.map((x, i) => cliPath(confinePath(String(x), roots, `${field}[${i}]`), roots));
  }
  return out;
}

/** The CLI arguments a file tool runs (the same command a user would type, with `--reporter json`). */
export function cliArgsFor(
  name: string,
  input: Input,
  ctx: Pick<ToolContext, 'allowPython' | 'modelGraders'>,
): string[] {
  const opt = (flag: string, v: unknown) => (v === undefined ? [] : [flag, String(v)]);
  switch (name) {
    case 'rft_validate_dataset':
      return [
        'validate',
        ...(input.pair ? ['--pair', `${input.path},${input.pair}`] : [String(input.path)]),
        ...opt('--format', input.format),
        ...opt('--provider', input.provider),
        '--reporter',
        'json',
      ];
    case 'rft_dataset_stats':
      return [
        'stats',
        String(input.path),
        ...opt('--field', input.field),
        ...opt('--pair', input.pair),
        '--reporter',
        'json',
      ];
    case 'rft_lint_grader':
      return [
        'lint',
        String(input.grader),
        ...((input.data as string[] | undefined) ?? []).flatMap((d) => ['--data', d]),
        ...opt('--response-format', input.response_format),
        '--reporter',
        'json',
      ];
    case 'rft_grade':
      return [
        'grade',
        '--grader',
        String(input.grader),
        '--data',
        String(input.data),
        ...opt('--samples', input.samples),
        ...opt('--sample-field', input.sample_field),
        ...opt('--response-format', input.response_format),
        ...(ctx.allowPython ? ['--allow-python'] : []),
        ...(ctx.modelGraders ? ['--base-url', ctx.modelGraders.baseUrl] : []),
        '--reporter',
        'json',
      ];
    case 'rft_lab_analyze':
      return [
        'lab',
        ...(input.graders as string[]).flatMap((g) => ['--grader', g]),
        '--data',
        String(input.data),
        '--samples',
        String(input.samples),
        ...opt('--response-format', input.response_format),
        ...opt('--threshold', input.threshold),
        ...(ctx.allowPython ? ['--allow-python'] : []),
        ...(ctx.modelGraders ? ['--base-url', ctx.modelGraders.baseUrl] : []),
        '--reporter',
        'json',
      ];
    case 'rft_eval_run':
      return [
        'eval',
        'run',
        String(input.spec),
        // The tool layer has the user's confirmation by now (confirmSpend), and there is no terminal to ask.
        '--yes',
        ...(input.new ? ['--new'] : []),
        ...(ctx.allowPython ? ['--allow-python'] : []),
        ...(ctx.modelGraders ? ['--provider-url', ctx.modelGraders.baseUrl] : []),
        '--reporter',
        'json',
      ];
    case 'rft_eval_summary':
      return [
        'eval',
        'compare',
        String(input.run),
        ...(input.compare_with === undefined ? [] : [String(input.compare_with)]),
        '--reporter',
        'json',
      ];
    default:
      throw new ToolInputError(`${name} is not a file tool`);
  }
}

/** Runs `rft-studio ARGS` in-process, capturing its output. */
async function runCliCaptured(
  argv: string[],
  ctx: ToolContext,
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await dispatch(
    argv,
    {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: ctx.roots[0],
      env,
      signal: ctx.signal ?? new AbortController().signal,
    },
    FILE_TOOL_COMMANDS,
  );
  return { code, stdout, stderr };
}

function parseJsonOutput(stdout: string): unknown {
  const text = stdout.trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    // JSON lines (one object per line)
    return text.split('\n').map((l) => JSON.parse(l) as unknown);
  }
}

export async function runTool(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  const tool = toolByName(name);
  if (!tool)
    throw new ToolInputError(`unknown tool ${name}; the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
  const limits = { ...DEFAULT_LIMITS, ...ctx.limits };
  const t0 = Date.now();
  let result: ToolResult;
  let input: Input = {};
  try {
    input = checkInput(tool, rawInput ?? {}, ctx.roots);
    result =
      tool.risk === 'network' ? await runJobTool(tool, input, ctx) : await runFileTool(tool, input, ctx);
  } catch (e) {
    const message = e instanceof ToolInputError ? e.message : `${tool.name} failed: ${(e as Error).message}`;
    result = { ok: false, exitCode: 2, summary: message, data: { error: message } };
  }
  const capped = capJson(result.data, limits.dataChars);
  const out: ToolResult = {
    ...result,
    summary: capText(result.summary, limits.summaryChars),
    data: capped.value,
    ...(capped.note ? { truncated: capped.note } : {}),
  };
  const scrubbed = scrub(out, ctx.secrets ?? []);
  ctx.log(
    `tool ${tool.name} ${describeInput(input)} → ${scrubbed.ok ? 'ok' : 'error'} (exit ${scrubbed.exitCode}) in ${Date.now() - t0} ms${capped.note ? ', output cut' : ''}`,
  );
  return scrubbed;
}

async function runFileTool(tool: ToolDefinition, input: Input, ctx: ToolContext): Promise<ToolResult> {
  let scratch: string | undefined;
  try {
    if (tool.name === 'rft_grade' && Array.isArray(input.outputs)) {
      if (input.samples || input.sample_field)
        throw new ToolInputError('give samples, sample_field or outputs, not several');
      scratch = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rft-tool-'));
      const file = nodePath.join(scratch, 'samples.jsonl');
      fs.writeFileSync(
        file,
        (input.outputs as string[]).map((o) => JSON.stringify({ output_text: o })).join('\n') + '\n',
      );
      input = { ...input, samples: file };
    }
    if (tool.risk === 'spends') {
      if (!ctx.modelGraders)
        throw new ToolInputError(
          'no provider is configured: add one in VS Code ("RFT Studio: Add Provider"), or start `rft-studio mcp` with --provider-url and the key in the environment',
        );
      const estimate = await estimateSpec(
        nodePath.resolve(ctx.roots[0], String(input.spec)),
        ctx.modelGraders.baseUrl,
        ctx.roots[0],
        ctx.signal,
      );
      if (estimate.calls > estimate.cached && !(await ctx.confirmSpend?.(estimate, input))) {
        const data = { run: false, estimate: compactEstimate(estimate) };
        return {
          ok: true,
          exitCode: 0,
          summary: `Not run, nothing was sent: spending needs the user's confirmation. ${estimate.summary} Show this estimate to the user; call again with confirm: true only if they agree.`,
          data,
        };
      }
    }
    const argv = cliArgsFor(tool.name, input, ctx);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...ctx.modelGraders?.env };
    const { code, stdout, stderr } = await runCliCaptured(argv, ctx, env);
    const data = code === 2 ? { error: stderr.trim() || `exit ${code}` } : parseJsonOutput(stdout);
    const summary =
      code === 2
        ? `${tool.name} could not run: ${stderr.trim() || `exit ${code}`}`
        : summarize(tool.name, data, code);
    return { ok: code !== 2, exitCode: code, summary, data };
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** What running an eval spec would send and cost; the spec's problems are refused as tool input. */
export async function estimateSpec(
  specPath: string,
  baseUrl: string,
  root: string,
  signal?: AbortSignal,
): Promise<EvalEstimate> {
  try {
    const spec = await loadEvalSpec(specPath, signal);
    return await estimateEval(spec, { baseUrlOf: () => baseUrl, cache: EvalCache.forWorkspace(root) });
  } catch (e) {
    if (e instanceof EvalSpecError) throw new ToolInputError(`spec: ${e.message}`);
    throw e;
  }
}

function compactEstimate(e: EvalEstimate) {
  return {
    items: e.items,
    samples_per_item: e.samplesPerItem,
    calls: e.calls,
    cached: e.cached,
    prompt_tokens: e.promptTokens,
    usd: Number(e.usd.toFixed(4)),
    unpriced: e.unpriced,
    summary: e.summary,
  };
}

async function runJobTool(tool: ToolDefinition, input: Input, ctx: ToolContext): Promise<ToolResult> {
  if (!ctx.jobsClient)
    throw new ToolInputError(
      'no provider is configured: add one in VS Code ("RFT Studio: Add Provider"), or start `rft-studio mcp` with --provider-url and the key in the environment',
    );
  const service = new JobsService(await ctx.jobsClient());
  if (tool.name === 'rft_list_jobs') {
    const { jobs, hasMore } = await service.list({
      limit: (input.limit as number | undefined) ?? 20,
      signal: ctx.signal,
    });
    const data = { jobs, has_more: hasMore };
    return { ok: true, exitCode: 0, summary: summarize(tool.name, data, 0), data };
  }
  const data = await jobStatusReport(service, String(input.job_id), ctx.signal);
  return { ok: true, exitCode: 0, summary: summarize(tool.name, data, 0), data };
}

function describeInput(input: Input): string {
  const parts = Object.entries(input)
    .filter(([k]) => k !== 'outputs')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  if (Array.isArray(input.outputs)) parts.push(`outputs=${input.outputs.length}`);
  return parts.join(' ');
}

function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… (cut at ${max} characters of ${text.length})`;
}

/**
 * Cuts the longest arrays of a JSON value in half until it serializes within `max` characters, and says what was
 * cut. Objects and scalars stay whole; a value that still does not fit is replaced by a note.
 */
export function capJson(value: unknown, max: number): { value: unknown; note?: string } {
  const size = (v: unknown) => JSON.stringify(v)?.length ?? 0;
  const original = size(value);
  if (original <= max) return { value };
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const cuts = new Map<string, { from: number; to: number }>();
  for (let round = 0; round < 200 && size(copy) > max; round++) {
    let best: { arr: unknown[]; at: string; len: number } | undefined;
    const stack: { v: unknown; at: string }[] = [{ v: copy, at: '$' }];
    while (stack.length) {
      const { v, at } = stack.pop()!;
      if (Array.isArray(v)) {
        if (v.length > 1) {
          const len = size(v);
          if (!best || len > best.len) best = { arr: v, at, len };
        }
        v.forEach((x, i) => stack.push({ v: x, at: `${at}[${i}]` }));
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) stack.push({ v: x, at: `${at}.${k}` });
      }
    }
    if (!best) break;
    const key = best.at.replace(/\[\d+\]/g, '[]');
    const prev = cuts.get(key);
    const from = prev?.from ?? best.arr.length;
    best.arr.length = Math.ceil(best.arr.length / 2);
    cuts.set(key, { from: Math.max(from, best.arr.length), to: best.arr.length });
  }
  const kept = [...cuts].map(([at, c]) => `${at} kept ${c.to} of ${c.from}`).join('; ');
  if (size(copy) > max)
    return {
      value: { truncated: true, note: `the report (${original} characters) does not fit in ${max}` },
      note: `the whole report was dropped: ${original} characters, limit ${max}`,
    };
  return { value: copy, note: `cut to fit ${max} characters (of ${original}): ${kept}` };
}

function scrub<T>(value: T, secrets: readonly string[]): T {
  const real = secrets.filter((s) => s && s.length >= 8);
  if (!real.length) return value;
  let text = JSON.stringify(value);
  for (const s of real) text = text.split(JSON.stringify(s).slice(1, -1)).join('***');
  return JSON.parse(text) as T;
}
