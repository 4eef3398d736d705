// The providers this window knows: the non-secret list in the `rftStudio.providers` setting, plus providers that
// live only for the session (the auto-started emulator). Keys live in SecretStorage under the provider id and
// nowhere else; Entra tokens come from VS Code's 'microsoft' authentication provider on demand. The active
// provider is remembered per workspace.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import { registerSecret } from '../../core/log';
import type { Credential, ProviderConfig, ProviderKind } from '../../core/providers';
import type { ProviderHostDeps } from './providers';

export type ProviderAuth = 'apiKey' | 'entra' | 'none';

/** One entry of the `rftStudio.providers` setting (never holds a secret). */
export interface ProviderEntry {
  id: string;
  kind: ProviderKind;
  label: string;
  baseURL?: string;
  auth?: ProviderAuth;
  organization?: string;
  project?: string;
  /** Session-only providers (the emulator) are not written to settings. */
  ephemeral?: boolean;
}

const ACTIVE_KEY = 'rftStudio.activeProvider';
const SECRET_PREFIX = 'rftStudio.provider.apiKey.';
/** Scopes for Azure OpenAI data-plane tokens (the v1 endpoint also accepts the cognitive services audience). */
export const ENTRA_SCOPES = ['https://cognitiveservices.azure.com/.default'];

export class ProviderStore extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private readonly session = new Map<string, ProviderEntry>();
  /** Keys of session-only providers (the in-process emulator's per-session key): memory only. */
  private readonly sessionKeys = new Map<string, string>();

  constructor(private readonly ctx: ProviderHostDeps) {
    super();
    this._register(
      ctx.config.onDidChange((e) => {
        if (e.affectsConfiguration('rftStudio.providers')) this._onDidChange.fire();
      }),
    );
    this._register(
      ctx.extension.secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this._onDidChange.fire();
      }),
    );
  }

  list(): ProviderEntry[] {
    const fromSettings = this.ctx.config.value('providers').flatMap((raw) => {
      const p = parseEntry(raw);
      if (!p)
        this.ctx.log.warn(
          `Ignoring a malformed entry in rftStudio.providers: ${JSON.stringify(raw)?.slice(0, 200)}`,
        );
      return p ? [p] : [];
    });
    const seen = new Set<string>();
    const out: ProviderEntry[] = [];
    for (const p of [...this.session.values(), ...fromSettings]) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push(p);
    }
    return out;
  }

  get(id: string): ProviderEntry | undefined {
    return this.list().find((p) => p.id === id);
  }

  active(): ProviderEntry | undefined {
    const all = this.list();
    const id = this.ctx.extension.workspaceState.get<string>(ACTIVE_KEY);
    return all.find((p) => p.id === id) ?? all[0];
  }

  async setActive(id: string): Promise<void> {
    await this.ctx.extension.workspaceState.update(ACTIVE_KEY, id);
    this._onDidChange.fire();
  }

  /** Adds or replaces a provider; the key (if any) goes to SecretStorage only. */
  async add(entry: ProviderEntry, apiKey?: string): Promise<void> {
    if (apiKey !== undefined) registerSecret(apiKey);
    if (entry.ephemeral) {
      if (apiKey !== undefined) this.sessionKeys.set(entry.id, apiKey);
      this.session.set(entry.id, entry);
      this._onDidChange.fire();
      return;
    }
    if (apiKey !== undefined) await this.ctx.extension.secrets.store(SECRET_PREFIX + entry.id, apiKey);
    {
      const config = vscode.workspace.getConfiguration('rftStudio');
      const inspect = config.inspect<unknown[]>('providers');
      // Keep the list where the user keeps it: workspace settings win if they already define providers.
      const target =
        inspect?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
      const current =
        (target === vscode.ConfigurationTarget.Workspace ? inspect?.workspaceValue : inspect?.globalValue) ??
        [];
      const next = [...current.filter((p) => parseEntry(p)?.id !== entry.id), toSetting(entry)];
      await config.update('providers', next, target);
    }
    this._onDidChange.fire();
  }

  async remove(id: string): Promise<void> {
    await this.ctx.extension.secrets.delete(SECRET_PREFIX + id);
    this.sessionKeys.delete(id);
    if (this.session.delete(id)) {
      this._onDidChange.fire();
      return;
    }
    const config = vscode.workspace.getConfiguration('rftStudio');
    const inspect = config.inspect<unknown[]>('providers');
    for (const [target, value] of [
      [vscode.ConfigurationTarget.Workspace, inspect?.workspaceValue],
      [vscode.ConfigurationTarget.Global, inspect?.globalValue],
    ] as const) {
      if (value?.some((p) => parseEntry(p)?.id === id)) {
        await config.update(
          'providers',
          value.filter((p) => parseEntry(p)?.id !== id),
          target,
        );
      }
    }
    if (this.ctx.extension.workspaceState.get<string>(ACTIVE_KEY) === id) {
      await this.ctx.extension.workspaceState.update(ACTIVE_KEY, undefined);
    }
    this._onDidChange.fire();
  }

  async hasKey(id: string): Promise<boolean> {
    return (await this.ctx.extension.secrets.get(SECRET_PREFIX + id)) !== undefined;
  }

  /**
   * The credential for a provider: its API key, an Entra token source, or nothing for unauthenticated servers.
   * Every value read here is registered with the log redactor before anyone could print it.
   */
  async credential(p: ProviderEntry, opts: { interactive: boolean }): Promise<Credential> {
    const auth = p.auth ?? 'apiKey';
    if (auth === 'none') return {};
    if (auth === 'entra') {
      const token = async (interactive: boolean): Promise<string> => {
        const session = await vscode.authentication.getSession(
          'microsoft',
          ENTRA_SCOPES,
          interactive ? { createIfNone: true } : { silent: true },
        );
        if (!session) throw new MissingCredentialError(p, `Sign in to Microsoft to use ${p.label}.`);
        registerSecret(session.accessToken);
        return session.accessToken;
      };
      // Sign in now if asked to (so the prompt appears where the user acted); later calls refresh silently.
      await token(opts.interactive);
      return { getToken: () => token(false) };
    }
    const key = this.sessionKeys.get(p.id) ?? (await this.ctx.extension.secrets.get(SECRET_PREFIX + p.id));
    if (!key) throw new MissingCredentialError(p, `No API key is stored for ${p.label}.`);
    registerSecret(key);
    return { apiKey: key };
  }

  /** Registers every stored key with the redactor at start-up, so even a stray log line cannot leak one. */
  async primeRedaction(): Promise<void> {
    for (const p of this.list()) {
      const key = await this.ctx.extension.secrets.get(SECRET_PREFIX + p.id);
      registerSecret(key);
    }
  }
}

