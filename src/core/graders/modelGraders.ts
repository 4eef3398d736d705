// score_model and label_model through the `openai` SDK (any OpenAI-compatible base URL), plus the
// embeddings call behind text_similarity `cosine`. The platform asks the grader model for a structured
// `{steps, result}` answer; we do the same with a strict JSON schema. Bounded concurrency, the SDK's
// retries with backoff on 429/5xx, token usage recorded, identical requests answered from a cache.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { Logger } from '../log';
import { nullLogger } from '../log';
import type {
  InputContentPart,
  LabelModelGrader,
  ModelGraderInputMessage,
  SamplingParams,
  ScoreModelGrader,
  TokenUsage,
} from './types';

export const COSINE_EMBEDDING_MODEL = 'text-embedding-3-large';
const STEPS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: { description: { type: 'string' }, conclusion: { type: 'string' } },
    required: ['description', 'conclusion'],
    additionalProperties: false,
  },
};

export function scoreModelResponseFormat(range: [number, number]) {
  return {
    type: 'json_schema' as const,
    json_schema: {
      name: 'score_model_grader_result',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          steps: STEPS_SCHEMA,
          result: {
            type: 'number',
            description: `The float score assigned to the response. This should be in inclusive range ${range[0]} to ${range[1]}.`,
          },
        },
        required: ['steps', 'result'],
        additionalProperties: false,
      },
    },
  };
}

export function labelModelResponseFormat(labels: readonly string[]) {
  return {
    type: 'json_schema' as const,
    json_schema: {
      name: 'label_model_grader_result',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          steps: STEPS_SCHEMA,
          result: { type: 'string', enum: [...labels], description: 'The label assigned to the response.' },
        },
        required: ['steps', 'result'],
        additionalProperties: false,
      },
    },
  };
}

function toChatPart(part: InputContentPart | Record<string, unknown>): Record<string, unknown> {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: String((part as { text?: unknown }).text ?? '') };
    case 'input_image': {
      const p = part as { image_url?: string; detail?: string };
      return {
        type: 'image_url',
        image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) },
      };
    }
    case 'input_audio':
      return { type: 'input_audio', input_audio: (part as { input_audio: unknown }).input_audio };
    default:
      return part as Record<string, unknown>;
  }
}

/** Grader `input` messages (already rendered) → Chat Completions messages. */
export function toChatMessages(input: readonly ModelGraderInputMessage[]): Array<Record<string, unknown>> {
  return input.map((m) => {
    const c = m.content;
    let content: unknown;
    if (typeof c === 'string') content = c;
    else if (Array.isArray(c)) content = c.map(toChatPart);
    else if (c && typeof c === 'object') {
      const part = toChatPart(c);
      content = part.type === 'text' ? part.text : [part];
    } else content = '';
    // Assistant turns cannot carry image/audio parts in Chat Completions; flatten them to text.
    if (m.role === 'assistant' && Array.isArray(content))
      content = (content as Array<Record<string, unknown>>)
        .map((p) => (p.type === 'text' ? String(p.text) : ''))
        .join('');
    return { role: m.role, content };
  });
}

export function samplingToRequest(sp: SamplingParams | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!sp) return out;
  if (sp.seed !== undefined && sp.seed !== null) out.seed = sp.seed;
  if (sp.top_p !== undefined && sp.top_p !== null) out.top_p = sp.top_p;
  if (sp.temperature !== undefined && sp.temperature !== null) out.temperature = sp.temperature;
  if (sp.max_completions_tokens !== undefined && sp.max_completions_tokens !== null)
    out.max_completion_tokens = sp.max_completions_tokens;
  if (sp.reasoning_effort !== undefined && sp.reasoning_effort !== null)
    out.reasoning_effort = sp.reasoning_effort;
  return out;
}

export interface ModelCallOutcome {
  kind: 'ok' | 'refusal' | 'parse' | 'server';
  /** Parsed `{steps, result}` when kind is ok. */
  parsed?: { result: unknown; steps: unknown };
  details?: string;
  usage: TokenUsage | null;
  model: string | null;
  cached: boolean;
}

