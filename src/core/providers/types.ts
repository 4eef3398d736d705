// Provider model: which API a job talks to (OpenAI, Azure OpenAI v1, any OpenAI-compatible base URL),
// how it authenticates, and what it supports. No secrets live in these objects.
import type { Logger } from '../log';

export type ProviderKind = 'openai' | 'azure' | 'compatible';

export interface ProviderConfig {
  /** Stable id (used as the SecretStorage key suffix and in the job registry). */
  id: string;
  kind: ProviderKind;
  label: string;
  /** For azure: https://{resource}.openai.azure.com/openai/v1/ */
  baseURL: string;
  auth: 'apiKey' | 'entra' | 'none';
  organization?: string;
  project?: string;
}

export interface ProviderCapabilities {
  rftJobs: boolean;
  graderRun: boolean;
  graderValidate: boolean;
  /** Hosted model graders (score_model / label_model) are available to jobs. */
  modelGraders: boolean;
  embeddings: boolean;
  uploadsApi: boolean;
  /** ISO date after which new jobs are refused, e.g. OpenAI 2027-01-06. */
  jobCutoff?: string;
  /** Plain sentences about the provider's situation, shown in preflight and the provider picker. */
  notes: string[];
}

export interface Credential {
  apiKey?: string;
  /** Bearer token source (Microsoft Entra); called before each request. */
  getToken?: () => Promise<string>;
}

export interface CreateClientOptions {
  fetch?: typeof fetch;
  maxRetries?: number;
  timeoutMs?: number;
  logger?: Logger;
}

/** What a failed API call means for the user. */
export interface ApiErrorInfo {
  message: string;
  code?: string;
  status?: number;
  retryable: boolean;
  /** OpenAI answered 403 `training_not_available`: the organisation can no longer create jobs. */
  trainingNotAvailable: boolean;
  /** `x-request-id` of the failed response, for support. */
  requestId?: string;
}

export { capabilitiesOf } from './capabilities';
export { createClient } from './client';
export { describeApiError } from './errors';
