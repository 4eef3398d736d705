// Typed wrapper over acquireVsCodeApi(): messages out, messages in, persisted UI state, requests with replies.
import type { ReplyMessage, WebviewProtocol } from '../../src/shared/webviewProtocol';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

type Requests<P extends WebviewProtocol> = P['requests'];

export class HostChannel<P extends WebviewProtocol, State> {
  private readonly api: VsCodeApi<State> = acquireVsCodeApi<State>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(onMessage: (msg: P['toWebview']) => void) {
    window.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as P['toWebview'] | ReplyMessage;
      if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') return;
      if (data.type === 'reply') {
        const reply = data as ReplyMessage;
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new Error(reply.error || 'request failed'));
        return;
      }
      onMessage(data as P['toWebview']);
    });
  }

  /** Tells the host the listener is installed; call once the UI can take messages. */
  ready(): void {
    this.api.postMessage({ type: 'ready' });
  }

  post(message: P['toHost']): void {
    this.api.postMessage(message);
  }

  /** Sends a request; the promise settles with its one reply, typed by the protocol's request map. */
  request<K extends keyof Requests<P> & string>(
    type: K,
    params: Requests<P>[K]['params'],
  ): Promise<Requests<P>[K]['reply']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ ...params, type, id });
    });
  }

  get state(): State | undefined {
    return this.api.getState();
  }

  set state(s: State) {
    this.api.setState(s);
  }
}
