// Client-side pacing of one provider model's requests: how many may be in flight and when the next may start,
// from the provider's x-ratelimit-* headers (remaining requests/tokens and their reset), retry-after on 429s,
// and a multiplicative back-off of the concurrency on server errors and dropped connections.

/** A Go-style duration as OpenAI's reset headers give it ("120ms", "8.64s", "6m0s", "1h2m3s") → ms. */
export function parseResetDuration(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    matched = true;
    const v = Number(m[1]);
    total += m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : m[2] === 'm' ? v * 60_000 : v * 3_600_000;
  }
  return matched ? total : undefined;
}

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date), in ms. */
export function retryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const ra = headers?.get('retry-after');
  if (!ra) return undefined;
  const s = Number(ra);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** A budget (requests or tokens) the provider refills continuously, as last reported and spent since. */
class Budget {
  private remaining = Infinity;
  private at = 0;
  private ratePerMs = 0;

  /** From a response's headers: the limit, what remains, and how long until full. */
  observe(
    limit: number | undefined,
    remaining: number | undefined,
    resetMs: number | undefined,
    now: number,
  ): void {
    if (remaining === undefined || !Number.isFinite(remaining)) return;
    this.remaining = remaining;
    this.at = now;
    if (limit && limit > 0) {
      // The refill rate: what is missing over the time to refill it, else the per-minute limit.
      const missing = limit - remaining;
      this.ratePerMs = resetMs && resetMs > 0 && missing > 0 ? missing / resetMs : limit / 60_000;
    }
  }

  /** A 429 says the budget is empty now. */
  exhaust(now: number): void {
    if (this.remaining !== Infinity) {
      this.remaining = 0;
      this.at = now;
    }
  }

  level(now: number): number {
    if (this.remaining === Infinity) return Infinity;
    return this.remaining + (now - this.at) * this.ratePerMs;
  }

  /** ms until `amount` is there (0 = now). */
  waitFor(amount: number, now: number): number {
    const level = this.level(now);
    if (level >= amount) return 0;
    if (this.ratePerMs <= 0) return 1000;
    return Math.ceil((amount - level) / this.ratePerMs);
  }

  spend(amount: number, now: number): void {
    if (this.remaining === Infinity) return;
    this.remaining = this.level(now) - amount;
    this.at = now;
  }
}

export interface RateControllerOptions {
  maxConcurrency: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RateController {
  private inFlight = 0;
  private inFlightTokens = 0;
  private limit: number;
  private pausedUntil = 0;
  private readonly requests = new Budget();
  private readonly tokens = new Budget();
  private readonly waiters: Array<() => void> = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Counters for progress and benches. */
  readonly stats = { rateLimited: 0, serverErrors: 0, succeeded: 0 };

  constructor(private readonly opts: RateControllerOptions) {
    this.limit = Math.max(1, opts.maxConcurrency);
    this.now = opts.now ?? (() => Date.now());
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /** Requests allowed in flight now (≤ maxConcurrency; lowered after server errors). */
  get concurrency(): number {
    return Math.floor(this.limit);
  }

  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot, the end of a retry-after pause and enough request/token budget; then takes them. */
  async acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (this.inFlight >= this.concurrency) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const now = this.now();
      // Keep in-flight requests' budget in mind: the headers seen so far do not count them yet.
      const wait = Math.max(
        this.pausedUntil - now,
        this.requests.waitFor(1, now),
        this.tokens.waitFor(Math.max(1, tokens), now),
      );
      if (wait <= 0) {
        this.inFlight++;
        this.inFlightTokens += tokens;
        this.requests.spend(1, now);
        this.tokens.spend(tokens, now);
        return;
      }
      await this.sleep(Math.min(wait, 60_000), signal);
    }
  }

  /** After a request ends (answered or not), with the tokens it was acquired with. */
  release(tokens = 0): void {
    this.inFlight--;
    this.inFlightTokens -= tokens;
    this.waiters.shift()?.();
  }

  onSuccess(headers: { get(name: string): string | null }): void {
    this.stats.succeeded++;
    const now = this.now();
    const num = (h: string) => {
      const v = headers.get(h);
      return v === null ? undefined : Number(v);
    };
    this.requests.observe(
      num('x-ratelimit-limit-requests'),
      num('x-ratelimit-remaining-requests'),
      parseResetDuration(headers.get('x-ratelimit-reset-requests')),
      now,
    );
    this.tokens.observe(
      num('x-ratelimit-limit-tokens'),
      num('x-ratelimit-remaining-tokens'),
      parseResetDuration(headers.get('x-ratelimit-reset-tokens')),
      now,
    );
    // The headers may not count requests still in flight (a provider can meter them when they finish): count
    // them as spent. If the provider did count them this only delays the next send once; the pace stays the refill.
    this.requests.spend(this.inFlight, now);
    this.tokens.spend(this.inFlightTokens, now);
    // Additive recovery after a back-off.
    if (this.limit < this.opts.maxConcurrency) {
      this.limit = Math.min(this.opts.maxConcurrency, this.limit + 1 / Math.max(1, this.limit));
      this.wake();
    }
  }

  /** A 429: everyone waits out retry-after (or a second), and the budgets read as empty. */
  onRateLimited(retryAfter: number | undefined): void {
    this.stats.rateLimited++;
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfter ?? 1000));
    this.requests.exhaust(now);
    this.tokens.exhaust(now);
  }

  /** 5xx or a dropped connection: halve the concurrency (never below 1). */
  onServerError(): void {
    this.stats.serverErrors++;
    this.limit = Math.max(1, this.limit / 2);
  }

  private wake(): void {
    // Every waiter checks again; the ones that find no slot wait again.
    for (const w of this.waiters.splice(0)) w();
  }
}
