// A local OpenAI / Azure OpenAI API emulator: a real node:http server with files, uploads, fine-tuning jobs
// that move through states over time, alpha graders (run through our grader engine), a deterministic fake
// model (chat completions, responses, embeddings), both path/auth styles, idempotency and fault injection.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import OpenAI from 'openai';
import { GraderEngine } from '../core/graders/engine';
import { buildSample } from '../core/graders/sample';
import type { Grader } from '../core/graders/types';
import type { Logger } from '../core/log';
import { nullLogger } from '../core/log';
import { embeddingToBase64, fakeAnswer, fakeEmbedding, roughTokens } from './fakeModel';
import type { FaultRule } from './faults';
import { FaultInjector, apiPathOf, parseFaultHeader, parseFaultRule } from './faults';
import { checkGrader } from './graderCheck';
import type { FileCheck, WireJob } from './jobSim';
import { JobSim } from './jobSim';

export interface EmulatorOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** N× faster than real time (default 1: a job takes about a minute). */
  speed?: number;
  log?: Logger;
  /** Accept only these keys (default: any non-empty key). */
  keys?: string[];
  /** Clock (ms), for tests. */
  now?: () => number;
  /** Run python graders in graders/run (off by default: they execute code from the request). */
  allowPython?: boolean;
}

export interface Emulator {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Azure-style base URL, e.g. http://127.0.0.1:PORT/openai/v1 */
  azureUrl: string;
  port: number;
  /** Adds a fault rule (same as POST /__emulator/faults). */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Requests seen so far (method, API path, style, status), oldest first. */
  requests(): ReadonlyArray<RequestRecord>;
  close(): Promise<void>;
}

export interface RequestRecord {
  method: string;
  path: string;
  style: 'openai' | 'azure' | 'admin';
  status: number;
  fault?: string;
  /** Which credential the request carried (never its value). */
  auth: 'bearer' | 'api-key' | 'none';
  /** The Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

interface StoredFile {
  obj: Record<string, unknown> & {
    id: string;
    bytes: number;
    filename: string;
    purpose: string;
    created_at: number;
  };
  content: Buffer;
  processedAt: number;
  check?: FileCheck & { formatError?: string };
  deleted?: boolean;
}

interface StoredUpload {
  obj: Record<string, unknown> & {
    id: string;
    bytes: number;
    filename: string;
    purpose: string;
    status: string;
  };
  parts: Map<string, Buffer>;
  mimeType: string;
}

type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; raw: Buffer | string; contentType: string; headers?: Record<string, string> }
  | { status: number; sse: unknown[] };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

const MAX_BODY = 512 * 1024 * 1024;

function errorBody(message: string, type: string, code: string | null, param: string | null) {
  return { error: { message, type, param, code } };
}

export const TRAINING_NOT_AVAILABLE_BODY = errorBody(
  'OpenAI is winding down the fine-tuning platform and your organization is no longer able to create new fine-tuning training jobs. Learn more https://developers.openai.com/api/docs/deprecations#update-to-openais-self-serve-fine-tuning',
  'invalid_request_error',
  'training_not_available',
  null,
);

function newId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(24);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}${s}`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Cursor pagination over newest-first items: `after` is an item id; items after it are older. */
function paginate<T extends { id: string }>(items: T[], query: URLSearchParams, defaultLimit: number) {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new HttpError(
      400,
      `Invalid limit: ${rawLimit}. Expected an integer between 1 and 10000.`,
      'invalid_limit',
      'limit',
    );
  const after = query.get('after');
  let start = 0;
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    start = i < 0 ? items.length : i + 1;
  }
  const data = items.slice(start, start + limit);
  return { object: 'list' as const, data, has_more: start + limit < items.length };
}

/** JSONL check for fine-tune files: each non-empty line a JSON object (else a processing error). */
function checkJsonl(content: Buffer): FileCheck & { formatError?: string } {
  let text = content.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  let examples = 0;
  let problem: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return { examples, formatError: `Invalid file format: line ${i + 1} is not valid JSON.` };
    }
    if (!isObj(v))
      return { examples, formatError: `Invalid file format: line ${i + 1} is not a JSON object.` };
    examples++;
    if (!problem) {
      const messages = v.messages;
      if (!Array.isArray(messages) || messages.length === 0)
        problem = `Line ${i + 1} has no "messages" list.`;
      else {
        const last = messages[messages.length - 1] as Record<string, unknown> | undefined;
        if (!isObj(last) || (last.role !== 'user' && last.role !== 'developer' && last.role !== 'tool'))
          problem = `Line ${i + 1}: the last message must be from the user for reinforcement fine-tuning.`;
      }
    }
  }
  if (examples === 0) return { examples, formatError: 'Invalid file format: the file has no examples.' };
  return { examples, problem };
}

