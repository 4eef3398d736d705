// Turns any failure of an API call (SDK error, network, abort) into a plain message for the user.
import type { ApiErrorInfo } from './types';

export function describeApiError(e: unknown): ApiErrorInfo {
  void e;
  throw new Error('describeApiError: not implemented yet');
}
