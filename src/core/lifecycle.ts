// Disposable lifetimes: a small base class whose dispose() is idempotent and disposes what it registered.

export interface IDisposable {
  dispose(): void;
}

export class Disposable implements IDisposable {
  private _disposed = false;
  private readonly _disposables: IDisposable[] = [];

  protected get isDisposed(): boolean {
    return this._disposed;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this._disposed) d.dispose();
    else this._disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    // Dispose in reverse order of registration, and keep going if one throws.
    const errors: unknown[] = [];
    while (this._disposables.length) {
      try {
        this._disposables.pop()!.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed');
  }
}

/** A bag of disposables owned together (a feature's parts, built by the composition root). */
export class DisposableStore extends Disposable {
  add<T extends IDisposable>(d: T): T {
    return this._register(d);
  }
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}
