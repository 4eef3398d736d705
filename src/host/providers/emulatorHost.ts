// Runs the local API emulator inside the extension host (setting `rftStudio.emulator.autoStart`, or the
// "Local emulator" choice of Add Provider) on a free loopback port, and registers it as a session-only provider
// whose key (random, per session) never leaves memory. The emulator module is loaded only when it is needed.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { ProviderEntry, ProviderStore } from './providerStore';
import type { ProviderHostDeps } from './providers';

export const EMULATOR_PROVIDER_ID = 'emulator';

export class EmulatorHost extends Disposable {
  private running: Promise<{ close(): Promise<void>; entry: ProviderEntry } | undefined> | undefined;

  constructor(
    private readonly ctx: ProviderHostDeps,
    private readonly providers: ProviderStore,
  ) {
    super();
    this._register(
      ctx.config.onDidChange((e) => {
        if (ctx.config.affects(e, 'emulator.autoStart') && ctx.config.value('emulator.autoStart'))
          void this.start();
      }),
    );
    this._register(toDisposable(() => void this.running?.then((r) => r?.close())));
    if (ctx.config.value('emulator.autoStart')) void this.start();
  }

  /** Starts the emulator once per session and returns its provider entry. */
  async start(): Promise<ProviderEntry | undefined> {
    this.running ??= (async () => {
      try {
        const { startEmulator } = await import('../../emulator/server');
        const speed = this.ctx.config.value('emulator.speed');
        // A key only this session knows: other local processes cannot drive the in-process emulator.
        const sessionKey = `emu-${randomBytes(18).toString('base64url')}`;
        const emulator = await startEmulator({
          port: 0,
          host: '127.0.0.1',
          speed,
          log: this.ctx.log,
          keys: [sessionKey],
        });
        const entry: ProviderEntry = {
          id: EMULATOR_PROVIDER_ID,
          kind: 'compatible',
          label: 'Local emulator',
          baseURL: emulator.url,
          auth: 'apiKey',
          ephemeral: true,
        };
        await this.providers.add(entry, sessionKey);
        // A fresh workspace (the demo) gets the emulator as its active provider; a chosen one is left alone.
        if (!this.providers.list().some((p) => !p.ephemeral)) await this.providers.setActive(entry.id);
        this.ctx.log.info(`Local emulator running at ${emulator.url} (speed ×${speed})`);
        return { close: () => emulator.close(), entry };
      } catch (e) {
        this.running = undefined;
        this.ctx.log.error('The local emulator could not start', e);
        void vscode.window.showErrorMessage(
          `The local emulator could not start: ${e instanceof Error ? e.message : String(e)}`,
        );
        return undefined;
      }
    })();
    return (await this.running)?.entry;
  }
}
