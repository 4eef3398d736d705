// Typed wrapper over acquireVsCodeApi(): messages out, messages in, persisted UI state, requests with replies.
import type { ReplyEnvelope } from '../../src/shared/webviewProtocol';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export class HostChannel<Out extends { type: string }, In extends { type: string }, State> {
  private readonly api: VsCodeApi<State> = acquireVsCodeApi<State>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(onMessage: (msg: In) => void) {
    window.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as In | ReplyEnvelope;
      if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') return;
      if (data.type === 'reply') {
        const reply = data as ReplyEnvelope;
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new Error(reply.error ?? 'request failed'));
        return;
      }
      onMessage(data as In);
    });
  }

  /** Tells the host the listener is installed; call once the UI can take messages. */
  ready(): void {
    this.api.postMessage({ type: 'ready' });
  }

  post(message: Out): void {
    this.api.postMessage(message);
  }

  request<R>(message: Omit<Out, 'id'> & { type: Out['type'] }): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ ...message, id });
    });
  }

  get state(): State | undefined {
    return this.api.getState();
  }

  set state(s: State) {
    this.api.setState(s);
  }
}
