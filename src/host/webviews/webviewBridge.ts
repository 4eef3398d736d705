// The host side of a webview's message channel: queues posts until the webview says `ready`, re-sends
// state on every `ready`, validates every incoming message, and answers requests exactly once.
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { MessageSpec, ReplyEnvelope } from '../../shared/webviewProtocol';
import { validateMessage } from '../../shared/webviewProtocol';

export interface BridgeOptions<In extends { type: string }> {
  webview: vscode.Webview;
  /** Validation spec for messages from the webview (a `ready` entry is added automatically). */
  spec: MessageSpec;
  log: Logger;
  /** Called on every `ready`: return the messages that bring a fresh webview up to date. */
  onReady: () => readonly unknown[];
  onMessage: (msg: In) => void | Promise<void>;
  /** Requests (messages with an `id`) whose handler's result is sent back as a reply. */
  onRequest?: (msg: In & { id: number }) => Promise<unknown>;
}

export class WebviewBridge<In extends { type: string }, Out> implements vscode.Disposable {
  private ready = false;
  private queue: Out[] = [];
  private readonly sub: vscode.Disposable;

  constructor(private readonly opts: BridgeOptions<In>) {
    const spec: MessageSpec = { ready: {}, ...opts.spec };
    this.sub = opts.webview.onDidReceiveMessage(async (raw: unknown) => {
      const msg = validateMessage<In | { type: 'ready' }>(spec, raw);
      if (!msg) {
        opts.log.warn(`Rejected a malformed webview message: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      if (msg.type === 'ready') {
        this.ready = true;
        for (const m of opts.onReady()) void opts.webview.postMessage(m);
        const pending = this.queue;
        this.queue = [];
        for (const m of pending) void opts.webview.postMessage(m);
        return;
      }
      const withId = msg as In & { id?: unknown };
      if (opts.onRequest && typeof withId.id === 'number') {
        let reply: ReplyEnvelope;
        try {
          reply = {
            type: 'reply',
            id: withId.id,
            ok: true,
            result: await opts.onRequest(withId as In & { id: number }),
          };
        } catch (e) {
          reply = { type: 'reply', id: withId.id, ok: false, error: (e as Error)?.message ?? String(e) };
        }
        void opts.webview.postMessage(reply);
        return;
      }
      try {
        await opts.onMessage(msg as In);
      } catch (e) {
        opts.log.error(`Webview message '${msg.type}' failed`, e);
      }
    });
  }

  /** Posts now if the webview is listening, otherwise after its next `ready`. */
  post(message: Out): void {
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
