// Builds an `openai` SDK client for a provider: OpenAI bearer key, Azure v1 `api-key` header or Entra token,
// or an OpenAI-compatible base URL. The key is never logged.
import OpenAI from 'openai';
import type { CreateClientOptions, Credential, ProviderConfig } from './types';

export function createClient(
  config: ProviderConfig,
  credential: Credential,
  opts: CreateClientOptions = {},
): OpenAI {
  void config;
  void credential;
  void opts;
  throw new Error('createClient: not implemented yet');
}
