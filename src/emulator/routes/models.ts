// Model endpoints of the deterministic fake model: chat completions (plain and streamed), responses,
// embeddings (all three under per-model rate limits), and the model list (base models plus the fine-tuned
// models of succeeded jobs).
import type { EmulatorContext, Reply, RouteRequest } from '../context';
import { HttpError, errorBody, isObj, newId, requireJob } from '../context';
import { formatResetDuration } from '../rateLimits';
import { countdownAnswer, countdownJudge, countdownTask } from '../countdown';
import { embeddingToBase64, fakeAnswer, fakeEmbedding, prng, roughTokens, seedOf } from '../fakeModel';
import type { Route } from '../router';

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

type Format = ReturnType<typeof responseFormatOf>;

function schemaProperties(format: Format): Record<string, unknown> | undefined {
  return format.kind === 'json_schema' && isObj(format.schema) && isObj(format.schema.properties)
    ? format.schema.properties
    : undefined;
}

/** The fake model's answer: the Countdown skill (solve or judge) when the prompt is such a task, else text/JSON. */
function answer(model: string, prompt: string, format: Format, seedParts: unknown[]): string {
  const props = schemaProperties(format);
  const judged = countdownJudge(prompt);
  if (judged && (format.kind !== 'json_schema' || (props && 'result' in props)))
    return format.kind === 'text'
      ? `Score: ${judged.score}\nReasoning: ${judged.reasoning}`
      : JSON.stringify({
          ...(props && 'steps' in props
            ? { steps: [{ description: judged.reasoning, conclusion: `Score: ${judged.score}` }] }
            : {}),
          result: judged.score,
        });
  const task = countdownTask(prompt);
  if (task && (format.kind !== 'json_schema' || (props && 'expression' in props)))
    return JSON.stringify(countdownAnswer(task, model, prng(seedOf('countdown', ...seedParts))));
  return fakeAnswer(seedParts, format);
}

function chatCompletion(ctx: EmulatorContext, body: Record<string, unknown>): Reply {
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
      content: answer(body.model as string, promptText, format, [
        body.model,
        body.messages,
        format,
        body.seed ?? 0,
        i,
      ]),
      refusal: null,
      annotations: [],
    },
    finish_reason: 'stop',
    logprobs: null,
  }));
  const completionTokens = choices.reduce((a, c) => a + roughTokens(c.message.content), 0);
  const id = newId('chatcmpl-');
  const created = ctx.sec();
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

function response(ctx: EmulatorContext, body: Record<string, unknown>): Reply {
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
  const text = answer(
    body.model,
    `${typeof body.instructions === 'string' ? body.instructions : ''}\n${promptText}`,
    format,
    [body.model, body.instructions ?? null, input ?? null, format],
  );
  const inTok = roughTokens(`${typeof body.instructions === 'string' ? body.instructions : ''}${promptText}`);
  const outTok = roughTokens(text);
  return {
    status: 200,
    json: {
      id: newId('resp_'),
      object: 'response',
      created_at: ctx.sec(),
      status: 'completed',
      completed_at: ctx.sec(),
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

function models(ctx: EmulatorContext): Reply {
  const base = [
    'o4-mini-2025-04-16',
    'gpt-5-2025-08-07',
    'gpt-4o-2024-08-06',
    'o3-mini-2025-01-31',
    'gpt-4.1-mini',
    'text-embedding-3-small',
    'text-embedding-3-large',
  ];
  const tuned = ctx.jobOrder
    .map((id) => requireJob(ctx, id).job.fine_tuned_model)
    .filter((m): m is string => !!m);
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

function model(ctx: EmulatorContext, id: string): Reply {
  const all = (models(ctx) as { json: { data: Array<{ id: string }> } }).json.data;
  const m = all.find((x) => x.id === id);
  if (!m) throw new HttpError(404, `The model '${id}' does not exist`, 'model_not_found', 'model');
  return { status: 200, json: m };
}

/** What a request may cost in tokens, as the platform estimates it before answering: prompt + output maximum. */
function tokenEstimate(body: Record<string, unknown>): number {
  const prompt = roughTokens(
    JSON.stringify(body.messages ?? body.input ?? '') +
      (typeof body.instructions === 'string' ? body.instructions : ''),
  );
  const n = typeof body.n === 'number' && body.n >= 1 ? Math.min(8, Math.floor(body.n)) : 1;
  const max = [body.max_completion_tokens, body.max_tokens, body.max_output_tokens].find(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  return prompt + (max ?? 0) * n;
}

/** A model endpoint under the per-model rate limits: x-ratelimit-* headers on the answer, 429 past them. */
function limited(answer: (ctx: EmulatorContext, body: Record<string, unknown>) => Reply) {
  return (ctx: EmulatorContext, rq: RouteRequest): Reply => {
    const body = rq.json();
    if (typeof body.model !== 'string')
      throw new HttpError(400, 'Missing required parameter: model.', 'missing_required_parameter', 'model');
    const d = ctx.rateLimiter.take(body.model, tokenEstimate(body));
    if (!d.ok) {
      const message =
        d.requested > d.limit
          ? `Request too large for ${body.model} on tokens per min (TPM): Limit ${d.limit}, Requested ${d.requested}. The input or output tokens must be reduced in order to run successfully.`
          : `Rate limit reached for ${body.model} on ${d.kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)'}: Limit ${d.limit}, Requested ${d.requested}. Please try again in ${formatResetDuration(d.retryAfterMs)}. (emulated)`;
      return {
        status: 429,
        json: errorBody(message, d.kind, 'rate_limit_exceeded', null),
        headers: d.headers,
      };
    }
    const reply = answer(ctx, body);
    return {
      ...reply,
      headers: { ...(reply as { headers?: Record<string, string> }).headers, ...d.headers },
    } as Reply;
  };
}

/** The answers without the online rate limits: the Batch API runs on its own capacity. */
export const BATCH_MODEL_ANSWERS: Record<
  '/chat/completions' | '/responses' | '/embeddings',
  (ctx: EmulatorContext, body: Record<string, unknown>) => Reply
> = {
  '/chat/completions': chatCompletion,
  '/responses': response,
  '/embeddings': (_ctx, body) => embeddings(body),
};

export const modelRoutes: readonly Route[] = [
  { method: 'GET', path: '/models', handler: (ctx) => models(ctx) },
  { method: 'GET', path: '/models/:id*', handler: (ctx, rq) => model(ctx, rq.params.id!) },
  { method: 'POST', path: '/chat/completions', handler: limited(chatCompletion) },
  { method: 'POST', path: '/responses', handler: limited(response) },
  { method: 'POST', path: '/embeddings', handler: limited((_ctx, body) => embeddings(body)) },
];
