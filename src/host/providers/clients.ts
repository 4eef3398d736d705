// One `openai` client per provider, built on demand from the provider entry and its credential, and dropped when
// the provider list or a stored key changes.
import type OpenAI from 'openai';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { ProviderCapabilities } from '../../core/providers';
import { capabilitiesOf, createClient } from '../../core/providers';
import type { Logger } from '../../core/log';
import type { ProviderEntry, ProviderStore } from './providerStore';
import { toProviderConfig } from './providerStore';

export interface ProviderClient {
  provider: ProviderEntry;
  client: OpenAI;
  capabilities: ProviderCapabilities;
}

export class ClientCache extends Disposable {
  private readonly cache = new Map<string, Promise<ProviderClient>>();

  constructor(
    private readonly providers: ProviderStore,
    private readonly log: Logger,
  ) {
    super();
    this._register(providers.onDidChange(() => this.cache.clear()));
    this._register(toDisposable(() => this.cache.clear()));
  }

  capabilities(p: ProviderEntry): ProviderCapabilities {
    return capabilitiesOf(toProviderConfig(p));
  }

  /** The client for a provider; `interactive` allows a sign-in prompt (Entra) when the user acted. */
  get(providerId: string, opts: { interactive: boolean } = { interactive: false }): Promise<ProviderClient> {
    const cached = this.cache.get(providerId);
    if (cached) return cached;
    const p = this.providers.get(providerId);
    if (!p) return Promise.reject(new Error(`The provider "${providerId}" is no longer configured.`));
    const created = (async () => {
      const config = toProviderConfig(p);
      const credential = await this.providers.credential(p, opts);
      // The SDK retries 429/5xx/network errors itself (with retry-after); the monitor adds its own back-off on top.
      const client = createClient(config, credential, { logger: this.log, maxRetries: 2, timeoutMs: 60_000 });
      return { provider: p, client, capabilities: capabilitiesOf(config) };
    })();
    this.cache.set(providerId, created);
    created.catch(() => this.cache.delete(providerId));
    return created;
  }
}
