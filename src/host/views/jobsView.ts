// The "Jobs" view in the RFT Studio container. Until a provider is configured and a job is launched it is
// empty, and the manifest's viewsWelcome explains what to do.
import * as vscode from 'vscode';
import type { HostContext } from '../hostContext';

export const JOBS_VIEW_ID = 'rftStudio.jobs';

class EmptyTree implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

export function registerJobsView(_ctx: HostContext): vscode.Disposable {
  return vscode.window.createTreeView(JOBS_VIEW_ID, { treeDataProvider: new EmptyTree() });
}
