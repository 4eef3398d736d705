// The host side of a webview's message channel: queues posts until the webview says `ready`, re-sends
// state on every `ready`, validates every incoming message, and answers requests exactly once.
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type {
  MessageSpec,
  ReplyMessage,
  RequestMap,
  RequestMessage,
  RequestSpec,
  WebviewProtocol,
} from '../../shared/webviewProtocol';
import { validateMessage, validateRequest } from '../../shared/webviewProtocol';

/** One handler per request type; each returns that request's reply type. */
export type RequestHandlers<R extends RequestMap> = {
  [K in keyof R & string]: (msg: RequestMessage<R, K>) => Promise<R[K]['reply']>;
};

export interface BridgeOptions<P extends WebviewProtocol> {
  webview: vscode.Webview;
  /** Validation spec for one-way messages from the webview (`ready` is accepted as well). */
  spec: MessageSpec<P['toHost']>;
  log: Logger;
  /** Called on every `ready`: return the messages that bring a fresh webview up to date. */
  onReady: () => readonly P['toWebview'][];
  /**
   * Which posts queued while the webview was away are sent after the `onReady` messages (default: all). When
   * `onReady` is a complete snapshot, replaying state posts on top of it would apply them twice.
   */
  replayQueued?: (message: P['toWebview']) => boolean;
  onMessage: (msg: P['toHost']) => void | Promise<void>;
  /** Requests (messages with an `id`): their checks, and handlers whose result is sent back as the reply. */
  requests?: { spec: RequestSpec<P['requests']>; handlers: RequestHandlers<P['requests']> };
}

const READY_SPEC: MessageSpec<{ type: 'ready' }> = { ready: {} };

export class WebviewBridge<P extends WebviewProtocol> implements vscode.Disposable {
  private ready = false;
  private queue: P['toWebview'][] = [];
  private readonly sub: vscode.Disposable;

  constructor(private readonly opts: BridgeOptions<P>) {
    this.sub = opts.webview.onDidReceiveMessage(async (raw: unknown) => {
      if (validateMessage(READY_SPEC, raw)) return this.onReady();
      const request = opts.requests && validateRequest(opts.requests.spec, raw);
      if (request) return this.answer(request);
      const msg = validateMessage(opts.spec, raw);
      if (!msg) {
        opts.log.warn(`Rejected a malformed webview message: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      try {
        await opts.onMessage(msg);
      } catch (e) {
        opts.log.error(`Webview message '${msg.type}' failed`, e);
      }
    });
  }

  private onReady(): void {
    this.ready = true;
    for (const m of this.opts.onReady()) void this.opts.webview.postMessage(m);
    const pending = this.queue;
    this.queue = [];
    const replay = this.opts.replayQueued ?? (() => true);
    for (const m of pending) if (replay(m)) void this.opts.webview.postMessage(m);
  }

  private async answer(request: RequestMessage<P['requests']>): Promise<void> {
    // The handler table is keyed by the request's own type, so the pairing below is the one the types describe.
    const handler = this.opts.requests!.handlers[request.type as keyof P['requests'] & string] as (
      msg: RequestMessage<P['requests']>,
    ) => Promise<unknown>;
    let reply: ReplyMessage;
    try {
      reply = { type: 'reply', id: request.id, ok: true, result: await handler(request) };
    } catch (e) {
      reply = { type: 'reply', id: request.id, ok: false, error: (e as Error)?.message ?? String(e) };
    }
    void this.opts.webview.postMessage(reply);
  }

  /** Posts now if the webview is listening, otherwise after its next `ready`. */
  post(message: P['toWebview']): void {
    if (this.ready) void this.opts.webview.postMessage(message);
    else this.queue.push(message);
  }

  /** The webview was reloaded or hidden with retainContextWhenHidden=false: wait for the next `ready`. */
  reset(): void {
    this.ready = false;
  }

  dispose(): void {
    this.sub.dispose();
    this.queue = [];
  }
}
