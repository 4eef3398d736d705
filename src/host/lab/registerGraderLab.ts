// Registers the Grader Lab: its command (palette, grader-file editor title, explorer context) and the
// serializer that restores the panel after a window reload.
import * as vscode from 'vscode';
import { LAB_VIEW_TYPE } from '../../shared/graderLabProtocol';
import type { HostContext } from '../hostContext';
import { GraderLabPanel } from './graderLabPanel';

export const OPEN_GRADER_LAB_COMMAND = 'rftStudio.openGraderLab';

export function registerGraderLab(ctx: HostContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(OPEN_GRADER_LAB_COMMAND, (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : undefined;
      GraderLabPanel.show(ctx, target && /\.grader\.json$/i.test(target.fsPath) ? target : undefined);
    }),
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        GraderLabPanel.revive(ctx, panel);
      },
    }),
  );
}
