// The providers service every feature that calls a model receives from the composition root (jobs, the Grader
// Lab, model graders, evals): which providers exist, which is active, and an `openai` client for each.
//
//   providers.onDidChange                  fires when the list, the active provider or a stored key changes
//   providers.list() / get(id)             the configured providers (settings + session-only ones), no secrets
//   providers.activeEntry()                the active provider's entry, or undefined (synchronous)
//   providers.active()                     the active provider with its client and capabilities, or undefined
//                                          when none is configured (may prompt a sign-in: call where the user acted)
//   providers.client(id, {interactive})    the cached client for one provider (MissingCredentialError without key)
//   providers.capabilities(entry)          what the provider kind supports (uploads API, graders/run, …)
//   providers.store                        adding, removing and keys (the provider commands)
import type OpenAI from 'openai';
import type * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { ProviderCapabilities } from '../../core/providers';
import type { HostContext } from '../hostContext';
import type { ProviderClient } from './clients';
import { ClientCache } from './clients';
import type { ProviderEntry } from './providerStore';
import { ProviderStore } from './providerStore';

/** What a provider needs from the host: the extension's storage, the log and the settings. */
export type ProviderHostDeps = Pick<HostContext, 'extension' | 'log' | 'config'>;

/** The active provider, ready to call. */
export interface ActiveProvider {
  id: string;
  label: string;
  client: OpenAI;
  capabilities: ProviderCapabilities;
  /** The provider serves the alpha graders run endpoint. */
  graderRun: boolean;
  modelGraders: boolean;
}

export class Providers extends Disposable {
  readonly store: ProviderStore;
  private readonly clients: ClientCache;
  readonly onDidChange: vscode.Event<void>;

  constructor(deps: ProviderHostDeps) {
    super();
    this.store = this._register(new ProviderStore(deps));
    this.clients = this._register(new ClientCache(this.store, deps.log));
    this.onDidChange = this.store.onDidChange;
    void this.store.primeRedaction();
  }

  list(): ProviderEntry[] {
    return this.store.list();
  }

  get(id: string): ProviderEntry | undefined {
    return this.store.get(id);
  }

  activeEntry(): ProviderEntry | undefined {
    return this.store.active();
  }

  client(
    providerId: string,
    opts: { interactive: boolean } = { interactive: false },
  ): Promise<ProviderClient> {
    return this.clients.get(providerId, opts);
  }

  capabilities(entry: ProviderEntry): ProviderCapabilities {
    return this.clients.capabilities(entry);
  }

  async active(): Promise<ActiveProvider | undefined> {
    const p = this.store.active();
    if (!p) return undefined;
    const c = await this.clients.get(p.id, { interactive: true });
    return {
      id: p.id,
      label: p.label,
      client: c.client,
      capabilities: c.capabilities,
      graderRun: c.capabilities.graderRun,
      modelGraders: c.capabilities.modelGraders,
    };
  }
}
