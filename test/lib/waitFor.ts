// The one polling helper of the test suites (unit and in-editor): waits for a condition that something else makes
// true (a diagnostic published, a job state reached, a file written) instead of sleeping for a fixed time.

export interface WaitForOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between probes (default 50 ms). */
  intervalMs?: number;
  /** What the timeout message shows of the state last seen (e.g. the diagnostics now). */
  detail?: () => string;
}

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws is retried; on timeout
 * the error names `what`, the last error and `detail()`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: number | WaitForOptions = {},
): Promise<T> {
  const {
    timeoutMs = 20_000,
    intervalMs = 50,
    detail,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const parts = [`timed out after ${timeoutMs} ms waiting for ${what}`];
      if (lastError !== undefined) parts.push(`last error: ${String(lastError)}`);
      if (detail) parts.push(detail());
      throw new Error(parts.join('; '));
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