function responseFormatOf(
  rf: unknown,
): { kind: 'text' } | { kind: 'json_object' } | { kind: 'json_schema'; schema: unknown } {
  if (!isObj(rf)) return { kind: 'text' };
  if (rf.type === 'json_object') return { kind: 'json_object' };
  if (rf.type === 'json_schema') {
    // Chat Completions nests the schema in json_schema; Responses' text.format carries it directly.
    const js = isObj(rf.json_schema) ? rf.json_schema : rf;
    return { kind: 'json_schema', schema: js.schema ?? { type: 'object' } };
  }
  return { kind: 'text' };
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : typeof p === 'string' ? p : ''))
      .join('\n');
  return '';
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const log = opts.log ?? nullLogger;
  const now = opts.now ?? (() => Date.now());
  const host = opts.host ?? '127.0.0.1';
  const files = new Map<string, StoredFile>();
  const uploads = new Map<string, StoredUpload>();
  const jobs = new Map<string, JobSim>();
  const jobOrder: string[] = []; // oldest first
  const idempotent = new Map<string, Reply>();
  const faults = new FaultInjector();
  const requestLog: RequestRecord[] = [];
  let selfUrl = '';
  let engine: GraderEngine | undefined;
  const sockets = new Set<Socket>();
  const sec = () => Math.floor(now() / 1000);

  const getEngine = () => {
    // Model graders call this emulator's own fake model.
    engine ??= new GraderEngine({
      python: { allow: opts.allowPython === true },
      log,
      modelClient: new OpenAI({ baseURL: selfUrl, apiKey: 'emulator-internal', maxRetries: 0 }),
    });
    return engine;
  };

  function fileStatus(f: StoredFile, style: 'openai' | 'azure'): string {
    if (now() < f.processedAt) return style === 'azure' ? 'pending' : 'uploaded';
    return f.check?.formatError ? 'error' : 'processed';
  }

  function fileView(f: StoredFile, style: 'openai' | 'azure'): Record<string, unknown> {
    const status = fileStatus(f, style);
    const out: Record<string, unknown> = { ...f.obj, status };
    if (status === 'error' && f.check?.formatError) out.status_details = f.check.formatError;
    return out;
  }

  function addFile(content: Buffer, filename: string, purpose: string): StoredFile {
    const id = newId('file-');
    const f: StoredFile = {
      obj: { object: 'file', id, bytes: content.length, created_at: sec(), filename, purpose },
      content,
      processedAt: purpose === 'fine-tune' ? now() + 1000 / speed : now(),
    };
    if (purpose === 'fine-tune') f.check = checkJsonl(content);
    files.set(id, f);
    return f;
  }

  function requireFile(id: string): StoredFile {
    const f = files.get(id);
    if (!f || f.deleted) throw new HttpError(404, `No such File object: ${id}`, null, 'id');
    return f;
  }

  function requireJob(id: string): JobSim {
    const j = jobs.get(id);
    if (!j)
      throw new HttpError(
        404,
        `Could not find fine-tuning job ${id}.`,
        'fine_tune_not_found',
        'fine_tuning_job_id',
      );
    j.advance(now());
    return j;
  }

  function jobFile(id: unknown, param: 'training_file' | 'validation_file'): StoredFile {
    if (typeof id !== 'string' || !id)
      throw new HttpError(400, `Missing ${param}.`, 'invalid_request', param);
    const f = files.get(id);
    if (!f || f.deleted)
      throw new HttpError(400, `Invalid file id: ${id} (${param}) does not exist.`, 'invalid_file_id', param);
    if (f.obj.purpose !== 'fine-tune')
      throw new HttpError(
        400,
        `File ${id} has purpose "${f.obj.purpose}"; fine-tuning needs purpose "fine-tune".`,
        'invalid_file_purpose',
        param,
      );
    if (now() < f.processedAt)
      throw new HttpError(
        400,
        `File '${id}' is still being processed and is not ready to be used for fine-tuning. Please try again later.`,
        'file_not_ready',
        param,
      );
    if (f.check?.formatError)
      throw new HttpError(
        400,
        `File ${id} failed processing: ${f.check.formatError}`,
        'invalid_file_format',
        param,
      );
    return f;
  }

  function checkHyperparameters(hp: unknown): void {
    if (hp === undefined) return;
    if (!isObj(hp))
      throw new HttpError(
        400,
        'hyperparameters must be an object.',
        'invalid_hyperparameters',
        'method.reinforcement.hyperparameters',
      );
    const range = (k: string, ok: (v: number) => boolean, desc: string) => {
      const v = hp[k];
      if (v === undefined || v === 'auto') return;
      if (typeof v !== 'number' || !ok(v))
        throw new HttpError(
          400,
          `Invalid hyperparameter ${k}=${JSON.stringify(v)}: expected "auto" or ${desc}.`,
          'invalid_hyperparameters',
          `method.reinforcement.hyperparameters.${k}`,
        );
    };
    range('n_epochs', (v) => Number.isInteger(v) && v >= 1 && v <= 50, 'an integer 1–50');
    range('batch_size', (v) => Number.isInteger(v) && v >= 1 && v <= 256, 'an integer 1–256');
    range('learning_rate_multiplier', (v) => v > 0, 'a number > 0');
    range('eval_interval', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    range('eval_samples', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    range('compute_multiplier', (v) => v > 0.00001 && v <= 10, 'a number in (0.00001, 10]');
    const re = hp.reasoning_effort;
    if (re !== undefined && !['default', 'low', 'medium', 'high'].includes(re as string))
      throw new HttpError(
        400,
        `Invalid reasoning_effort ${JSON.stringify(re)}: expected default, low, medium or high.`,
        'invalid_hyperparameters',
        'method.reinforcement.hyperparameters.reasoning_effort',
      );
  }

  function createJob(body: Record<string, unknown>, style: 'openai' | 'azure'): WireJob {
    if (typeof body.model !== 'string' || !body.model)
      throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
    const method = isObj(body.method) ? body.method : { type: 'supervised', supervised: {} };
    const type = method.type;
    if (type !== 'reinforcement' && type !== 'supervised' && type !== 'dpo')
      throw new HttpError(
        400,
        `Invalid method.type ${JSON.stringify(type)}.`,
        'invalid_method',
        'method.type',
      );
    const training = jobFile(body.training_file, 'training_file');
    let validation: StoredFile | undefined;
    if (body.validation_file !== undefined && body.validation_file !== null)
      validation = jobFile(body.validation_file, 'validation_file');
    if (type === 'reinforcement') {
      const rl = method.reinforcement;
      if (!isObj(rl))
        throw new HttpError(
          400,
          'method.reinforcement is required for reinforcement fine-tuning.',
          'invalid_method',
          'method.reinforcement',
        );
      const problem = checkGrader(rl.grader);
      if (problem)
        throw new HttpError(
          400,
          `Invalid grader: ${problem}`,
          'invalid_grader',
          'method.reinforcement.grader',
        );
      if (!validation)
        throw new HttpError(
          400,
          'Reinforcement fine-tuning requires a validation_file.',
          'missing_required_parameter',
          'validation_file',
        );
      checkHyperparameters(rl.hyperparameters);
    }
    const suffix = body.suffix;
    if (suffix !== undefined && suffix !== null) {
      if (typeof suffix !== 'string' || suffix.length < 1 || suffix.length > (style === 'azure' ? 40 : 64))
        throw new HttpError(
          400,
          `suffix must be 1–${style === 'azure' ? 40 : 64} characters.`,
          'invalid_suffix',
          'suffix',
        );
      if (style === 'azure' && !/^[A-Za-z0-9_-]+$/.test(suffix))
        throw new HttpError(
          400,
          'suffix may only contain letters, digits, "-" and "_".',
          'invalid_suffix',
          'suffix',
        );
    }
    let metadata: Record<string, string> | null = null;
    if (body.metadata !== undefined && body.metadata !== null) {
      if (!isObj(body.metadata))
        throw new HttpError(400, 'metadata must be an object of strings.', 'invalid_metadata', 'metadata');
      const entries = Object.entries(body.metadata);
      if (entries.length > 16)
        throw new HttpError(400, 'metadata may have at most 16 keys.', 'invalid_metadata', 'metadata');
      for (const [k, v] of entries) {
        if (k.length > 64)
          throw new HttpError(
            400,
            `metadata key "${k.slice(0, 20)}…" is longer than 64 characters.`,
            'invalid_metadata',
            'metadata',
          );
        if (typeof v !== 'string' || v.length > 512)
          throw new HttpError(
            400,
            `metadata value of "${k}" must be a string of at most 512 characters.`,
            'invalid_metadata',
            'metadata',
          );
      }
      metadata = Object.fromEntries(entries) as Record<string, string>;
    }
    if (body.seed !== undefined && body.seed !== null && !Number.isInteger(body.seed))
      throw new HttpError(400, 'seed must be an integer.', 'invalid_seed', 'seed');
    const seed = typeof body.seed === 'number' ? body.seed : randomBytes(4).readUInt32LE(0) >>> 1;
    const id = newId('ftjob-');
    const sub = isObj(method[type]) ? (method[type] as Record<string, unknown>) : {};
    const hp = isObj(sub.hyperparameters) ? sub.hyperparameters : {};
    const job: WireJob = {
      object: 'fine_tuning.job',
      id,
      created_at: sec(),
      error: null,
      fine_tuned_model: null,
      finished_at: null,
      hyperparameters: {
        n_epochs: hp.n_epochs ?? 'auto',
        batch_size: hp.batch_size ?? 'auto',
        learning_rate_multiplier: hp.learning_rate_multiplier ?? 'auto',
      },
      model: body.model,
      organization_id: 'org-emulator',
      result_files: [],
      seed,
      status: 'validating_files',
      trained_tokens: null,
      training_file: training.obj.id,
      validation_file: validation?.obj.id ?? null,
      integrations: Array.isArray(body.integrations) ? body.integrations : null,
      estimated_finish: null,
      method: { ...method, [type]: { ...sub, hyperparameters: { ...hp } } },
      metadata,
      user_provided_suffix: typeof suffix === 'string' ? suffix : null,
      shared_with_openai: false,
      eval_id: newId('eval_'),
    };
    const sim = new JobSim({
      id,
      job,
      createdAtMs: now(),
      speed,
      newId,
      training: training.check ?? { examples: 0 },
      validation: validation?.check,
      writeResults: (csv) => addFile(Buffer.from(csv), 'step_metrics.csv', 'fine-tune-results').obj.id,
    });
    jobs.set(id, sim);
    jobOrder.push(id);
    return job;
  }

  function listJobs(query: URLSearchParams) {
    const filters: Array<[string, string]> = [];
    for (const [k, v] of query) {
      const m = /^metadata\[(.+)\]$/.exec(k);
      if (m) filters.push([m[1]!, v]);
    }
    if (query.get('metadata') === 'null') filters.push(['\u0000none', '']);
    const all = [...jobOrder]
      .reverse()
      .map((id) => requireJob(id).job)
      .filter((j) =>
        filters.every(([k, v]) =>
          k === '\u0000none' ? !j.metadata || Object.keys(j.metadata).length === 0 : j.metadata?.[k] === v,
        ),
      );
    return paginate(all, query, 20);
  }

  async function gradersRun(body: Record<string, unknown>): Promise<Reply> {
    const problem = checkGrader(body.grader);
    if (problem) throw new HttpError(400, `Invalid grader: ${problem}`, 'invalid_grader', 'grader');
    if (typeof body.model_sample !== 'string')
      throw new HttpError(
        400,
        'Missing required parameter: model_sample (string).',
        'missing_required_parameter',
        'model_sample',
      );
    if (body.item !== undefined && !isObj(body.item))
      throw new HttpError(400, 'item must be an object.', 'invalid_request', 'item');
    const result = await getEngine().grade(
      body.grader as Grader,
      (body.item as Record<string, unknown> | undefined) ?? {},
      buildSample(body.model_sample),
    );
    return { status: 200, json: result };
  }

  function chatCompletion(body: Record<string, unknown>): Reply {
    if (typeof body.model !== 'string')
      throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new HttpError(
        400,
        "Missing required parameter: 'messages'.",
        'missing_required_parameter',
        'messages',
      );
    const format = responseFormatOf(body.response_format);
    const n = typeof body.n === 'number' && body.n >= 1 ? Math.min(8, Math.floor(body.n)) : 1;
    const promptText = (body.messages as unknown[])
      .map((m) => (isObj(m) ? textOfContent(m.content) : ''))
      .join('\n');
    const promptTokens = roughTokens(promptText);
    const choices = Array.from({ length: n }, (_, i) => ({
      index: i,
      message: {
        role: 'assistant',
        content: fakeAnswer([body.model, body.messages, format, body.seed ?? 0, i], format),
        refusal: null,
        annotations: [],
      },
      finish_reason: 'stop',
      logprobs: null,
    }));
    const completionTokens = choices.reduce((a, c) => a + roughTokens(c.message.content), 0);
    const id = newId('chatcmpl-');
    const created = sec();
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    if (body.stream === true) {
      const chunks: unknown[] = [];
      for (const c of choices) {
        chunks.push({
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          choices: [{ index: c.index, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        });
        for (const piece of c.message.content.match(/.{1,16}/gs) ?? []) {
          chunks.push({
            id,
            object: 'chat.completion.chunk',
            created,
            model: body.model,
            choices: [{ index: c.index, delta: { content: piece }, finish_reason: null }],
          });
        }
        chunks.push({
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          choices: [{ index: c.index, delta: {}, finish_reason: 'stop' }],
        });
      }
      const so = body.stream_options;
      if (isObj(so) && so.include_usage)
        chunks.push({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
      return { status: 200, sse: chunks };
    }
    return {
      status: 200,
      json: {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices,
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_emulator',
      },
    };
  }

  function response(body: Record<string, unknown>): Reply {
    if (typeof body.model !== 'string')
      throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
    if (body.stream === true)
      throw new HttpError(400, 'The emulator does not stream the Responses API.', 'unsupported', 'stream');
    const input = body.input;
    const promptText =
      typeof input === 'string'
        ? input
        : Array.isArray(input)
          ? input.map((m) => (isObj(m) ? textOfContent(m.content) : '')).join('\n')
          : '';
    const textCfg = isObj(body.text) ? body.text : {};
    const format = responseFormatOf(textCfg.format);
    const text = fakeAnswer([body.model, body.instructions ?? null, input ?? null, format], format);
    const inTok = roughTokens(
      `${typeof body.instructions === 'string' ? body.instructions : ''}${promptText}`,
    );
    const outTok = roughTokens(text);
    return {
      status: 200,
      json: {
        id: newId('resp_'),
        object: 'response',
        created_at: sec(),
        status: 'completed',
        completed_at: sec(),
        error: null,
        incomplete_details: null,
        instructions: typeof body.instructions === 'string' ? body.instructions : null,
        max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
        model: body.model,
        output: [
          {
            type: 'message',
            id: newId('msg_'),
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
          },
        ],
        parallel_tool_calls: true,
        previous_response_id: null,
        reasoning: { effort: null, summary: null },
        store: false,
        temperature: typeof body.temperature === 'number' ? body.temperature : 1,
        text: { format: isObj(textCfg.format) ? textCfg.format : { type: 'text' } },
        tool_choice: 'auto',
        tools: [],
        top_p: typeof body.top_p === 'number' ? body.top_p : 1,
        truncation: 'disabled',
        usage: {
          input_tokens: inTok,
          input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
          output_tokens: outTok,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inTok + outTok,
        },
        metadata: isObj(body.metadata) ? body.metadata : {},
        output_text: text,
      },
    };
  }

  function embeddings(body: Record<string, unknown>): Reply {
    if (typeof body.model !== 'string')
      throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
    const input = body.input;
    const texts =
      typeof input === 'string'
        ? [input]
        : Array.isArray(input)
          ? input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
          : undefined;
    if (!texts || texts.length === 0)
      throw new HttpError(400, "'input' must be a non-empty string or array.", 'invalid_input', 'input');
    const dims =
      typeof body.dimensions === 'number' && body.dimensions > 0
        ? Math.min(4096, Math.floor(body.dimensions))
        : body.model.includes('large')
          ? 3072
          : 1536;
    const base64 = body.encoding_format === 'base64';
    const tokens = texts.reduce((a, t) => a + roughTokens(t), 0);
    return {
      status: 200,
      json: {
        object: 'list',
        model: body.model,
        data: texts.map((t, index) => {
          const v = fakeEmbedding(t, body.model as string, dims);
          return { object: 'embedding', index, embedding: base64 ? embeddingToBase64(v) : v };
        }),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }

  function models(): Reply {
    const base = [
      'o4-mini-2025-04-16',
      'gpt-5-2025-08-07',
      'gpt-4o-2024-08-06',
      'o3-mini-2025-01-31',
      'gpt-4.1-mini',
      'text-embedding-3-small',
      'text-embedding-3-large',
    ];
    const tuned = jobOrder.map((id) => requireJob(id).job.fine_tuned_model).filter((m): m is string => !!m);
    return {
      status: 200,
      json: {
        object: 'list',
        data: [...base, ...tuned].map((id) => ({
          id,
          object: 'model',
          created: 1_700_000_000,
          owned_by: id.startsWith('ft:') ? 'org-emulator' : 'system',
        })),
      },
    };
  }

  async function parseMultipart(req: http.IncomingMessage, body: Buffer): Promise<FormData> {
    const ct = req.headers['content-type'] ?? '';
    if (!ct.startsWith('multipart/form-data'))
      throw new HttpError(400, 'Expected a multipart/form-data body.', 'invalid_content_type');
    try {
      return await new Request('http://emulator.local/', {
        method: 'POST',
        headers: { 'content-type': ct },
        body,
      }).formData();
    } catch (e) {
      throw new HttpError(
        400,
        `Could not parse the multipart body: ${(e as Error).message}`,
        'invalid_multipart',
      );
    }
  }

  async function route(
    method: string,
    apiPath: string,
    query: URLSearchParams,
    req: http.IncomingMessage,
    rawBody: Buffer,
    style: 'openai' | 'azure',
  ): Promise<Reply> {
    const seg = apiPath.split('/').filter(Boolean);
    let jsonBody: Record<string, unknown> | undefined;
    const json = (): Record<string, unknown> => {
      if (jsonBody) return jsonBody;
      if (rawBody.length === 0) return (jsonBody = {});
      let v: unknown;
      try {
        v = JSON.parse(rawBody.toString('utf8'));
      } catch (e) {
        throw new HttpError(
          400,
          `We could not parse the JSON body of your request: ${(e as Error).message}`,
          'invalid_json',
        );
      }
      if (!isObj(v)) throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_json');
      return (jsonBody = v);
    };
    const [a, b, c, d] = seg;
    const n = seg.length;

    if (a === 'models' && method === 'GET') {
      if (n === 1) return models();
      const all = (models() as { json: { data: Array<{ id: string }> } }).json.data;
      const id = decodeURIComponent(seg.slice(1).join('/'));
      const m = all.find((x) => x.id === id);
      if (!m) throw new HttpError(404, `The model '${id}' does not exist`, 'model_not_found', 'model');
      return { status: 200, json: m };
    }
    if (a === 'chat' && b === 'completions' && n === 2 && method === 'POST') return chatCompletion(json());
    if (a === 'responses' && n === 1 && method === 'POST') return response(json());
    if (a === 'embeddings' && n === 1 && method === 'POST') return embeddings(json());

    if (a === 'files') {
      if (n === 1 && method === 'POST') {
        const form = await parseMultipart(req, rawBody);
        const file = form.get('file');
        const purpose = form.get('purpose');
        if (!(file instanceof Blob))
          throw new HttpError(
            400,
            "Missing required parameter: 'file'.",
            'missing_required_parameter',
            'file',
          );
        if (typeof purpose !== 'string' || !purpose)
          throw new HttpError(
            400,
            "Missing required parameter: 'purpose'.",
            'missing_required_parameter',
            'purpose',
          );
        const filename = (file as File).name || 'upload';
        if (purpose === 'fine-tune' && !/\.jsonl$/i.test(filename))
          throw new HttpError(
            400,
            `Invalid file format for Fine-Tuning API. Must be .jsonl (got "${filename}").`,
            'invalid_file_format',
            'file',
          );
        const f = addFile(Buffer.from(await file.arrayBuffer()), filename, purpose);
        return { status: 200, json: fileView(f, style) };
      }
      if (n === 1 && method === 'GET') {
        const purpose = query.get('purpose');
        const order = query.get('order') === 'asc' ? 'asc' : 'desc';
        let list = [...files.values()].filter((f) => !f.deleted && (!purpose || f.obj.purpose === purpose));
        if (order === 'desc') list = list.reverse();
        const page = paginate(
          list.map((f) => ({ ...fileView(f, style), id: f.obj.id })),
          query,
          10_000,
        );
        return {
          status: 200,
          json: {
            ...page,
            first_id: page.data[0]?.id ?? null,
            last_id: page.data[page.data.length - 1]?.id ?? null,
          },
        };
      }
      if (n === 2 && method === 'GET') return { status: 200, json: fileView(requireFile(b!), style) };
      if (n === 2 && method === 'DELETE') {
        const f = requireFile(b!);
        f.deleted = true;
        return { status: 200, json: { id: f.obj.id, object: 'file', deleted: true } };
      }
      if (n === 3 && c === 'content' && method === 'GET') {
        const f = requireFile(b!);
        return {
          status: 200,
          raw: f.content,
          contentType: f.obj.filename.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
        };
      }
    }

    if (a === 'uploads') {
      if (n === 1 && method === 'POST') {
        const body = json();
        const { bytes, filename, purpose, mime_type } = body;
        if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0)
          throw new HttpError(400, "'bytes' must be a non-negative integer.", 'invalid_request', 'bytes');
        if (bytes > 8 * 1024 ** 3)
          throw new HttpError(400, 'An Upload may be at most 8 GB.', 'invalid_request', 'bytes');
        if (typeof filename !== 'string' || !filename)
          throw new HttpError(
            400,
            "Missing required parameter: 'filename'.",
            'missing_required_parameter',
            'filename',
          );
        if (typeof purpose !== 'string')
          throw new HttpError(
            400,
            "Missing required parameter: 'purpose'.",
            'missing_required_parameter',
            'purpose',
          );
        if (typeof mime_type !== 'string')
          throw new HttpError(
            400,
            "Missing required parameter: 'mime_type'.",
            'missing_required_parameter',
            'mime_type',
          );
        const id = newId('upload_');
        const u: StoredUpload = {
          obj: {
            id,
            object: 'upload',
            bytes,
            created_at: sec(),
            filename,
            purpose,
            status: 'pending',
            expires_at: sec() + 3600,
            file: null,
          },
          parts: new Map(),
          mimeType: mime_type,
        };
        uploads.set(id, u);
        return { status: 200, json: u.obj };
      }
      const u = b ? uploads.get(b) : undefined;
      if (!u) throw new HttpError(404, `No such Upload: ${b}`, null, 'upload_id');
      if (n === 3 && c === 'parts' && method === 'POST') {
        if (u.obj.status !== 'pending')
          throw new HttpError(
            400,
            `Upload ${u.obj.id} is ${u.obj.status}; parts can only be added to pending uploads.`,
            'invalid_upload_state',
          );
        const form = await parseMultipart(req, rawBody);
        const data = form.get('data');
        if (!(data instanceof Blob))
          throw new HttpError(
            400,
            "Missing required parameter: 'data'.",
            'missing_required_parameter',
            'data',
          );
        if (data.size > 64 * 1024 * 1024)
          throw new HttpError(400, 'A part may be at most 64 MB.', 'invalid_request', 'data');
        const id = newId('part_');
        u.parts.set(id, Buffer.from(await data.arrayBuffer()));
        return { status: 200, json: { id, object: 'upload.part', created_at: sec(), upload_id: u.obj.id } };
      }
      if (n === 3 && c === 'complete' && method === 'POST') {
        if (u.obj.status !== 'pending')
          throw new HttpError(400, `Upload ${u.obj.id} is already ${u.obj.status}.`, 'invalid_upload_state');
        const body = json();
        const ids = body.part_ids;
        if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))
          throw new HttpError(400, "'part_ids' must be a list of part ids.", 'invalid_request', 'part_ids');
        const bufs: Buffer[] = [];
        for (const pid of ids as string[]) {
          const p = u.parts.get(pid);
          if (!p)
            throw new HttpError(
              400,
              `Unknown part id ${pid} for upload ${u.obj.id}.`,
              'invalid_request',
              'part_ids',
            );
          bufs.push(p);
        }
        const content = Buffer.concat(bufs);
        if (content.length !== u.obj.bytes)
          throw new HttpError(
            400,
            `The parts hold ${content.length} bytes but the upload was created for ${u.obj.bytes} bytes.`,
            'invalid_request',
            'part_ids',
          );
        const f = addFile(content, u.obj.filename, u.obj.purpose);
        u.obj.status = 'completed';
        u.obj.file = fileView(f, style);
        return { status: 200, json: u.obj };
      }
      if (n === 3 && c === 'cancel' && method === 'POST') {
        if (u.obj.status !== 'pending')
          throw new HttpError(400, `Upload ${u.obj.id} is already ${u.obj.status}.`, 'invalid_upload_state');
        u.obj.status = 'cancelled';
        return { status: 200, json: u.obj };
      }
    }

    if (a === 'fine_tuning') {
      if (b === 'alpha' && c === 'graders' && n === 4 && method === 'POST') {
        if (d === 'run') return gradersRun(json());
        if (d === 'validate') {
          const body = json();
          const problem = checkGrader(body.grader);
          if (problem) throw new HttpError(400, `Invalid grader: ${problem}`, 'invalid_grader', 'grader');
          return { status: 200, json: { grader: body.grader } };
        }
      }
      if (b === 'jobs') {
        if (n === 2 && method === 'POST') return { status: 200, json: createJob(json(), style) };
        if (n === 2 && method === 'GET') return { status: 200, json: listJobs(query) };
        if (n >= 3) {
          const sim = requireJob(c!);
          if (n === 3 && method === 'GET') return { status: 200, json: sim.job };
          if (n === 4 && method === 'POST' && (d === 'cancel' || d === 'pause' || d === 'resume')) {
            const problem =
              d === 'cancel' ? sim.cancel(now()) : d === 'pause' ? sim.pause(now()) : sim.resume(now());
            if (problem) throw new HttpError(400, problem, 'invalid_job_state', 'fine_tuning_job_id');
            return { status: 200, json: sim.job };
          }
          // Azure's docs show POST for events and checkpoints (a doc bug, reference §5): accept both.
          const read = method === 'GET' || (style === 'azure' && method === 'POST');
          if (n === 4 && read && d === 'events')
            return { status: 200, json: paginate([...sim.events].reverse(), query, 20) };
          if (n === 4 && read && d === 'checkpoints') {
            const page = paginate([...sim.checkpoints].reverse(), query, 10);
            return {
              status: 200,
              json: {
                ...page,
                first_id: page.data[0]?.id ?? null,
                last_id: page.data[page.data.length - 1]?.id ?? null,
              },
            };
          }
        }
      }
    }
    throw new HttpError(
      404,
      `Unknown request URL: ${method} ${apiPath}. (The RFT Studio emulator implements files, uploads, fine_tuning, chat/completions, responses, embeddings and models.)`,
      'unknown_url',
    );
  }

  function admin(method: string, path: string, rawBody: Buffer): Reply {
    const body = () => {
      try {
        return rawBody.length ? (JSON.parse(rawBody.toString('utf8')) as unknown) : {};
      } catch (e) {
        throw new HttpError(400, `Invalid JSON: ${(e as Error).message}`);
      }
    };
    if (path === '/__emulator/faults') {
      if (method === 'GET') return { status: 200, json: { faults: faults.list() } };
      if (method === 'DELETE') {
        faults.clear();
        return { status: 200, json: { faults: [] } };
      }
      if (method === 'POST') {
        const b = body();
        try {
          for (const r of Array.isArray(b) ? b : [b]) faults.add(parseFaultRule(r));
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
        return { status: 200, json: { faults: faults.list() } };
      }
    }
    if (path === '/__emulator/state' && method === 'GET') {
      return {
        status: 200,
        json: {
          speed,
          files: [...files.values()].filter((f) => !f.deleted).length,
          jobs: jobOrder.map((id) => {
            const j = requireJob(id).job;
            return { id, status: j.status, metadata: j.metadata };
          }),
          requests: requestLog.length,
        },
      };
    }
    if (path === '/__emulator/reset' && method === 'POST') {
      files.clear();
      uploads.clear();
      jobs.clear();
      jobOrder.length = 0;
      idempotent.clear();
      faults.clear();
      return { status: 200, json: { reset: true } };
    }
    throw new HttpError(404, `Unknown admin endpoint ${method} ${path}`);
  }

  function checkAuth(req: http.IncomingMessage, style: 'openai' | 'azure'): void {
    const authz = req.headers.authorization;
    const bearer =
      typeof authz === 'string' && /^bearer\s+/i.test(authz)
        ? authz.replace(/^bearer\s+/i, '').trim()
        : undefined;
    const apiKey = typeof req.headers['api-key'] === 'string' ? req.headers['api-key'].trim() : undefined;
    const key = style === 'azure' ? (apiKey ?? bearer) : bearer;
    if (!key) {
      throw new HttpError(
        401,
        style === 'azure'
          ? 'Access denied due to missing subscription key or token. Send an api-key header or an Authorization: Bearer token.'
          : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        style === 'azure' ? '401' : 'invalid_api_key',
      );
    }
    if (opts.keys && !opts.keys.includes(key))
      throw new HttpError(401, 'Incorrect API key provided.', 'invalid_api_key');
  }

  function send(res: http.ServerResponse, reply: Reply, requestId: string): void {
    const headers: Record<string, string> = {
      'x-request-id': requestId,
      'openai-processing-ms': '1',
      ...(reply as { headers?: Record<string, string> }).headers,
    };
    if ('sse' in reply) {
      res.writeHead(reply.status, {
        ...headers,
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
      });
      for (const chunk of reply.sse) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    if ('raw' in reply) {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType });
      res.end(reply.raw);
      return;
    }
    const text = JSON.stringify(reply.json);
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json' });
    res.end(text);
  }

  function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new HttpError(413, 'The request body is larger than 512 MB.', 'request_too_large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const path = url.pathname;
    const requestId = newId('req_');
    const isAdmin = path.startsWith('/__emulator/');
    const style: 'openai' | 'azure' | 'admin' = isAdmin
      ? 'admin'
      : path.startsWith('/openai/')
        ? 'azure'
        : 'openai';
    const apiPath = isAdmin ? path : apiPathOf(path);
    const idem = req.headers['idempotency-key'];
    const record: RequestRecord = {
      method,
      path: apiPath,
      style,
      status: 0,
      auth: req.headers['api-key'] ? 'api-key' : req.headers.authorization ? 'bearer' : 'none',
      ...(typeof idem === 'string' ? { idempotencyKey: idem } : {}),
    };
    requestLog.push(record);
    if (requestLog.length > 10_000) requestLog.splice(0, requestLog.length - 10_000);
    const finish = (status: number) => {
      record.status = status;
      log.info(
        `${method} ${path} → ${status}${record.fault ? ` [fault ${record.fault}]` : ''} (${now() - started} ms)`,
      );
    };
    let reply: Reply;
    let fault: FaultRule | undefined;
    try {
      const body = await readBody(req);
      if (isAdmin) {
        reply = admin(method, path, body);
      } else {
        if (style === 'openai' && !path.startsWith('/v1/'))
          throw new HttpError(
            404,
            `Unknown request URL: ${method} ${path}. Use the /v1/ (OpenAI) or /openai/v1/ (Azure) prefix.`,
            'unknown_url',
          );
        const header = req.headers['x-emulator-fault'];
        if (typeof header === 'string' && header) {
          try {
            fault = parseFaultHeader(header);
          } catch (e) {
            throw new HttpError(400, `x-emulator-fault: ${(e as Error).message}`);
          }
        } else fault = faults.take(method, path);
        if (fault) record.fault = fault.kind;
        if (fault?.kind === 'reset') {
          finish(0);
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault!.delayMs ?? 3000));
        if (fault?.kind === '429') {
          const secs =
            fault.retryAfter ?? (fault.retryAfterMs !== undefined ? Math.ceil(fault.retryAfterMs / 1000) : 1);
          const headers: Record<string, string> = { 'retry-after': String(secs) };
          if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
          reply = {
            status: 429,
            json: errorBody(
              'Rate limit reached (emulated). Please retry after a short wait.',
              'requests',
              'rate_limit_exceeded',
              null,
            ),
            headers,
          };
        } else if (fault?.kind === '500') {
          reply = {
            status: 500,
            json: errorBody(
              'The server had an error while processing your request (emulated).',
              'server_error',
              null,
              null,
            ),
            // The SDK honours retry-after-ms on any retryable answer: lets tests retry without waiting.
            ...(fault.retryAfterMs !== undefined
              ? { headers: { 'retry-after-ms': String(fault.retryAfterMs) } }
              : {}),
          };
        } else if (fault?.kind === 'training_not_available') {
          reply = { status: 403, json: TRAINING_NOT_AVAILABLE_BODY };
        } else {
          checkAuth(req, style as 'openai' | 'azure');
          const idemKey = method === 'POST' ? req.headers['idempotency-key'] : undefined;
          const idemId =
            typeof idemKey === 'string' && idemKey ? `${method} ${apiPath} ${idemKey}` : undefined;
          const replay = idemId ? idempotent.get(idemId) : undefined;
          if (replay) {
            reply = {
              ...replay,
              headers: {
                ...(replay as { headers?: Record<string, string> }).headers,
                'idempotent-replayed': 'true',
              },
            } as Reply;
          } else {
            reply = await route(method, apiPath, url.searchParams, req, body, style as 'openai' | 'azure');
            if (idemId && reply.status < 500) idempotent.set(idemId, reply);
          }
        }
      }
    } catch (e) {
      if (e instanceof HttpError)
        reply = { status: e.status, json: errorBody(e.message, e.type, e.code, e.param) };
      else {
        log.error(`emulator: ${method} ${path} failed`, e as Error);
        reply = {
          status: 500,
          json: errorBody(
            `Internal emulator error: ${(e as Error)?.message ?? String(e)}`,
            'server_error',
            null,
            null,
          ),
        };
      }
    }
    if (fault?.kind === 'drop') {
      // The request was processed but the response is lost: the nastiest case for retries.
      finish(0);
      req.socket.destroy();
      return;
    }
    finish(reply.status);
    if (!res.destroyed) send(res, reply, requestId);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('emulator: request failed', e as Error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  selfUrl = `${origin}/v1`;
  log.info(`RFT Studio emulator listening on ${origin} (speed ${speed}×)`);
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/v1`,
    azureUrl: `${origin}/openai/v1`,
    port,
    addFault: (rule) => faults.add(parseFaultRule(rule)),
    clearFaults: () => faults.clear(),
    requests: () => requestLog,
    close() {
      closed ??= new Promise<void>((resolve) => {
        engine?.dispose();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
