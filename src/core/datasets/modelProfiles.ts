// Per-model training limits the SFT checks need (tokens per training example), and the default model of each
// provider profile when the user names none (CLI: validate --model). Sources: the OpenAI fine-tuning guide's
// token limits and Azure's fine-tuning model table ("Training example context length").
import type { Provider } from './aggregate';

export interface ExampleTokenLimit {
  /** Maximum tokens in one training example. */
  limit: number;
  /** The model the limit is for. */
  model: string;
  /** The model was not chosen: it is the provider profile's default. */
  defaulted: boolean;
  /** The chosen model is not in the table; the limit is the default model's. */
  unknownModel?: string;
}

/** Model name prefixes (OpenAI and Azure spellings) → tokens per training example. First match wins. */
const TRAINING_CONTEXT: ReadonlyArray<[prefix: string, limit: number]> = [
  ['gpt-4.1-nano', 65_536],
  ['gpt-4.1-mini', 65_536],
  ['gpt-4.1', 65_536],
  ['gpt-4o-mini', 65_536],
  ['gpt-4o', 65_536],
  ['gpt-3.5-turbo-0613', 4_096],
  ['gpt-35-turbo-0613', 4_096],
  ['gpt-3.5-turbo', 16_385],
  ['gpt-35-turbo', 16_385],
  ['babbage-002', 16_384],
  ['davinci-002', 16_384],
];

export const DEFAULT_SFT_MODEL: Record<Provider, string> = {
  openai: 'gpt-4.1-mini-2025-04-14',
  azure: 'gpt-4.1-mini',
};

function lookup(model: string): number | undefined {
  const m = model.trim().toLowerCase();
  // Fine-tuned models (ft:gpt-4.1-mini-2025-04-14:org::id) keep their base model's limit.
  const base = m.startsWith('ft:') ? m.slice(3) : m;
  return TRAINING_CONTEXT.find(([prefix]) => base.startsWith(prefix))?.[1];
}

/** The per-example token limit for `model`, or the provider profile's default model when none is given. */
export function exampleTokenLimit(provider: Provider, model?: string): ExampleTokenLimit {
  const fallback = DEFAULT_SFT_MODEL[provider];
  if (model?.trim()) {
    const limit = lookup(model);
    if (limit !== undefined) return { limit, model: model.trim(), defaulted: false };
    return { limit: lookup(fallback)!, model: fallback, defaulted: true, unknownModel: model.trim() };
  }
  return { limit: lookup(fallback)!, model: fallback, defaulted: true };
}

/** How the limit was chosen, for messages: "gpt-4.1-mini-2025-04-14 (no model chosen: the openai …)". */
export function describeTokenLimit(t: ExampleTokenLimit, provider: Provider): string {
  if (t.unknownModel)
    return `${t.model} (no limit known for "${t.unknownModel}"; used the ${provider} profile's default model)`;
  if (t.defaulted) return `${t.model} (no model chosen: the ${provider} profile's default)`;
  return t.model;
}
