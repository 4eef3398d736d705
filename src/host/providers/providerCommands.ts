// Commands to add, select and remove providers (rftStudio.addProvider, selectProvider, removeProvider,
// setProviderKey), and the status-bar entry showing the active one. Keys are typed into a password box (or passed
// by a test) and go straight to SecretStorage.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { ProviderKind } from '../../core/providers';
import { capabilitiesOf, describeApiError } from '../../core/providers';
import { registerSecret } from '../../core/log';
import type { EmulatorHost } from './emulatorHost';
import type { ProviderHostDeps, Providers } from './providers';
import type { ProviderAuth, ProviderEntry, ProviderStore } from './providerStore';
import { newProviderId, toProviderConfig } from './providerStore';

/** What the provider commands need to know about jobs (removing a provider forgets its jobs). */
export interface JobsOnProvider {
  countFor(providerId: string): number;
  forgetProvider(providerId: string): Promise<void>;
}

/** Something running on the providers (the job monitor): the status bar spins while it is active. */
export interface ProviderActivity {
  readonly onDidChange: vscode.Event<void>;
  activeCount(): number;
}

/** Argument accepted by rftStudio.addProvider (tests, other commands): skips the questions it answers. */
export interface AddProviderArgs {
  kind?: ProviderKind | 'emulator';
  id?: string;
  label?: string;
  baseURL?: string;
  apiKey?: string;
  auth?: ProviderAuth;
  /** Make it the active provider (default true). */
  activate?: boolean;
  /** Check the connection before saving (default: true when interactive, false when everything was passed). */
  verify?: boolean;
}

interface KindPick extends vscode.QuickPickItem {
  providerKind: ProviderKind | 'emulator';
  auth: ProviderAuth;
}

export class ProviderCommands extends Disposable {
  private readonly providers: ProviderStore;