export class MissingCredentialError extends Error {
  constructor(
    readonly provider: ProviderEntry,
    message: string,
  ) {
    super(message);
    this.name = 'MissingCredentialError';
  }
}

function toSetting(e: ProviderEntry): Record<string, string> {
  const out: Record<string, string> = { id: e.id, kind: e.kind, label: e.label };
  if (e.baseURL) out.baseURL = e.baseURL;
  if (e.auth && e.auth !== 'apiKey') out.auth = e.auth;
  if (e.organization) out.organization = e.organization;
  if (e.project) out.project = e.project;
  return out;
}

const KINDS: readonly string[] = ['openai', 'azure', 'compatible'];
const AUTHS: readonly string[] = ['apiKey', 'entra', 'none'];

export function parseEntry(raw: unknown): ProviderEntry | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(r.id)) return undefined;
  if (typeof r.kind !== 'string' || !KINDS.includes(r.kind)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const auth = str(r.auth);
  if (auth !== undefined && !AUTHS.includes(auth)) return undefined;
  return {
    id: r.id,
    kind: r.kind as ProviderKind,
    label: str(r.label) ?? r.id,
    baseURL: str(r.baseURL),
    auth: auth as ProviderAuth | undefined,
    organization: str(r.organization),
    project: str(r.project),
  };
}

/** A readable, unique id for a new provider (`openai`, `azure-2`, …). */
export function newProviderId(kind: ProviderKind, existing: readonly ProviderEntry[]): string {
  const ids = new Set(existing.map((p) => p.id));
  if (!ids.has(kind)) return kind;
  for (let i = 2; ; i++) if (!ids.has(`${kind}-${i}`)) return `${kind}-${i}`;
}

/** The core provider config for an entry: fills in the documented base URLs. */
export function toProviderConfig(e: ProviderEntry): ProviderConfig {
  let baseURL = e.baseURL?.trim() ?? '';
  if (e.kind === 'openai' && !baseURL) baseURL = 'https://api.openai.com/v1';
  if (e.kind === 'azure') {
    // Users paste the resource endpoint; the v1 surface lives under /openai/v1/.
    const root = baseURL.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
    baseURL = `${root}/openai/v1/`;
  }
  return {
    id: e.id,
    kind: e.kind,
    label: e.label,
    baseURL,
    auth: e.auth ?? 'apiKey',
    organization: e.organization,
    project: e.project,
  };
}
