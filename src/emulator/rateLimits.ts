// Per-model request and token rate limits for the emulator's model endpoints, as OpenAI applies them: buckets
// that refill continuously over a minute, x-ratelimit-* headers on every answer (reset as a Go-style duration,
// "1s", "6m0s"), and a 429 with retry-after / retry-after-ms when a bucket cannot cover a request.

export interface RateLimitOptions {
  /** Requests per minute, per model (default 10,000). */
  requestsPerMinute?: number;
  /** Tokens per minute, per model (default 10,000,000): prompt estimate + the requested output maximum. */
  tokensPerMinute?: number;
}

export const DEFAULT_REQUESTS_PER_MINUTE = 10_000;
export const DEFAULT_TOKENS_PER_MINUTE = 10_000_000;

/** A duration the way OpenAI's headers show it (Go's time.Duration): "120ms", "8.64s", "6m0s", "1h0m0s". */
export function formatResetDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalSeconds = Math.round(ms) / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = Math.round((totalSeconds - h * 3600 - m * 60) * 1000) / 1000;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

class Bucket {
  private level: number;
  private at: number;

  constructor(
    readonly limit: number,
    now: number,
  ) {
    this.level = limit;
    this.at = now;
  }

  private refill(now: number): void {
    this.level = Math.min(this.limit, this.level + ((now - this.at) * this.limit) / 60_000);
    this.at = now;
  }

  /** Milliseconds until `amount` is available (0 = now). */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    return this.level >= amount ? 0 : ((amount - this.level) * 60_000) / this.limit;
  }

  take(amount: number): void {
    this.level -= amount;
  }

  remaining(): number {
    return Math.max(0, Math.floor(this.level));
  }

  /** Milliseconds until the bucket is full again. */
  resetMs(): number {
    return ((this.limit - this.level) * 60_000) / this.limit;
  }
}

export type RateDecision =
  | { ok: true; headers: Record<string, string> }
  | {
      ok: false;
      headers: Record<string, string>;
      kind: 'requests' | 'tokens';
      limit: number;
      requested: number;
      retryAfterMs: number;
    };

export class RateLimiter {
  private readonly buckets = new Map<string, { requests: Bucket; tokens: Bucket }>();
  readonly requestsPerMinute: number;
  readonly tokensPerMinute: number;

  constructor(
    opts: RateLimitOptions,
    private readonly now: () => number,
  ) {
    const positive = (v: number | undefined, d: number) =>
      v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : d;
    this.requestsPerMinute = positive(opts.requestsPerMinute, DEFAULT_REQUESTS_PER_MINUTE);
    this.tokensPerMinute = positive(opts.tokensPerMinute, DEFAULT_TOKENS_PER_MINUTE);
  }

  /** Takes one request and `tokens` tokens from the model's buckets, or says how long to wait. */
  take(model: string, tokens: number): RateDecision {
    const now = this.now();
    let b = this.buckets.get(model);
    if (!b) {
      b = {
        requests: new Bucket(this.requestsPerMinute, now),
        tokens: new Bucket(this.tokensPerMinute, now),
      };
      this.buckets.set(model, b);
    }
    const waitRequests = b.requests.waitFor(1, now);
    const waitTokens = b.tokens.waitFor(tokens, now);
    if (waitRequests === 0 && waitTokens === 0) {
      b.requests.take(1);
      b.tokens.take(tokens);
      return { ok: true, headers: this.headers(b) };
    }
    const kind = waitRequests > 0 ? 'requests' : 'tokens';
    const retryAfterMs = Math.ceil(Math.max(waitRequests, waitTokens));
    return {
      ok: false,
      headers: {
        ...this.headers(b),
        'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
        'retry-after-ms': String(retryAfterMs),
      },
      kind,
      limit: kind === 'requests' ? this.requestsPerMinute : this.tokensPerMinute,
      requested: kind === 'requests' ? 1 : tokens,
      retryAfterMs,
    };
  }

  private headers(b: { requests: Bucket; tokens: Bucket }): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': String(b.requests.limit),
      'x-ratelimit-limit-tokens': String(b.tokens.limit),
      'x-ratelimit-remaining-requests': String(b.requests.remaining()),
      'x-ratelimit-remaining-tokens': String(b.tokens.remaining()),
      'x-ratelimit-reset-requests': formatResetDuration(b.requests.resetMs()),
      'x-ratelimit-reset-tokens': formatResetDuration(b.tokens.resetMs()),
    };
  }
}
