// Turns any failure of an API call (SDK error, network, abort) into a plain message for the user.
import OpenAI from 'openai';
import { redact } from '../log';
import type { ApiErrorInfo } from './types';

export const TRAINING_NOT_AVAILABLE_MESSAGE =
  'OpenAI no longer lets this organisation create fine-tuning jobs (403 training_not_available): OpenAI is winding down self-serve fine-tuning. ' +
  'Existing jobs and fine-tuned models stay available. To train, use an Azure OpenAI provider (or another provider that offers RFT).';

function apiMessage(e: InstanceType<typeof OpenAI.APIError>): string {
  const body = e.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return e.message.replace(/^\d{3}\s+/, '');
}

function isAbort(e: unknown): boolean {
  return (
    e instanceof OpenAI.APIUserAbortError ||
    (e instanceof Error && (e.name === 'AbortError' || (e as { code?: unknown }).code === 'ABORT_ERR'))
  );
}

export function describeApiError(e: unknown): ApiErrorInfo {
  const base = { trainingNotAvailable: false } as const;
  if (isAbort(e)) return { ...base, message: 'Cancelled.', code: 'cancelled', retryable: false };
  if (e instanceof OpenAI.APIConnectionTimeoutError) {
    return {
      ...base,
      message: 'The request timed out; the server did not answer in time.',
      code: 'timeout',
      retryable: true,
    };
  }
  if (e instanceof OpenAI.APIConnectionError) {
    const cause = (e as { cause?: unknown }).cause;
    const detail =
      cause instanceof Error
        ? `${cause.message}${(cause as { code?: string }).code ? ` (${(cause as { code?: string }).code})` : ''}`
        : e.message;
    return {
      ...base,
      message: redact(`Could not reach the server: ${detail}`),
      code: 'connection_error',
      retryable: true,
    };
  }
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const status = e.status;
    const code = e.code ?? undefined;
    const requestId = e.requestID ?? undefined;
    const msg = redact(apiMessage(e));
    const withId = (text: string) => (requestId ? `${text} (request id ${requestId})` : text);
    if (status === 403 && code === 'training_not_available') {
      return {
        message: TRAINING_NOT_AVAILABLE_MESSAGE,
        code,
        status,
        retryable: false,
        trainingNotAvailable: true,
        requestId,
      };
    }
    let message: string;
    let retryable = false;
    if (status === 401)
      message = `The provider rejected the credentials (401): ${msg}. Check the provider's API key or sign-in.`;
    else if (status === 403) message = `Permission denied (403): ${msg}`;
    else if (status === 404) message = `Not found (404): ${msg}`;
    else if (status === 429) {
      retryable = code !== 'insufficient_quota';
      message = retryable
        ? `Rate limited (429): ${msg}. Retrying later helps.`
        : `Quota exhausted (429 insufficient_quota): ${msg}`;
    } else if (status === 408 || status === 409) {
      retryable = true;
      message = `The server asked to retry (${status}): ${msg}`;
    } else if (status >= 500) {
      retryable = true;
      message = `The server failed (${status}): ${msg}`;
    } else message = `The request was refused (${status}): ${msg}`;
    return { message: withId(message), code, status, retryable, trainingNotAvailable: false, requestId };
  }
  if (e instanceof Error) return { ...base, message: redact(e.message || e.name), retryable: false };
  return { ...base, message: redact(String(e)), retryable: false };
}
