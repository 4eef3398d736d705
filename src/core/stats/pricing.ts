// Training-cost estimate from token counts. SFT and DPO are billed per training token (tokens × epochs);
// RFT is billed by training time, so for RFT the estimate is a plain note, never a number made up from tokens.
import type { CostEstimate } from '../../shared/datasetStats';

export type { CostEstimate };

export interface TokenPrice {
  model: string;
  /** USD per 1,000,000 training tokens. */
  usdPerMillionTrainingTokens: number;
}

export interface PriceTable {
  /** When these prices were read from the source (ISO date). */
  asOf: string;
  source: string;
  currency: 'USD';
  /** Per-token training prices, used for SFT and DPO. */
  perToken: TokenPrice[];
  /** RFT time-based prices, shown in the note only. */
  rftPerHour: { model: string; usdPerHour: number }[];
}

/**
 * Built-in prices, one dated table. Users override it with the `rftStudio.stats.prices` setting (CLI: `--prices
 * FILE`). OpenAI's pricing page lists one training price per model whatever the method (supervised or DPO).
 */
export const DEFAULT_PRICES: PriceTable = {
  asOf: '2025-06-01',
  source:
    'https://platform.openai.com/docs/pricing (fine-tuning, training column); RFT: docs/rft-reference.md §4.9',
  currency: 'USD',
  perToken: [
    { model: 'gpt-4.1-2025-04-14', usdPerMillionTrainingTokens: 25 },
    { model: 'gpt-4.1-mini-2025-04-14', usdPerMillionTrainingTokens: 5 },
    { model: 'gpt-4.1-nano-2025-04-14', usdPerMillionTrainingTokens: 1.5 },
    { model: 'gpt-4o-2024-08-06', usdPerMillionTrainingTokens: 25 },
    { model: 'gpt-4o-mini-2024-07-18', usdPerMillionTrainingTokens: 3 },
    { model: 'gpt-3.5-turbo-0125', usdPerMillionTrainingTokens: 8 },
  ],
  rftPerHour: [{ model: 'o4-mini-2025-04-16', usdPerHour: 100 }],
};

/** Accepts a user-supplied table (e.g. from settings), falling back to the defaults for anything malformed. */
export function resolvePriceTable(raw: unknown): PriceTable {
  if (!raw || typeof raw !== 'object') return DEFAULT_PRICES;
  const r = raw as Partial<PriceTable>;
  const perToken = Array.isArray(r.perToken)
    ? r.perToken.filter(
        (p): p is TokenPrice =>
          !!p &&
          typeof p.model === 'string' &&
          typeof p.usdPerMillionTrainingTokens === 'number' &&
          Number.isFinite(p.usdPerMillionTrainingTokens) &&
          p.usdPerMillionTrainingTokens >= 0,
      )
    : [];
  const rftPerHour = Array.isArray(r.rftPerHour)
    ? r.rftPerHour.filter(
        (p) =>
          !!p &&
          typeof p.model === 'string' &&
          typeof p.usdPerHour === 'number' &&
          Number.isFinite(p.usdPerHour),
      )
    : [];
  if (!perToken.length && !rftPerHour.length) return DEFAULT_PRICES;
  return {
    asOf: typeof r.asOf === 'string' ? r.asOf : 'user-defined',
    source: typeof r.source === 'string' ? r.source : 'user settings',
    currency: 'USD',
    perToken: perToken.length ? perToken : DEFAULT_PRICES.perToken,
    rftPerHour: rftPerHour.length ? rftPerHour : DEFAULT_PRICES.rftPerHour,
  };
}

/**
 * Cost of training on a dataset with `tokensPerEpoch` tokens for `epochs` epochs. `method` is the dataset's
 * dominant format. For RFT no token-based figure is given.
 */
export function estimateCost(
  method: CostEstimate['method'],
  tokensPerEpoch: number,
  epochs: number,
  table: PriceTable = DEFAULT_PRICES,
): CostEstimate {
  const prices = { asOf: table.asOf, source: table.source };
  if (method === 'rft') {
    const hourly = table.rftPerHour.map((p) => `${p.model} $${p.usdPerHour}/hour`).join(', ');
    return {
      method,
      billedBy: 'time',
      tokensPerEpoch,
      epochs,
      billedTokens: 0,
      rows: [],
      note:
        `Reinforcement fine-tuning is billed by training time (plus model-grader tokens), not by dataset tokens, ` +
        `so no estimate is computed from this file. Published rate${table.rftPerHour.length > 1 ? 's' : ''}: ${hourly} (prices as of ${table.asOf}).`,
      prices,
    };
  }
  if (method === 'none') {
    return {
      method,
      billedBy: 'n/a',
      tokensPerEpoch,
      epochs,
      billedTokens: 0,
      rows: [],
      note: 'No training format was recognized in this file, so there is no cost estimate.',
      prices,
    };
  }
  const billedTokens = tokensPerEpoch * epochs;
  return {
    method,
    billedBy: 'tokens',
    tokensPerEpoch,
    epochs,
    billedTokens,
    rows: table.perToken.map((p) => ({
      model: p.model,
      usd: (billedTokens / 1_000_000) * p.usdPerMillionTrainingTokens,
    })),
    note:
      `${method.toUpperCase()} is billed per training token: ${tokensPerEpoch.toLocaleString('en-US')} tokens × ${epochs} epoch(s). ` +
      `Estimate from o200k_base counts; the provider's own count may differ slightly. Prices as of ${table.asOf}.`,
    prices,
  };
}
