// Job details webview: header with status and actions, alerts, live metric charts, the event log (virtual list)
// and the checkpoints table. Everything is rendered from the host's `state` message; the tab choice and the job
// key persist through getState/setState so the panel comes back after a window reload.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import './main.css';
import { HostChannel } from '../lib/vscodeApi';
import type {
  CheckpointRow,
  EventRow,
  HostToJobDetails,
  JobAction,
  JobDetailsPersistedState,
  JobDetailsProtocol,
  JobDetailsState,
  JobHeader,
} from '../../src/shared/jobDetailsProtocol';
import { JOB_DETAILS_TABS as TABS } from '../../src/shared/jobDetailsProtocol';
import { JobCharts } from './charts';
import { VirtualList } from '../lib/virtualList';

const STATUS_ICON: Record<string, string> = {
  validating_files: 'sync',
  queued: 'clock',
  running: 'play-circle',
  paused: 'debug-pause',
  succeeded: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
};

const ACTION_META: Record<JobAction, { label: string; icon: string; secondary: boolean }> = {
  pause: { label: 'Pause', icon: 'debug-pause', secondary: false },
  resume: { label: 'Resume', icon: 'debug-continue', secondary: false },
  cancel: { label: 'Cancel job', icon: 'circle-slash', secondary: true },
  evaluate: { label: 'Evaluate against base model', icon: 'beaker', secondary: false },
  copyId: { label: 'Copy job id', icon: 'copy', secondary: true },
  copyModel: { label: 'Copy model id', icon: 'copy', secondary: false },
  refresh: { label: 'Refresh', icon: 'refresh', secondary: true },
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function icon(name: string): HTMLElement {
  return el('span', `codicon codicon-${name}`);
}

function fmtTime(epochSeconds: number | undefined): string {
  if (!epochSeconds) return '';
  return new Date(epochSeconds * 1000).toLocaleString();
}

function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

class App {
  private readonly channel = new HostChannel<JobDetailsProtocol, JobDetailsPersistedState>((m) =>
    this.onMessage(m),
  );
  private readonly root = document.getElementById('app')!;
  private readonly header = el('header', 'job-header');
  private readonly alerts = el('section', 'alerts');
  private readonly tabs = document.createElement('vscode-tabs');
  private readonly chartsPanel = el('div', 'charts-grid');
  private readonly eventsPanel = el('div', 'events');
  private readonly checkpointsPanel = el('div', 'checkpoints');
  private readonly charts = new JobCharts(this.chartsPanel);
  private readonly events: VirtualList<EventRow>;
  private readonly status = el('p', 'placeholder', 'Loading job…');

  constructor() {
    this.events = new VirtualList<EventRow>(this.eventsPanel, 22, (row) => this.renderEvent(row));
    const saved = this.channel.state;
    const tabIndex = Math.max(0, TABS.indexOf(saved?.tab ?? 'charts'));
    for (const [i, name] of (['Charts', 'Events', 'Checkpoints'] as const).entries()) {
      const h = document.createElement('vscode-tab-header');
      h.slot = 'header';
      h.textContent = name;
      // vscode-tab-header assigns its own id (for aria-controls); tests and styles use data-tab.
      h.dataset.tab = TABS[i];
      const p = document.createElement('vscode-tab-panel');
      p.append([this.chartsPanel, this.eventsPanel, this.checkpointsPanel][i]);
      this.tabs.append(h, p);
    }
    this.tabs.selectedIndex = tabIndex;
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      const current = this.channel.state;
      if (current) this.channel.state = { ...current, tab: TABS[index] };
      if (TABS[index] === 'events') requestAnimationFrame(() => this.events.refresh());
    });
    this.root.append(this.status, this.header, this.alerts, this.tabs);
    this.header.hidden = true;
    this.tabs.hidden = true;
    this.channel.ready();
  }

  private onMessage(msg: HostToJobDetails): void {
    switch (msg.type) {
      case 'state':
        this.render(msg.state);
        break;
      case 'missing':
        this.header.hidden = true;
        this.tabs.hidden = true;
        this.alerts.replaceChildren();
        this.status.hidden = false;
        this.status.textContent = msg.reason;
        break;
    }
  }

  private render(state: JobDetailsState): void {
    const prev = this.channel.state;
    this.channel.state = {
      key: state.header.key,
      tab: prev?.key === state.header.key ? prev.tab : prev?.tab,
    };
    this.status.hidden = true;
    this.header.hidden = false;
    this.tabs.hidden = false;
    document.title = state.header.suffix ?? state.header.id;
    this.renderHeader(state.header);
    this.renderAlerts(state);
    this.charts.update(state.charts);
    // Newest first; events arrive oldest first, so reversing before the stable sort keeps same-second order.
    this.events.setRows([...state.events].reverse().sort((a, b) => b.createdAt - a.createdAt));
    this.renderCheckpoints(state.checkpoints);
  }

  private renderHeader(h: JobHeader): void {
    const title = el('div', 'title-row');
    const statusIcon = icon(STATUS_ICON[h.status] ?? 'circle-outline');
    statusIcon.classList.add('status-icon', `status-${h.status.replace(/[^a-z_]/g, '')}`);
    const name = el('h1', undefined, h.suffix ? `${h.suffix}` : h.id);
    const badge = document.createElement('vscode-badge');
    badge.textContent = h.status.replace(/_/g, ' ');
    badge.id = 'job-status';
    title.append(statusIcon, name, badge);

    const facts = el('dl', 'facts');
    const fact = (k: string, v: string | undefined, id?: string) => {
      if (!v) return;
      const dt = el('dt', undefined, k);
      const dd = el('dd', undefined, v);
      if (id) dd.id = id;
      facts.append(dt, dd);
    };
    fact('Job', h.id, 'job-id');
    fact('Provider', h.providerLabel);
    fact('Base model', h.model);
    if (h.step !== undefined)
      fact('Step', h.totalSteps ? `${h.step} of ${h.totalSteps}` : String(h.step), 'job-step');
    fact('ETA', h.eta);
    fact('Created', fmtTime(h.createdAt));
    fact('Finished', fmtTime(h.finishedAt));
    fact('Fine-tuned model', h.fineTunedModel, 'fine-tuned-model');

    const progress = el('div', 'progress');
    if (h.totalSteps && h.step !== undefined) {
      const bar = document.createElement('vscode-progress-bar');
      bar.value = Math.min(1, h.step / h.totalSteps);
      bar.max = 1;
      progress.append(bar);
    }

    const actions = el('div', 'actions');
    for (const a of h.actions) {
      const meta = ACTION_META[a];
      const b = document.createElement('vscode-button');
      b.textContent = meta.label;
      b.icon = meta.icon;
      b.secondary = meta.secondary;
      b.dataset.action = a;
      b.addEventListener('click', () => this.channel.post({ type: 'action', action: a }));
      actions.append(b);
    }

    const extra: HTMLElement[] = [];
    if (h.error) {
      const err = el('div', 'job-error');
      err.append(
        icon('error'),
        el('span', undefined, h.error.code ? `${h.error.code}: ${h.error.message}` : h.error.message),
      );
      extra.push(err);
    }
    if (h.pollProblem) {
      const warn = el('div', 'poll-problem');
      warn.append(icon('warning'), el('span', undefined, h.pollProblem));
      extra.push(warn);
    }
    if (h.lastUpdated)
      extra.push(el('div', 'updated', `Updated ${new Date(h.lastUpdated).toLocaleTimeString()}`));
    this.header.replaceChildren(title, facts, progress, actions, ...extra);
  }

  private renderAlerts(state: JobDetailsState): void {
    this.alerts.replaceChildren(
      ...state.alerts.map((a) => {
        const row = el('div', 'alert');
        row.append(icon('warning'), el('span', undefined, `Step ${a.step}: ${a.message}`));
        return row;
      }),
    );
  }

  private renderEvent(row: EventRow): HTMLElement {
    const line = el('div', `event level-${row.level.replace(/[^a-z]/g, '')}`);
    line.append(
      el('span', 'event-time', new Date(row.createdAt * 1000).toLocaleTimeString()),
      el('span', 'event-level', row.level),
      el('span', 'event-msg', row.message),
    );
    line.title = `${fmtTime(row.createdAt)} · ${row.type} · ${row.id}`;
    return line;
  }

  private renderCheckpoints(rows: CheckpointRow[]): void {
    if (!rows.length) {
      this.checkpointsPanel.replaceChildren(el('p', 'placeholder', 'No checkpoints yet.'));
      return;
    }
    const keys = [...new Set(rows.flatMap((r) => r.metrics.map(([k]) => k)))];
    const table = el('table', 'checkpoint-table');
    const head = el('tr');
    for (const k of ['Step', 'Model', 'Created', ...keys]) head.append(el('th', undefined, k));
    table.append(el('thead'));
    table.tHead!.append(head);
    const body = el('tbody');
    for (const r of [...rows].sort((a, b) => b.step - a.step)) {
      const tr = el('tr');
      const metrics = new Map(r.metrics);
      tr.append(
        el('td', 'num', String(r.step)),
        el('td', 'mono', r.model),
        el('td', undefined, fmtTime(r.createdAt)),
      );
      for (const k of keys) {
        const v = metrics.get(k);
        tr.append(el('td', 'num', v === undefined ? '' : fmtNum(v)));
      }
      body.append(tr);
    }
    table.append(body);
    this.checkpointsPanel.replaceChildren(table);
  }
}

new App();
