// Builds an `openai` SDK client for a provider: OpenAI bearer key, Azure v1 `api-key` header or Entra token,
// or an OpenAI-compatible base URL. Everything is passed explicitly (the SDK would otherwise read
// OPENAI_* environment variables), and the SDK's own log lines go through redaction.
import OpenAI from 'openai';
import type { Logger } from '../log';
import { formatLogArgs, registerSecret } from '../log';
import type { CreateClientOptions, Credential, ProviderConfig } from './types';

/** Trailing slash normalised away; the SDK joins paths itself. */
export function normaliseBaseURL(baseURL: string): string {
  return baseURL.trim().replace(/\/+$/, '');
}

function sdkLogger(logger: Logger) {
  // The SDK already masks auth headers in its debug output; redact again for keys echoed anywhere else.
  return {
    error: (msg: string, ...args: unknown[]) => logger.error(formatLogArgs(`openai: ${msg}`, args)),
    warn: (msg: string, ...args: unknown[]) => logger.warn(formatLogArgs(`openai: ${msg}`, args)),
    info: (msg: string, ...args: unknown[]) => logger.debug(formatLogArgs(`openai: ${msg}`, args)),
    debug: (msg: string, ...args: unknown[]) => logger.trace(formatLogArgs(`openai: ${msg}`, args)),
  };
}

export function createClient(
  config: ProviderConfig,
  credential: Credential,
  opts: CreateClientOptions = {},
): OpenAI {
  registerSecret(credential.apiKey);
  const headers: Record<string, string | null> = {};
  // The SDK refuses to construct without some apiKey; where the key travels in another header (Azure
  // `api-key`) or there is none, a placeholder is given and its bearer header removed below.
  let apiKey: string | (() => Promise<string>) = 'unused';
  if (config.auth === 'entra') {
    if (!credential.getToken)
      throw new Error(
        `Provider "${config.label}" signs in with Microsoft Entra but no token source was given.`,
      );
    const getToken = credential.getToken;
    apiKey = async () => {
      const token = await getToken();
      registerSecret(token);
      return token;
    };
  } else if (config.auth === 'apiKey') {
    if (!credential.apiKey) throw new Error(`No API key is stored for provider "${config.label}".`);
    if (config.kind === 'azure') {
      // Azure v1 accepts `api-key`; do not also send the key as a bearer token.
      headers['api-key'] = credential.apiKey;
      headers['Authorization'] = null;
    } else {
      apiKey = credential.apiKey;
    }
  } else {
    // No auth at all (local servers): tell the SDK the missing Authorization header is deliberate.
    headers['Authorization'] = null;
  }
  return new OpenAI({
    apiKey,
    adminAPIKey: null,
    baseURL: normaliseBaseURL(config.baseURL),
    organization: config.kind === 'openai' ? (config.organization ?? null) : null,
    project: config.kind === 'openai' ? (config.project ?? null) : null,
    webhookSecret: null,
    defaultHeaders: headers,
    maxRetries: opts.maxRetries ?? 2,
    timeout: opts.timeoutMs,
    fetch: opts.fetch,
    logger: opts.logger ? sdkLogger(opts.logger) : undefined,
    logLevel: opts.logger ? 'debug' : 'off',
  });
}
