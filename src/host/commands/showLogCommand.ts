// "RFT Studio: Show Log" opens the extension's output channel.
import * as vscode from 'vscode';
import type { HostContext } from '../hostContext';

export const SHOW_LOG_COMMAND = 'rftStudio.showLog';

export function registerShowLogCommand(ctx: HostContext): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => ctx.log.show());
}
