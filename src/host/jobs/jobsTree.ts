// The Jobs tree in the RFT Studio container: providers → jobs → events / checkpoints / files. Rows carry a
// contextValue such as `rftJob running canPause canCancel` that the manifest's menus match with regexes.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { ProviderEntry } from '../providers/providerStore';
import type { JobView } from './jobsModel';
import { describeJob, etaText, fmtReward } from './jobsModel';

export type JobsNode =
  | { kind: 'provider'; provider: ProviderEntry; active: boolean; jobs: JobView[] }
  | { kind: 'job'; job: JobView }
  | { kind: 'group'; job: JobView; group: 'events' | 'checkpoints' | 'files' }
  | { kind: 'leaf'; id: string; item: vscode.TreeItem };

export interface JobsTreeSource {
  readonly onDidChange: vscode.Event<void>;
  providers(): ProviderEntry[];
  activeProviderId(): string | undefined;
  jobs(): JobView[];
}

const STATUS_ICONS: Record<string, [string, string | undefined]> = {
  validating_files: ['sync~spin', 'charts.blue'],
  queued: ['clock', 'charts.blue'],
  running: ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  succeeded: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export function statusIcon(status: string): vscode.ThemeIcon {
  const [id, colour] = STATUS_ICONS[status] ?? ['circle-outline', undefined];
  return new vscode.ThemeIcon(id, colour ? new vscode.ThemeColor(colour) : undefined);
}

const MAX_EVENTS_SHOWN = 200;

export class JobsTree extends Disposable implements vscode.TreeDataProvider<JobsNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<JobsNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly source: JobsTreeSource) {
    super();
    this._register(source.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'provider': {
        const item = new vscode.TreeItem(node.provider.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `provider:${node.provider.id}`;
        item.iconPath = new vscode.ThemeIcon(
          node.provider.kind === 'azure' ? 'azure' : node.provider.ephemeral ? 'beaker' : 'cloud',
        );
        item.description = [
          node.active ? 'active' : undefined,
          `${node.jobs.length} job${node.jobs.length === 1 ? '' : 's'}`,
        ]
          .filter(Boolean)
          .join(' · ');
        item.contextValue = `rftProvider${node.active ? ' active' : ''}`;
        item.tooltip = `${node.provider.label} (${node.provider.kind}${node.provider.baseURL ? `, ${node.provider.baseURL}` : ''})`;
        return item;
      }
      case 'job':
        return jobItem(node.job);
      case 'group': {
        const { job, group } = node;
        const count =
          group === 'events'
            ? job.events.length
            : group === 'checkpoints'
              ? job.checkpoints.length
              : job.files.length;
        const label = group === 'events' ? 'Events' : group === 'checkpoints' ? 'Checkpoints' : 'Files';
        const item = new vscode.TreeItem(
          label,
          count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `${job.key}#${group}`;
        item.description = String(count);
        item.iconPath = new vscode.ThemeIcon(
          group === 'events' ? 'list-unordered' : group === 'checkpoints' ? 'milestone' : 'files',
        );
        item.contextValue = `rftGroup ${group}`;
        return item;
      }
      case 'leaf':
        return node.item;
    }
  }

  getChildren(node?: JobsNode): JobsNode[] {
    if (!node) {
      const jobs = this.source.jobs();
      // Only providers with jobs: with none at all the view is empty and its welcome text explains what to do.
      if (!jobs.length) return [];
      const providers = this.source.providers();
      const active = this.source.activeProviderId();
      const nodes: JobsNode[] = providers
        .map((p) => ({
          kind: 'provider' as const,
          provider: p,
          active: p.id === active,
          jobs: jobs.filter((j) => j.providerId === p.id),
        }))
        .filter((n) => n.jobs.length > 0);
      const orphans = jobs.filter((j) => !providers.some((p) => p.id === j.providerId));
      if (orphans.length) {
        nodes.push({
          kind: 'provider',
          provider: { id: '', kind: 'compatible', label: 'Removed providers', ephemeral: true },
          active: false,
          jobs: orphans,
        });
      }
      return nodes;
    }
    switch (node.kind) {
      case 'provider':
        return node.jobs.map((job) => ({ kind: 'job', job }));
      case 'job':
        return (['events', 'checkpoints', 'files'] as const).map((group) => ({
          kind: 'group',
          job: node.job,
          group,
        }));
      case 'group':
        return groupChildren(node.job, node.group);
      case 'leaf':
        return [];
    }
  }

  getParent(): undefined {
    return undefined;
  }
}

function jobItem(job: JobView): vscode.TreeItem {
  const s = job.snapshot;
  const item = new vscode.TreeItem(
    s.suffix ? `${s.suffix}` : job.jobId,
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = job.key;
  item.iconPath = statusIcon(s.status);
  // Status, step and rewards first: the sidebar is narrow and the model is the same for most jobs.
  item.description = [describeJob(s, Date.now()), s.model].filter(Boolean).join(' · ');
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(
    `**${escapeMd(s.suffix ?? job.jobId)}** — $(${statusIcon(s.status).id.replace('~spin', '')}) ${escapeMd(s.status)}\n\n`,
  );
  md.appendMarkdown(`| | |\n|---|---|\n`);
  const row = (k: string, v: string | undefined) => v && md.appendMarkdown(`| ${k} | ${escapeMd(v)} |\n`);
  row('Job', job.jobId);
  row('Provider', job.providerLabel);
  row('Base model', s.model);
  row(
    'Step',
    s.step !== undefined ? (s.totalSteps ? `${s.step} of ${s.totalSteps}` : String(s.step)) : undefined,
  );
  row('Train reward', fmtReward(s.trainReward));
  row('Validation reward', fmtReward(s.validReward));
  row('ETA', etaText(s, Date.now()));
  row('Fine-tuned model', s.fineTunedModel);
  if (s.error)
    md.appendMarkdown(
      `\n$(error) ${escapeMd(s.error.code ? `${s.error.code}: ${s.error.message}` : s.error.message)}\n`,
    );
  if (job.pollProblem) md.appendMarkdown(`\n$(warning) ${escapeMd(job.pollProblem)}\n`);
  item.tooltip = md;
  const flags = ['rftJob', s.status.replace(/[^a-z_]/g, '')];
  if (!job.orphan) {
    if (job.actions.includes('pause')) flags.push('canPause');
    if (job.actions.includes('resume')) flags.push('canResume');
    if (job.actions.includes('cancel')) flags.push('canCancel');
  }
  if (s.fineTunedModel) flags.push('hasModel');
  item.contextValue = flags.join(' ');
  item.command = { command: 'rftStudio.openJobDetails', title: 'Open Job Details', arguments: [job.key] };
  item.accessibilityInformation = {
    label: `${s.suffix ?? job.jobId}, ${s.status}, ${describeJob(s, Date.now())}`,
  };
  return item;
}

function groupChildren(job: JobView, group: 'events' | 'checkpoints' | 'files'): JobsNode[] {
  if (group === 'events') {
    const rows = [...job.events]
      .reverse()
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, MAX_EVENTS_SHOWN);
    return rows.map((e) => {
      const item = new vscode.TreeItem(e.message, vscode.TreeItemCollapsibleState.None);
      item.id = `${job.key}#event:${e.id}`;
      item.description = new Date(e.createdAt * 1000).toLocaleTimeString();
      item.iconPath = new vscode.ThemeIcon(
        e.level === 'error'
          ? 'error'
          : e.level === 'warn'
            ? 'warning'
            : e.type === 'metrics'
              ? 'graph-line'
              : 'info',
        e.level === 'error'
          ? new vscode.ThemeColor('errorForeground')
          : e.level === 'warn'
            ? new vscode.ThemeColor('editorWarning.foreground')
            : undefined,
      );
      item.tooltip = `${new Date(e.createdAt * 1000).toLocaleString()} · ${e.level} · ${e.type}\n${e.message}`;
      item.contextValue = 'rftEvent';
      return { kind: 'leaf' as const, id: item.id, item };
    });
  }
  if (group === 'checkpoints') {
    return [...job.checkpoints]
      .sort((a, b) => b.step - a.step)
      .map((c) => {
        const item = new vscode.TreeItem(`step ${c.step}`, vscode.TreeItemCollapsibleState.None);
        item.id = `${job.key}#ckpt:${c.id}`;
        const shown = c.metrics.filter(([k]) => /reward|loss/i.test(k)).slice(0, 3);
        item.description = [
          c.model,
          ...shown.map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`),
        ].join(' · ');
        item.tooltip = [c.model, ...c.metrics.map(([k, v]) => `${k}: ${v}`)].join('\n');
        item.iconPath = new vscode.ThemeIcon('milestone');
        item.contextValue = 'rftCheckpoint';
        return { kind: 'leaf' as const, id: item.id, item };
      });
  }
  return job.files.map((f) => {
    const item = new vscode.TreeItem(f.role, vscode.TreeItemCollapsibleState.None);
    item.id = `${job.key}#file:${f.role}:${f.id}`;
    item.description = f.localPath ? `${f.id} · ${f.localPath}` : f.id;
    item.iconPath = new vscode.ThemeIcon(f.role === 'result' ? 'file-binary' : 'file');
    item.contextValue = 'rftFile';
    item.tooltip = f.localPath ? `${f.id}\nuploaded from ${f.localPath}` : f.id;
    if (f.localPath && vscode.workspace.workspaceFolders?.length) {
      const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, f.localPath);
      item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
      item.resourceUri = uri;
    }
    return { kind: 'leaf' as const, id: item.id, item };
  });
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
