// The logger interface core receives, and the redaction every sink applies before writing.

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const nullLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

const SECRET_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI keys (sk-..., sk-proj-...)
  /(authorization\s*[:=]\s*["']?(?:bearer|basic)\s+)[^\s"',}]+/gi,
  /((?:api[-_]?key|x-api-key|access[-_]?token|client[-_]?secret)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs (Entra tokens)
];

const extraSecrets = new Set<string>();

/** Registers a concrete secret value (e.g. a key read from SecretStorage) so it is always masked. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) extraSecrets.add(value);
}

/** Masks API keys, bearer tokens and registered secrets in a string. */
export function redact(text: string): string {
  let out = text;
  for (const secret of extraSecrets) out = out.split(secret).join('[REDACTED]');
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (match: string, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}

/** Renders log arguments (errors, objects) into one redacted line. */
export function formatLogArgs(message: string | Error, args: readonly unknown[]): string {
  const parts = [message instanceof Error ? (message.stack ?? message.message) : message];
  for (const a of args) {
    if (a instanceof Error) parts.push(a.stack ?? a.message);
    else if (typeof a === 'string') parts.push(a);
    else {
      try {
        parts.push(JSON.stringify(a));
      } catch {
        parts.push(String(a));
      }
    }
  }
  return redact(parts.join(' '));
}
