// One typed reader over the `rftStudio.*` settings, re-read when they change.
import * as vscode from 'vscode';

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

  get<T>(key: string, fallback: T, scope?: vscode.ConfigurationScope): T {
    return vscode.workspace.getConfiguration(CONFIG_SECTION, scope).get<T>(key, fallback);
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }
}
