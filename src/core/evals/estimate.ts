// What a run will cost before anything is spent: calls per candidate, how many the request cache already
// answers, prompt tokens (our tokenizer), an assumed output length, and list-price cost; plus the sentence a
// confirmation dialog or the CLI shows.
import { priceFor } from '../lab/sampling';
import { countMessagesTokens } from '../tokens/tokenizer';
import type { EvalCache } from './cache';
import { buildRequest } from './requests';
import type { ResolvedEvalSpec } from './spec';
import type { EvalRequest } from './types';

/** Output tokens assumed per call when the candidate sets no max_output_tokens (reasoning models bill hidden tokens too). */
export const ASSUMED_OUTPUT_TOKENS = 1000;

export interface CandidateEstimate {
  label: string;
  model: string;
  calls: number;
  /** Calls the request cache answers (free). */
  cached: number;
  /** Prompt tokens of the calls still to make. */
  promptTokens: number;
  outputTokensPerCall: number;
  /** Undefined when no list price is known for the model. */
  usd?: number;
}

export interface EvalEstimate {
  items: number;
  samplesPerItem: number;
  calls: number;
  cached: number;
  promptTokens: number;
  /** Sum over candidates with a known price. */
  usd: number;
  /** Labels of candidates without a known price (their cost is not in `usd`). */
  unpriced: string[];
  candidates: CandidateEstimate[];
  summary: string;
}

/** The Batch API bills half the list price (OpenAI, and Azure's global batch deployments). */
export const BATCH_PRICE_FACTOR = 0.5;

/** Prompt tokens of one request (the same count for either endpoint). */
export function promptTokensOf(item: Record<string, unknown>): number {
  return countMessagesTokens(Array.isArray(item.messages) ? item.messages : [], item.tools);
}

/** The provider may count a prompt above our tokenizer (message framing, another encoding): the spend bound allows for it. */
export const PROMPT_TOKEN_MARGIN = 1.25;

/** The most a request may cost: its prompt (with the margin) plus its output cap (or the assumption), at list price. */
export function requestCostUsd(
  model: string,
  promptTokens: number,
  maxOutputTokens: number | undefined,
): number | undefined {
  const price = priceFor(model);
  if (!price) return undefined;
  return (
    (promptTokens * PROMPT_TOKEN_MARGIN * price.input +
      (maxOutputTokens ?? ASSUMED_OUTPUT_TOKENS) * price.output) /
    1e6
  );
}

export function usageCostUsd(
  model: string,
  usage: { input_tokens: number; output_tokens: number },
): number | undefined {
  const price = priceFor(model);
  return price ? (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1e6 : undefined;
}

function usd(v: number): string {
  return `$${v.toFixed(v < 1 ? 3 : 2)}`;
}

export async function estimateEval(
  spec: ResolvedEvalSpec,
  opts: {
    baseUrlOf: (candidate: string) => string;
    cache?: EvalCache;
    isCached?: (r: EvalRequest) => Promise<boolean>;
  },
): Promise<EvalEstimate> {
  const isCached = opts.isCached ?? (async (r: EvalRequest) => (opts.cache ? opts.cache.has(r.key) : false));
  const promptOf = spec.items.map((x) => promptTokensOf(x.item));
  const candidates: CandidateEstimate[] = [];
  const priceFactor = spec.mode === 'batch' ? BATCH_PRICE_FACTOR : 1;
  for (const c of spec.candidates) {
    let cached = 0;
    let promptTokens = 0;
    let calls = 0;
    const base = opts.baseUrlOf(c.label);
    for (const item of spec.items)
      for (let s = 0; s < spec.samplesPerItem; s++) {
        calls++;
        if (await isCached(buildRequest(spec, c, item, s, base))) cached++;
        else promptTokens += promptOf[item.index]!;
      }
    const price = priceFor(c.model);
    const out = c.max_output_tokens ?? ASSUMED_OUTPUT_TOKENS;
    candidates.push({
      label: c.label,
      model: c.model,
      calls,
      cached,
      promptTokens,
      outputTokensPerCall: out,
      ...(price
        ? { usd: (priceFactor * (promptTokens * price.input + (calls - cached) * out * price.output)) / 1e6 }
        : {}),
    });
  }
  const calls = candidates.reduce((n, c) => n + c.calls, 0);
  const cached = candidates.reduce((n, c) => n + c.cached, 0);
  const promptTokens = candidates.reduce((n, c) => n + c.promptTokens, 0);
  const total = candidates.reduce((n, c) => n + (c.usd ?? 0), 0);
  const unpriced = candidates.filter((c) => c.usd === undefined && c.calls > c.cached).map((c) => c.label);
  const perCandidate = candidates
    .map(
      (c) =>
        `${c.label} (${c.model}): ${c.calls - c.cached} call(s)${c.cached ? `, ${c.cached} cached` : ''}, ${
          c.usd === undefined ? (c.calls > c.cached ? 'no price known' : '$0') : `about ${usd(c.usd)}`
        }`,
    )
    .join('; ');
  const toMake = calls - cached;
  const summary =
    toMake === 0
      ? `All ${calls} call(s) are answered by the cache: this run costs nothing.`
      : `${toMake} model call(s) to make (${spec.items.length} item(s) × ${spec.samplesPerItem} sample(s) × ${spec.candidates.length} candidate(s)${cached ? `, ${cached} already cached` : ''}), ${promptTokens.toLocaleString('en-US')} prompt tokens and ~${ASSUMED_OUTPUT_TOKENS} output tokens per call unless capped. ${perCandidate}. Total: about ${usd(total)}${unpriced.length ? ` plus the unpriced ${unpriced.join(', ')}` : ''}, at ${spec.mode === 'batch' ? 'half the list prices (the Batch API discount)' : 'list prices'}; model graders, if any, cost extra.${spec.maxSpendUsd !== undefined ? ` The run stops before spending more than ${usd(spec.maxSpendUsd)}.` : ''}`;
  return {
    items: spec.items.length,
    samplesPerItem: spec.samplesPerItem,
    calls,
    cached,
    promptTokens,
    usd: total,
    unpriced,
    candidates,
    summary,
  };
}
