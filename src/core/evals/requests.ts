// One candidate's sampling requests (Chat Completions or Responses bodies, keyed by a hash of their exact content)
// and the parsing of either endpoint's answer into an EvalResponse.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonicalJson';
import type { EvalItem, ResolvedEvalSpec } from './spec';
import type { EvalCandidateSpec, EvalRequest, EvalResponse } from './types';

export type EvalEndpoint = EvalRequest['endpoint'];

export function endpointOf(candidate: EvalCandidateSpec): EvalEndpoint {
  return candidate.api === 'responses' ? '/v1/responses' : '/v1/chat/completions';
}

/** The cache key: identical content (endpoint, provider, body, sample index) is the same request. */
export function requestKey(endpoint: string, baseUrl: string, body: unknown, sample: number): string {
  return createHash('sha256')
    .update(canonicalJson({ endpoint, base_url: baseUrl.replace(/\/+$/, ''), body, sample }))
    .digest('hex');
}

/** Chat Completions tools (`{type, function: {name, …}}`) in the Responses form (`{type, name, …}`). */
function responsesTool(tool: unknown): unknown {
  if (!tool || typeof tool !== 'object') return tool;
  const t = tool as Record<string, unknown>;
  if (t.type === 'function' && t.function && typeof t.function === 'object')
    return { type: 'function', ...(t.function as Record<string, unknown>) };
  return tool;
}

/** `{type: 'json_schema', json_schema: {name, schema, strict}}` → Responses' `text.format`. */
function responsesFormat(rf: Record<string, unknown>): Record<string, unknown> {
  const js = rf.json_schema as Record<string, unknown> | undefined;
  return js ? { type: 'json_schema', ...js } : rf;
}

export function requestBody(
  candidate: EvalCandidateSpec,
  item: Record<string, unknown>,
  sample: number,
  responseFormat: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const messages = item.messages as unknown[];
  const tools = Array.isArray(item.tools) && item.tools.length ? item.tools : undefined;
  const seed = candidate.seed === undefined ? undefined : candidate.seed + sample;
  if (endpointOf(candidate) === '/v1/responses') {
    // Responses has no seed: the sample index in the key keeps the K requests distinct.
    return {
      model: candidate.model,
      input: messages,
      ...(tools ? { tools: tools.map(responsesTool) } : {}),
      ...(responseFormat ? { text: { format: responsesFormat(responseFormat) } } : {}),
      ...(candidate.temperature !== undefined ? { temperature: candidate.temperature } : {}),
      ...(candidate.top_p !== undefined ? { top_p: candidate.top_p } : {}),
      ...(candidate.max_output_tokens !== undefined
        ? { max_output_tokens: candidate.max_output_tokens }
        : {}),
      ...(candidate.reasoning_effort ? { reasoning: { effort: candidate.reasoning_effort } } : {}),
      store: false,
    };
  }
  return {
    model: candidate.model,
    messages,
    ...(tools ? { tools } : {}),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(candidate.temperature !== undefined ? { temperature: candidate.temperature } : {}),
    ...(candidate.top_p !== undefined ? { top_p: candidate.top_p } : {}),
    ...(candidate.max_output_tokens !== undefined
      ? { max_completion_tokens: candidate.max_output_tokens }
      : {}),
    ...(candidate.reasoning_effort ? { reasoning_effort: candidate.reasoning_effort } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

export function buildRequest(
  spec: Pick<ResolvedEvalSpec, 'responseFormat'>,
  candidate: EvalCandidateSpec,
  item: EvalItem,
  sample: number,
  baseUrl: string,
): EvalRequest {
  const endpoint = endpointOf(candidate);
  const body = requestBody(candidate, item.item, sample, spec.responseFormat);
  return {
    key: requestKey(endpoint, baseUrl, body, sample),
    candidate: candidate.label,
    item: item.index,
    sample,
    endpoint,
    body,
  };
}

/** Every request of a run, item by item (so a partial run covers whole items first), candidates interleaved. */
export function* buildRequests(
  spec: Pick<ResolvedEvalSpec, 'responseFormat' | 'items' | 'candidates' | 'samplesPerItem'>,
  baseUrlOf: (candidate: string) => string,
): Generator<EvalRequest> {
  for (const item of spec.items)
    for (let s = 0; s < spec.samplesPerItem; s++)
      for (const c of spec.candidates) yield buildRequest(spec, c, item, s, baseUrlOf(c.label));
}

function parseJsonOutput(text: string, wantJson: boolean): { output_json?: unknown } {
  if (!wantJson) return {};
  try {
    return { output_json: JSON.parse(text) as unknown };
  } catch {
    return {};
  }
}

function wantsJson(request: EvalRequest): boolean {
  const b = request.body;
  const chat = b.response_format as { type?: unknown } | undefined;
  const resp = (b.text as { format?: { type?: unknown } } | undefined)?.format;
  return chat?.type === 'json_schema' || resp?.type === 'json_schema';
}

interface ChatLike {
  model?: string;
  choices?: Array<{ message?: { content?: string | null; refusal?: string | null } }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    completion_tokens_details?: { reasoning_tokens?: number } | null;
  } | null;
}

interface ResponsesLike {
  model?: string;
  output_text?: string;
  output?: Array<{ type?: string; content?: Array<{ type?: string; text?: string }> }>;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    output_tokens_details?: { reasoning_tokens?: number } | null;
  } | null;
}

/** The answer of either endpoint as an EvalResponse (the text, its JSON when the format asks for it, usage). */
export function parseAnswer(request: EvalRequest, answer: unknown, latencyMs: number): EvalResponse {
  let text: string;
  let usage: EvalResponse['usage'];
  let model: string | undefined;
  if (request.endpoint === '/v1/responses') {
    const r = answer as ResponsesLike;
    text =
      typeof r.output_text === 'string'
        ? r.output_text
        : (r.output ?? [])
            .filter((o) => o.type === 'message')
            .flatMap((o) => o.content ?? [])
            .filter((c) => c.type === 'output_text')
            .map((c) => c.text ?? '')
            .join('');
    usage = {
      input_tokens: r.usage?.input_tokens ?? 0,
      output_tokens: r.usage?.output_tokens ?? 0,
      ...(r.usage?.output_tokens_details?.reasoning_tokens
        ? { reasoning_tokens: r.usage.output_tokens_details.reasoning_tokens }
        : {}),
    };
    model = r.model;
  } else {
    const r = answer as ChatLike;
    const message = r.choices?.[0]?.message;
    text = message?.content ?? message?.refusal ?? '';
    usage = {
      input_tokens: r.usage?.prompt_tokens ?? 0,
      output_tokens: r.usage?.completion_tokens ?? 0,
      ...(r.usage?.completion_tokens_details?.reasoning_tokens
        ? { reasoning_tokens: r.usage.completion_tokens_details.reasoning_tokens }
        : {}),
    };
    model = r.model;
  }
  return {
    output_text: text,
    ...parseJsonOutput(text, wantsJson(request)),
    usage,
    latency_ms: Math.round(latencyMs),
    ...(model ? { model } : {}),
  };
}
