// Fault injection for the emulator: rules added through the admin endpoint (or one request's
// `x-emulator-fault` header) turn matching requests into 429s, 500s, slow answers, dropped
// connections or OpenAI's 403 training_not_available.

export type FaultKind = '429' | '500' | 'slow' | 'drop' | 'reset' | 'training_not_available';

export const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  'slow',
  'drop',
  'reset',
  'training_not_available',
];

export interface FaultRule {
  /** API path, with or without the /v1 or /openai/v1 prefix; `*` matches any characters. Omitted = any path. */
  path?: string;
  method?: string;
  kind: FaultKind;
  /** How many matching requests are affected (default 1; 0 or negative = until cleared). */
  count?: number;
  /** 429: value of `retry-after` in seconds (default 1). */
  retryAfter?: number;
  /** 429 and 500: send `retry-after-ms` (the SDK then retries after that long). */
  retryAfterMs?: number;
  /** slow: delay before answering (default 3000 ms). */
  delayMs?: number;
}

interface ActiveRule extends FaultRule {
  remaining: number;
  matcher: RegExp | undefined;
  hits: number;
}

/** `/v1/files/x` and `/openai/v1/files/x` → `/files/x`. */
export function apiPathOf(path: string): string {
  const p = path.split('?')[0]!;
  if (p.startsWith('/openai/v1/') || p === '/openai/v1') return p.slice('/openai/v1'.length) || '/';
  if (p.startsWith('/v1/') || p === '/v1') return p.slice('/v1'.length) || '/';
  if (p.startsWith('/openai/')) return p.slice('/openai'.length);
  return p;
}

function toMatcher(path: string | undefined): RegExp | undefined {
  if (!path) return undefined;
  const norm = apiPathOf(path).replace(/\/+$/, '') || '/';
  const re = norm
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}/?$`);
}

export function parseFaultRule(input: unknown): FaultRule {
  if (!input || typeof input !== 'object') throw new Error('a fault rule must be an object');
  const r = input as Record<string, unknown>;
  const kind = String(r.kind ?? '') as FaultKind;
  if (!FAULT_KINDS.includes(kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  const num = (k: string) => (r[k] === undefined ? undefined : Number(r[k]));
  for (const k of ['count', 'retryAfter', 'retryAfterMs', 'delayMs']) {
    const v = num(k);
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`${k} must be a number`);
  }
  return {
    kind,
    path: typeof r.path === 'string' ? r.path : undefined,
    method: typeof r.method === 'string' ? r.method.toUpperCase() : undefined,
    count: num('count'),
    retryAfter: num('retryAfter'),
    retryAfterMs: num('retryAfterMs'),
    delayMs: num('delayMs'),
  };
}

/** `x-emulator-fault: 429` or `x-emulator-fault: slow;delayMs=500` (applies to that request only). */
export function parseFaultHeader(value: string): FaultRule {
  const [kind, ...params] = value.split(';').map((s) => s.trim());
  const rule: Record<string, unknown> = { kind };
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k) rule[k] = v;
  }
  return parseFaultRule(rule);
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const count = rule.count ?? 1;
    this.rules.push({
      ...rule,
      remaining: count > 0 ? count : Infinity,
      matcher: toMatcher(rule.path),
      hits: 0,
    });
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRule & { remaining: number | null; hits: number }> {
    return this.rules.map(({ matcher: _m, remaining, ...r }) => ({
      ...r,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** The rule that applies to this request (consuming one use of it), if any. */
  take(method: string, path: string): FaultRule | undefined {
    const apiPath = apiPathOf(path).replace(/\/+$/, '') || '/';
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.method && r.method !== method.toUpperCase()) continue;
      if (r.matcher && !r.matcher.test(apiPath)) continue;
      r.remaining--;
      r.hits++;
      return r;
    }
    return undefined;
  }
}
