// The Jobs view: the tree over the monitor and the providers, its badge (running jobs), and whether anyone can
// see a job (the view or a details panel) — hidden with nothing active means no requests.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { Providers } from '../providers/providers';
import type { JobDetailsPanels } from './jobDetailsPanel';
import type { JobMonitor } from './jobMonitor';
import type { JobsNode } from './jobsTree';
import { JobsTree } from './jobsTree';

export const JOBS_VIEW_ID = 'rftStudio.jobs';

export class JobsView extends Disposable {
  private readonly view: vscode.TreeView<JobsNode>;

  constructor(providers: Providers, monitor: JobMonitor, panels: JobDetailsPanels) {
    super();
    const tree = this._register(
      new JobsTree({
        onDidChange: (listener) => {
          const a = monitor.onDidChange(listener);
          const b = providers.onDidChange(listener);
          return { dispose: () => (a.dispose(), b.dispose()) };
        },
        providers: () => providers.list(),
        activeProviderId: () => providers.activeEntry()?.id,
        jobs: () => monitor.jobs(),
      }),
    );
    this.view = this._register(
      vscode.window.createTreeView<JobsNode>(JOBS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    );
    const view = this.view;
    const updateVisibility = () => monitor.setVisible(view.visible || panels.anyVisible());
    updateVisibility();
    this._register(view.onDidChangeVisibility(updateVisibility));
    this._register(panels.onDidChangeVisibility(updateVisibility));
    this._register(
      monitor.onDidChange(() => {
        const n = monitor.activeCount();
        view.badge = n ? { value: n, tooltip: `${n} job${n === 1 ? '' : 's'} running` } : undefined;
      }),
    );
  }

  get visible(): boolean {
    return this.view.visible;
  }
}