interface CachedCompletion {
  content: string | null;
  refusal: string | null;
  usage: TokenUsage | null;
  model: string | null;
}

export function usageFrom(u: unknown): TokenUsage | null {
  if (!u || typeof u !== 'object') return null;
  const o = u as Record<string, unknown>;
  const details = (o.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const prompt = Number(o.prompt_tokens ?? o.input_tokens ?? 0) || 0;
  const completion = Number(o.completion_tokens ?? o.output_tokens ?? 0) || 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: Number(o.total_tokens ?? prompt + completion) || 0,
    cached_tokens: Number(details.cached_tokens ?? 0) || 0,
  };
}

export function addUsage(into: Record<string, TokenUsage>, model: string, u: TokenUsage): void {
  const cur = into[model] ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 };
  into[model] = {
    prompt_tokens: cur.prompt_tokens + u.prompt_tokens,
    completion_tokens: cur.completion_tokens + u.completion_tokens,
    total_tokens: cur.total_tokens + u.total_tokens,
    cached_tokens: cur.cached_tokens + u.cached_tokens,
  };
}

/** A counting semaphore for bounded concurrency. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface ModelGraderRunnerOptions {
  client: OpenAI;
  log?: Logger;
  /** Parallel requests to the provider (default 8). */
  concurrency?: number;
  /** Retries on 408/409/429/5xx and connection errors, with the SDK's exponential backoff (default 4). */
  maxRetries?: number;
  /** Directory for cached responses; in memory only when unset. */
  cacheDir?: string;
}

export class ModelGraderRunner {
  private readonly sem: Semaphore;
  private readonly memory = new Map<string, Promise<CachedCompletion>>();
  private readonly log: Logger;
  /** Requests answered from the cache / sent to the provider (for tests and the Lab). */
  stats = { cacheHits: 0, requests: 0 };

  constructor(private readonly opts: ModelGraderRunnerOptions) {
    this.sem = new Semaphore(Math.max(1, opts.concurrency ?? 8));
    this.log = opts.log ?? nullLogger;
  }

  private key(kind: string, body: unknown): string {
    return createHash('sha256')
      .update(JSON.stringify({ kind, base: this.opts.client.baseURL, body }))
      .digest('hex');
  }

