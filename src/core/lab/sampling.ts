// Generating sample outputs by calling a model K times per item, through any OpenAI-compatible provider.
// planSampling says how many calls and roughly what they cost before anything is sent.
import type OpenAI from 'openai';
import { countMessagesTokens } from '../tokens/tokenizer';
import type { LabItem, LabSample } from './labRun';

/**
 * USD per 1M tokens (input, output) for models people sample RFT candidates with. Standard-tier list prices
 * as published by OpenAI, read 2026-10; Azure prices vary by region and deployment. Unknown models get no
 * estimate rather than a wrong one.
 */
export const MODEL_PRICES_PER_MTOK: Record<string, { input: number; output: number }> = {
  'o4-mini': { input: 1.1, output: 4.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2.0, output: 8.0 },
  'gpt-4.1': { input: 2.0, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
};

export function priceFor(model: string): { input: number; output: number } | undefined {
  // Dated snapshots ("o4-mini-2025-04-16") and fine-tunes ("ft:o4-mini-2025-04-16:org::id") use the base price.
  const base = model.replace(/^ft:/, '').split(':')[0];
  const keys = Object.keys(MODEL_PRICES_PER_MTOK).sort((a, b) => b.length - a.length);
  const hit = keys.find((k) => base === k || base.startsWith(`${k}-20`));
  return hit ? MODEL_PRICES_PER_MTOK[hit] : undefined;
}

export interface SamplingPlan {
  model: string;
  items: number;
  k: number;
  calls: number;
  promptTokens: number;
  /** Assumed output tokens per call (reasoning models also bill hidden reasoning tokens). */
  outputTokensPerCall: number;
  estimatedUsd?: number;
  summary: string;
}

function messagesOf(item: Record<string, unknown>): unknown[] {
  return Array.isArray(item.messages) ? item.messages : [];
}

export function planSampling(
  items: readonly LabItem[],
  model: string,
  k: number,
  outputTokensPerCall = 1000,
): SamplingPlan {
  const promptTokens = items.reduce(
    (n, x) => n + countMessagesTokens(messagesOf(x.item), x.item.tools) * k,
    0,
  );
  const calls = items.length * k;
  const price = priceFor(model);
  const estimatedUsd = price
    ? (promptTokens * price.input + calls * outputTokensPerCall * price.output) / 1e6
    : undefined;
  const cost =
    estimatedUsd === undefined
      ? 'no price known for this model'
      : `about $${estimatedUsd.toFixed(estimatedUsd < 1 ? 3 : 2)}`;
  return {
    model,
    items: items.length,
    k,
    calls,
    promptTokens,
    outputTokensPerCall,
    estimatedUsd,
    summary: `${calls} call(s) to ${model} (${items.length} item(s) × ${k}), ${promptTokens.toLocaleString('en-US')} prompt tokens, ~${outputTokensPerCall} output tokens each: ${cost}.`,
  };
}

export interface SampleModelOptions {
  model: string;
  k: number;
  /** Chat-Completions style response_format ({type:'json_schema', json_schema:{…}}). */
  responseFormat?: unknown;
  concurrency?: number;
  signal?: AbortSignal;
  onSample?: (s: LabSample, done: number, total: number) => void;
}

/** Calls the model K times per item (one call per sample, so reasoning models without `n` work too). */
export async function sampleModel(
  client: OpenAI,
  items: readonly LabItem[],
  opts: SampleModelOptions,
): Promise<LabSample[]> {
  const jobs: Array<{ itemIndex: number; sampleIndex: number }> = [];
  items.forEach((_, itemIndex) => {
    for (let sampleIndex = 0; sampleIndex < opts.k; sampleIndex++) jobs.push({ itemIndex, sampleIndex });
  });
  const out: LabSample[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      if (opts.signal?.aborted) return;
      const idx = next++;
      const job = jobs[idx];
      const item = items[job.itemIndex].item;
      // Items and the response format are the user's JSON, passed through as read: the API judges their shape.
      const body: OpenAI.ChatCompletionCreateParamsNonStreaming = {
        model: opts.model,
        messages: messagesOf(item) as OpenAI.ChatCompletionMessageParam[],
      };
      if (Array.isArray(item.tools) && item.tools.length)
        body.tools = item.tools as OpenAI.ChatCompletionTool[];
      if (opts.responseFormat)
        body.response_format = opts.responseFormat as OpenAI.ChatCompletionCreateParams['response_format'];
      const completion = await client.chat.completions.create(body, { signal: opts.signal });
      const message = completion.choices[0]?.message;
      const sample: LabSample = {
        itemIndex: job.itemIndex,
        sampleIndex: job.sampleIndex,
        input: {
          output_text: message?.content ?? '',
          ...(message?.tool_calls?.length ? { output_tools: message.tool_calls } : {}),
          choices: completion.choices as unknown[],
        },
      };
      out[idx] = sample;
      done++;
      opts.onSample?.(sample, done, jobs.length);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, jobs.length)) }, worker),
  );
  return out.filter(Boolean);
}