  constructor(
    private readonly ctx: ProviderHostDeps,
    private readonly service: Providers,
    private readonly jobs: JobsOnProvider,
    private readonly emulator: EmulatorHost,
  ) {
    super();
    this.providers = service.store;
    this._register(
      vscode.commands.registerCommand('rftStudio.addProvider', (args?: AddProviderArgs) =>
        this.add(isRecord(args) ? args : {}),
      ),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.selectProvider', (arg?: unknown) => this.select(arg)),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.removeProvider', (arg?: unknown) => this.remove(arg)),
    );
    this._register(
      vscode.commands.registerCommand('rftStudio.setProviderKey', (arg?: unknown) => this.setKey(arg)),
    );
  }

  async add(args: AddProviderArgs = {}): Promise<string | undefined> {
    const scripted =
      args.kind !== undefined &&
      (args.baseURL !== undefined || args.kind === 'openai' || args.kind === 'emulator');
    let kind = args.kind;
    let auth = args.auth;
    if (!kind) {
      const picks: KindPick[] = [
        {
          label: '$(cloud) OpenAI',
          description: 'api.openai.com, API key',
          detail: capabilitiesOf({ id: 'x', kind: 'openai', label: '', baseURL: '', auth: 'apiKey' })
            .notes[1],
          providerKind: 'openai',
          auth: 'apiKey',
        },
        {
          label: '$(azure) Azure OpenAI — API key',
          description: 'the v1 endpoint of a Foundry / Azure OpenAI resource',
          providerKind: 'azure',
          auth: 'apiKey',
        },
        {
          label: '$(azure) Azure OpenAI — Microsoft Entra ID',
          description: 'sign in with your Microsoft account, no key',
          providerKind: 'azure',
          auth: 'entra',
        },
        {
          label: '$(server) OpenAI-compatible server',
          description: 'any base URL, key optional',
          providerKind: 'compatible',
          auth: 'apiKey',
        },
        {
          label: '$(beaker) Local emulator',
          description: 'simulated jobs on this machine, no key',
          providerKind: 'emulator',
          auth: 'none',
        },
      ];
      const pick = await vscode.window.showQuickPick(picks, {
        title: 'Add a fine-tuning provider',
        matchOnDescription: true,
      });
      if (!pick) return undefined;
      kind = pick.providerKind;
      auth = pick.auth;
    }
    if (kind === 'emulator') {
      const p = await this.emulator.start();
      if (p && args.activate !== false) await this.providers.setActive(p.id);
      return p?.id;
    }
    return this.addRemote(kind, auth, args, scripted);
  }

  private async addRemote(
    kind: ProviderKind,
    auth: ProviderAuth | undefined,
    args: AddProviderArgs,
    scripted: boolean,
  ): Promise<string | undefined> {
    const existing = this.providers.list();
    const defaultLabel =
      kind === 'openai' ? 'OpenAI' : kind === 'azure' ? 'Azure OpenAI' : 'OpenAI-compatible';

    let baseURL = args.baseURL;
    if (baseURL === undefined && kind !== 'openai') {
      baseURL = await vscode.window.showInputBox({
        title: kind === 'azure' ? 'Azure OpenAI endpoint' : 'Base URL',
        prompt:
          kind === 'azure'
            ? 'The resource endpoint, e.g. https://my-resource.openai.azure.com (the /openai/v1/ path is added)'
            : 'The API base URL, e.g. http://127.0.0.1:4010/v1',
        placeHolder: kind === 'azure' ? 'https://<resource>.openai.azure.com' : 'https://…/v1',
        ignoreFocusOut: true,
        validateInput: (v) => validateUrl(v),
      });
      if (baseURL === undefined) return undefined;
    }
    if (baseURL !== undefined) {
      const problem = validateUrl(baseURL);
      if (problem) {
        void vscode.window.showErrorMessage(`Cannot add the provider: ${problem}`);
        return undefined;
      }
    }

    let apiKey = args.apiKey;
    auth ??= apiKey === undefined && scripted && kind === 'compatible' ? 'none' : 'apiKey';
    if (auth === 'apiKey' && apiKey === undefined) {
      apiKey = await vscode.window.showInputBox({
        title: `${defaultLabel} API key`,
        prompt:
          kind === 'compatible'
            ? 'Leave empty if the server needs no key. Stored in VS Code secret storage, never in settings.'
            : 'Stored in VS Code secret storage, never in settings or logs.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) =>
          kind !== 'compatible' && !v.trim()
            ? 'A key is required'
            : /\s/.test(v.trim())
              ? 'A key has no spaces'
              : undefined,
      });
      if (apiKey === undefined) return undefined;
      apiKey = apiKey.trim();
      if (!apiKey && kind === 'compatible') auth = 'none';
    }
    if (apiKey) registerSecret(apiKey);

    let label = args.label;
    if (label === undefined && !scripted) {
      label = await vscode.window.showInputBox({
        title: 'Name for this provider',
        value: defaultLabel,
        ignoreFocusOut: true,
      });
      if (label === undefined) return undefined;
    }
    const entry: ProviderEntry = {
      id: args.id ?? newProviderId(kind, existing),
      kind,
      label: label?.trim() || defaultLabel,
      baseURL: baseURL?.trim() || undefined,
      auth,
    };

    if (args.verify ?? !scripted) {
      const ok = await this.verify(entry, auth === 'apiKey' ? apiKey : undefined);
      if (!ok) return undefined;
    }
    await this.providers.add(entry, auth === 'apiKey' ? apiKey : undefined);
    if (args.activate !== false) await this.providers.setActive(entry.id);
    this.ctx.log.info(
      `Provider added: ${entry.label} (${entry.kind}${entry.baseURL ? `, ${entry.baseURL}` : ''}, auth ${auth})`,
    );
    if (!scripted) {
      const caps = capabilitiesOf(toProviderConfig(entry));
      const situation = entry.kind === 'openai' ? ` ${caps.notes.slice(0, 2).join(' ')}` : '';
      void vscode.window.showInformationMessage(`${entry.label} added and selected.${situation}`);
    }
    return entry.id;
  }

  /** Lists fine-tuning jobs once to prove the URL and key work; offers to save anyway when it cannot tell. */
  private async verify(entry: ProviderEntry, apiKey: string | undefined): Promise<boolean> {
    const { createClient } = await import('../../core/providers');
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Checking ${entry.label}…`,
        cancellable: true,
      },
      async (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        try {
          const credential = entry.auth === 'entra' ? await this.entraCredential(entry) : { apiKey };
          const client = createClient(toProviderConfig(entry), credential, {
            logger: this.ctx.log,
            maxRetries: 0,
            timeoutMs: 20_000,
          });
          await client.fineTuning.jobs.list({ limit: 1 }, { signal: abort.signal });
          return undefined;
        } catch (e) {
          return abort.signal.aborted ? 'cancelled' : describeApiError(e).message;
        }
      },
    );
    if (result === undefined) return true;
    if (result === 'cancelled') return false;
    const pick = await vscode.window.showWarningMessage(
      `Could not reach ${entry.label}: ${result}`,
      'Save Anyway',
      'Cancel',
    );
    return pick === 'Save Anyway';
  }

  private async entraCredential(entry: ProviderEntry) {
    return this.providers.credential(entry, { interactive: true });
  }

  async select(arg?: unknown): Promise<string | undefined> {
    const fromNode = providerIdOf(arg);
    if (fromNode && this.providers.get(fromNode)) {
      await this.providers.setActive(fromNode);
      return fromNode;
    }
    const active = this.providers.active();
    type Item = vscode.QuickPickItem & { id?: string };
    const items: Item[] = this.providers.list().map((p) => {
      const caps = this.service.capabilities(p);
      return {
        label: `${p.id === active?.id ? '$(check) ' : ''}${p.label}`,
        description: `${p.kind}${p.baseURL ? ` · ${p.baseURL}` : ''}${p.auth === 'entra' ? ' · Entra ID' : ''}`,
        detail: caps.rftJobs ? caps.notes[0] : `No new jobs: ${caps.notes.join(' ')}`,
        id: p.id,
      };
    });
    items.push({ label: '$(add) Add Provider…' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Select the provider for new jobs',
      matchOnDetail: true,
    });
    if (!pick) return undefined;
    if (!pick.id) return this.add();
    await this.providers.setActive(pick.id);
    return pick.id;
  }

  /**
   * Stores (or replaces) the key of an existing provider. Needed where the provider list arrived without its
   * secret: Settings Sync copies settings but not secrets, and browser-hosted VS Code keeps secrets in memory.
   */
  async setKey(arg?: unknown): Promise<boolean> {
    let id = providerIdOf(arg);
    const given = typeof arg === 'object' && arg !== null ? (arg as { apiKey?: unknown }).apiKey : undefined;
    if (!id) {
      const candidates = this.providers
        .list()
        .filter((p) => !p.ephemeral && (p.auth ?? 'apiKey') === 'apiKey');
      const pick = await vscode.window.showQuickPick(
        candidates.map((p) => ({
          label: p.label,
          description: `${p.kind}${p.baseURL ? ` · ${p.baseURL}` : ''}`,
          id: p.id,
        })),
        { title: 'Set the API key of which provider?' },
      );
      id = pick?.id;
    }
    const p = id ? this.providers.get(id) : undefined;
    if (!p || p.ephemeral) return false;
    let key = typeof given === 'string' ? given.trim() : undefined;
    if (key === undefined) {
      key = (
        await vscode.window.showInputBox({
          title: `${p.label} API key`,
          prompt: 'Stored in VS Code secret storage, never in settings or logs.',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) =>
            !v.trim() ? 'A key is required' : /\s/.test(v.trim()) ? 'A key has no spaces' : undefined,
        })
      )?.trim();
    }
    if (!key) return false;
    registerSecret(key);
    await this.providers.add({ ...p, auth: 'apiKey' }, key);
    this.ctx.log.info(`Key stored for ${p.label}`);
    return true;
  }

  async remove(arg?: unknown): Promise<boolean> {
    let id = providerIdOf(arg);
    const confirmed =
      typeof arg === 'object' && arg !== null && (arg as { confirm?: unknown }).confirm === false;
    if (!id) {
      const pick = await vscode.window.showQuickPick(
        this.providers.list().map((p) => ({
          label: p.label,
          description: `${p.kind}${p.baseURL ? ` · ${p.baseURL}` : ''}`,
          id: p.id,
        })),
        { title: 'Remove which provider?' },
      );
      id = pick?.id;
    }
    const p = id ? this.providers.get(id) : undefined;
    if (!p) return false;
    const jobs = this.jobs.countFor(p.id);
    if (!confirmed) {
      const pick = await vscode.window.showWarningMessage(
        `Remove ${p.label}?`,
        {
          modal: true,
          detail: `Its stored key is deleted from secret storage.${jobs ? ` ${jobs} job(s) launched on it are removed from the Jobs view (they keep running on the provider).` : ''}`,
        },
        'Remove',
      );
      if (pick !== 'Remove') return false;
    }
    await this.providers.remove(p.id);
    if (jobs) await this.jobs.forgetProvider(p.id);
    this.ctx.log.info(`Provider removed: ${p.label}`);
    return true;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function providerIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { id?: unknown; provider?: { id?: unknown } };
    if (typeof a.provider?.id === 'string') return a.provider.id;
    if (typeof a.id === 'string') return a.id;
  }
  return undefined;
}

function validateUrl(v: string): string | undefined {
  try {
    const u = new URL(v.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'Use an http(s) URL';
    if (u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
      return 'Use https (plain http only for local servers)';
    if (u.username || u.password) return 'Do not put credentials in the URL';
    return undefined;
  } catch {
    return 'Not a valid URL';
  }
}

/** "$(cloud) OpenAI" in the status bar; spins while a job is active; click to switch providers. */
export class ProviderStatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('rftStudio.provider', vscode.StatusBarAlignment.Left, 50),
  );

  constructor(
    private readonly providers: Providers,
    private readonly activity: ProviderActivity,
  ) {
    super();
    this.item.name = 'RFT Studio Provider';
    this.item.command = 'rftStudio.selectProvider';
    this._register(providers.onDidChange(() => this.update()));
    this._register(activity.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const p = this.providers.activeEntry();
    if (!p) {
      this.item.text = '$(plug) RFT: no provider';
      this.item.tooltip = 'RFT Studio: add a provider to launch and monitor fine-tuning jobs';
      this.item.command = 'rftStudio.addProvider';
      this.item.show();
      return;
    }
    const caps = this.providers.capabilities(p);
    const active = this.activity.activeCount();
    const icon = active
      ? '$(sync~spin)'
      : p.kind === 'azure'
        ? '$(azure)'
        : p.kind === 'openai'
          ? '$(cloud)'
          : '$(server)';
    this.item.text = `${icon} RFT: ${p.label}${active ? ` · ${active} running` : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${p.label}** (${p.kind})${p.baseURL ? ` — \`${p.baseURL}\`` : ''}\n\n`);
    for (const n of caps.notes) md.appendMarkdown(`- ${n.replace(/[\\`*_[\]]/g, '\\$&')}\n`);
    md.appendMarkdown(`\nClick to switch providers.`);
    this.item.tooltip = md;
    this.item.command = 'rftStudio.selectProvider';
    this.item.backgroundColor = caps.rftJobs
      ? undefined
      : new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.show();
  }
}