  private async fromDisk<T>(key: string): Promise<T | undefined> {
    if (!this.opts.cacheDir) return undefined;
    try {
      return JSON.parse(await readFile(join(this.opts.cacheDir, `${key}.json`), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  private async toDisk(key: string, value: unknown): Promise<void> {
    if (!this.opts.cacheDir) return;
    try {
      await mkdir(this.opts.cacheDir, { recursive: true });
      const tmp = join(this.opts.cacheDir, `${key}.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, join(this.opts.cacheDir, `${key}.json`));
    } catch (e) {
      this.log.warn(`grader cache: cannot write ${key}: ${(e as Error).message}`);
    }
  }

  /** Runs one cached call; failures are not cached (a later identical request tries again). */
  private cached<T>(
    kind: string,
    body: unknown,
    call: () => Promise<T>,
  ): Promise<{ value: T; cached: boolean }> {
    const key = this.key(kind, body);
    const hit = this.memory.get(key) as Promise<T> | undefined;
    if (hit) {
      this.stats.cacheHits++;
      return hit.then((value) => ({ value, cached: true }));
    }
    const p = (async () => {
      const disk = await this.fromDisk<T>(key);
      if (disk !== undefined) {
        this.stats.cacheHits++;
        return { value: disk, cached: true };
      }
      this.stats.requests++;
      const value = await this.sem.use(call);
      await this.toDisk(key, value);
      return { value, cached: false };
    })();
    const valueOnly = p.then((r) => r.value);
    this.memory.set(key, valueOnly as Promise<unknown> as Promise<CachedCompletion>);
    valueOnly.catch(() => this.memory.delete(key));
    return p;
  }

  private async complete(
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ value: CachedCompletion; cached: boolean }> {
    return this.cached('chat', body, async () => {
      const res = await this.opts.client.chat.completions.create(
        body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming,
        { signal, maxRetries: this.opts.maxRetries ?? 4 },
      );
      const msg = res.choices?.[0]?.message;
      return {
        content: msg?.content ?? null,
        refusal: (msg as { refusal?: string | null } | undefined)?.refusal ?? null,
        usage: usageFrom(res.usage),
        model: res.model ?? null,
      };
    });
  }

  private async callStructured(
    model: string,
    messages: Array<Record<string, unknown>>,
    responseFormat: unknown,
    sampling: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<ModelCallOutcome> {
    const body = { model, messages, response_format: responseFormat, ...sampling };
    let r: { value: CachedCompletion; cached: boolean };
    try {
      r = await this.complete(body, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      const err = e as { status?: number; message?: string };
      const details = `${err.status ? `HTTP ${err.status}: ` : ''}${err.message ?? String(e)}`;
      this.log.warn(`model grader call to ${model} failed: ${details}`);
      return { kind: 'server', details, usage: null, model: null, cached: false };
    }
    const { value, cached } = r;
    if (value.refusal)
      return { kind: 'refusal', details: value.refusal, usage: value.usage, model: value.model, cached };
    if (value.content === null || value.content === undefined)
      return {
        kind: 'parse',
        details: 'the grader model returned no content',
        usage: value.usage,
        model: value.model,
        cached,
      };
    try {
      const parsed = JSON.parse(value.content) as { result: unknown; steps: unknown };
      if (!parsed || typeof parsed !== 'object' || !('result' in parsed))
        return {
          kind: 'parse',
          details: `no "result" in ${value.content.slice(0, 200)}`,
          usage: value.usage,
          model: value.model,
          cached,
        };
      return { kind: 'ok', parsed, usage: value.usage, model: value.model, cached };
    } catch (e) {
      return {
        kind: 'parse',
        details: `the grader model's answer is not JSON (${(e as Error).message}): ${value.content.slice(0, 200)}`,
        usage: value.usage,
        model: value.model,
        cached,
      };
    }
  }

  /** Calls a score model with rendered input messages. */
  score(grader: ScoreModelGrader, renderedInput: ModelGraderInputMessage[], signal?: AbortSignal) {
    const range: [number, number] = grader.range ?? [0, 1];
    return this.callStructured(
      grader.model,
      toChatMessages(renderedInput),
      scoreModelResponseFormat(range),
      samplingToRequest(grader.sampling_params),
      signal,
    );
  }

  label(grader: LabelModelGrader, renderedInput: ModelGraderInputMessage[], signal?: AbortSignal) {
    return this.callStructured(
      grader.model,
      toChatMessages(renderedInput),
      labelModelResponseFormat(grader.labels),
      samplingToRequest(grader.sampling_params),
      signal,
    );
  }

  /** Cosine similarity of two texts' embeddings (needs the provider's embeddings endpoint). */
  async cosine(
    a: string,
    b: string,
    signal?: AbortSignal,
  ): Promise<{ value: number; usage: TokenUsage | null; model: string }> {
    // Floats, not the SDK's default base64: OpenAI-compatible local servers often support only floats.
    const body = { model: COSINE_EMBEDDING_MODEL, input: [a, b], encoding_format: 'float' as const };
    const { value } = await this.cached('embeddings', body, async () => {
      const res = await this.opts.client.embeddings.create(body, {
        signal,
        maxRetries: this.opts.maxRetries ?? 4,
      });
      return {
        vectors: res.data.map((d) => d.embedding as number[]),
        usage: usageFrom(res.usage),
        model: res.model,
      };
    });
    const [x, y] = value.vectors;
    if (!x || !y || x.length !== y.length)
      throw new Error('the embeddings endpoint returned unusable vectors');
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let i = 0; i < x.length; i++) {
      dot += x[i]! * y[i]!;
      nx += x[i]! * x[i]!;
      ny += y[i]! * y[i]!;
    }
    const denom = Math.sqrt(nx) * Math.sqrt(ny);
    return {
      value: denom === 0 ? 0 : dot / denom,
      usage: value.usage,
      model: value.model || COSINE_EMBEDDING_MODEL,
    };
  }
}
