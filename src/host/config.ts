// One typed reader over the `rftStudio.*` settings, re-read when they change. Defaults come from package.json
// (VS Code applies them); the shapes and types come from settingsCatalog.ts, kept in step with package.json by a test.
import * as vscode from 'vscode';
import type { SectionSettings, SettingKey, SettingSection, SettingValue } from './settingsCatalog';
import { fitsShape, sectionKeys, SETTINGS } from './settingsCatalog';

export const CONFIG_SECTION = 'rftStudio';

export class Config implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.ConfigurationChangeEvent>();
  readonly onDidChange = this._onDidChange.event;
  private readonly sub: vscode.Disposable;

  constructor() {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(CONFIG_SECTION)) this._onDidChange.fire(e);
    });
  }

  /** One setting, typed; a value of the wrong shape (settings.json accepts anything) reads as the default. */
  value<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
    return this.read(vscode.workspace.getConfiguration(CONFIG_SECTION, scope), key);
  }

  /** Every setting of a section, read now: `config.section('python').timeoutSeconds`. */
  section<S extends SettingSection>(name: S, scope?: vscode.ConfigurationScope): SectionSettings<S> {
    const configuration = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
    const out: Record<string, unknown> = {};
    for (const { key, name: short } of sectionKeys(name)) out[short] = this.read(configuration, key);
    return out as SectionSettings<S>;
  }

  /** Whether a change event touches a section (or one key) of ours. */
  affects(e: vscode.ConfigurationChangeEvent, sectionOrKey: SettingSection | SettingKey): boolean {
    return e.affectsConfiguration(`${CONFIG_SECTION}.${sectionOrKey}`);
  }

  private read<K extends SettingKey>(configuration: vscode.WorkspaceConfiguration, key: K): SettingValue<K> {
    const shape = SETTINGS[key];
    const v = configuration.get<unknown>(key);
    if (fitsShape(shape, v)) return v as SettingValue<K>;
    return configuration.inspect<unknown>(key)?.defaultValue as SettingValue<K>;
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }
}
