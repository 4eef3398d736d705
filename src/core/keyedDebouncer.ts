// Per-key debouncing (one key per document): the latest schedule for a key replaces the pending one, cancel() drops
// it, dispose() drops them all. Errors of the debounced work go to onError instead of becoming unhandled rejections.
import type { IDisposable } from './lifecycle';

export interface KeyedDebouncerOptions {
  /** Delay when schedule() is not given one, in milliseconds. */
  delayMs: number;
  /** Where a failing run's error goes (the work's own promise is not awaited by anyone). */
  onError: (error: unknown, key: string) => void;
  /** Injected for tests; defaults to the global timers. */
  timers?: {
    setTimeout: (fn: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
  };
}

export class KeyedDebouncer implements IDisposable {
  private readonly pending = new Map<string, unknown>();
  private readonly timers: NonNullable<KeyedDebouncerOptions['timers']>;
  private disposed = false;

  constructor(private readonly options: KeyedDebouncerOptions) {
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
  }

  /** Runs `work` once `delayMs` has passed without another schedule() for the same key. */
  schedule(key: string, work: () => void | Promise<void>, delayMs = this.options.delayMs): void {
    if (this.disposed) return;
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      try {
        Promise.resolve(work()).catch((e: unknown) => this.options.onError(e, key));
      } catch (e) {
        this.options.onError(e, key);
      }
    }, delayMs);
    this.pending.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.pending.get(key);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.pending.delete(key);
  }

  isPending(key: string): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const handle of this.pending.values()) this.timers.clearTimeout(handle);
    this.pending.clear();
  }
}
