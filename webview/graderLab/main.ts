// Grader Lab webview: setup (dataset, graders, samples), live results, learning-signal verdicts, charts,
// grader comparison, reward-hacking probes, exports. All work happens on the host; this renders and asks.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type {
  LabAnalysis,
  LabItemSummary,
  LabRow,
  LabSetup,
  LabStatus,
  GraderLabProtocol,
  HostToLab,
  ProbeResult,
  RemoteDiff,
} from '../../src/shared/graderLabProtocol';
import { HostChannel } from '../lib/vscodeApi';
import { chartColors, el, fmt, short } from '../lib/dom';
import './main.css';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

interface State {
  setup?: LabSetup;
  items: LabItemSummary[];
  rows: LabRow[];
  analysis?: LabAnalysis;
  recommendation?: { best?: string; text: string };
  probes: ProbeResult[];
  remote?: { checked: number; diffs: RemoteDiff[] };
  status: LabStatus;
  sort: { key: 'reward' | 'item' | 'grader' | 'line'; desc: boolean };
  filter: { text: string; errorsOnly: boolean; grader: string };
  samplingPlan?: string;
  provider?: { label: string; graderRun: boolean };
  trusted: boolean;
}

const MAX_TABLE_ROWS = 1000;
const app = document.getElementById('app')!;
const channel = new HostChannel<GraderLabProtocol, State>(onMessage);
const state: State = channel.state ?? {
  items: [],
  rows: [],
  probes: [],
  status: { phase: 'idle', done: 0, total: 0 },
  sort: { key: 'line', desc: false },
  filter: { text: '', errorsOnly: false, grader: '' },
  trusted: true,
};
const charts: Chart[] = [];
let notices: Array<{ level: string; message: string }> = [];
let renderQueued = false;

function persist(): void {
  channel.state = state;
}

function onMessage(m: HostToLab): void {
  switch (m.type) {
    case 'setup':
      state.setup = m.setup;
      state.items = m.items;
      state.samplingPlan = m.samplingPlan;
      state.provider = m.provider;
      state.trusted = m.trusted;
      break;
    case 'status':
      state.status = m.status;
      break;
    case 'rows':
      if (m.reset) {
        state.rows = [];
        state.analysis = undefined;
        state.probes = [];
        state.remote = undefined;
      }
      state.rows.push(...m.rows);
      break;
    case 'analysis':
      state.analysis = m.analysis;
      state.probes = m.probes;
      state.recommendation = m.recommendation;
      break;
    case 'remote':
      state.remote = { checked: m.checked, diffs: m.diffs };
      break;
    case 'notice':
      notices = [...notices.slice(-3), { level: m.level, message: m.message }];
      break;
  }
  persist();
  scheduleRender();
}

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function graderLabel(id: string): string {
  return state.setup?.graders.find((g) => g.path === id)?.label ?? id.split(/[\\/]/).pop() ?? id;
}

function render(): void {
  for (const c of charts.splice(0)) c.destroy();
  const focused = document.activeElement?.id;
  app.replaceChildren(
    el('header', { class: 'lab-header' }, [
      el('h1', {}, ['Grader Lab']),
      el('p', { class: 'muted' }, [
        'Run candidate graders on sample outputs locally, exactly as the platform scores them, and see whether each one gives RFT a learning signal.',
      ]),
    ]),
    renderNotices(),
    renderSetup(),
    renderStatus(),
    ...(state.analysis
      ? [
          renderRecommendation(),
          renderVerdicts(state.analysis),
          renderCharts(state.analysis),
          renderComparison(state.analysis),
          renderProbes(),
        ]
      : []),
    ...(state.remote ? [renderRemote(state.remote)] : []),
    ...(state.rows.length ? [renderResults()] : []),
  );
  if (focused) document.getElementById(focused)?.focus();
}

function renderNotices(): HTMLElement {
  return el(
    'div',
    { class: 'notices', role: 'status' },
    notices.map((n) =>
      el('div', { class: `notice notice-${n.level}` }, [
        el('span', {
          class: `codicon codicon-${n.level === 'error' ? 'error' : n.level === 'warning' ? 'warning' : 'info'}`,
        }),
        ` ${n.message}`,
      ]),
    ),
  );
}

function fileRow(
  label: string,
  value: string | undefined,
  what: 'dataset' | 'samples' | 'responseFormat',
  extra: HTMLElement[] = [],
): HTMLElement {
  return el('div', { class: 'field' }, [
    el('span', { class: 'field-label' }, [label]),
    el('span', { class: `path ${value ? '' : 'muted'}`, title: value ?? '' }, [
      value ? short(value) : 'none',
    ]),
    el(
      'vscode-button',
      { secondary: '', id: `pick-${what}`, onclick: () => channel.post({ type: 'pick', what }) },
      ['Choose…'],
    ),
    ...extra,
  ]);
}

function renderSetup(): HTMLElement {
  const s = state.setup;
  if (!s) return el('section', { class: 'card' }, ['Loading…']);
  const graders = el('div', { class: 'graders' }, [
    ...s.graders.map((g) =>
      el('span', { class: 'chip', title: g.path }, [
        el('span', { class: 'codicon codicon-symbol-method' }),
        ` ${g.label} `,
        el('vscode-badge', { variant: 'default' }, [g.type || '?']),
        el(
          'button',
          {
            class: 'icon-button',
            title: `Remove ${g.label}`,
            'aria-label': `Remove ${g.label}`,
            onclick: () => channel.post({ type: 'removeGrader', path: g.path }),
          },
          [el('span', { class: 'codicon codicon-close' })],
        ),
      ]),
    ),
    el(
      'vscode-button',
      { secondary: '', id: 'add-grader', onclick: () => channel.post({ type: 'pick', what: 'grader' }) },
      ['Add grader…'],
    ),
  ]);
  const mode = el('vscode-radio-group', { id: 'samples-mode' }, [
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'file',
        label: 'Samples file',
        checked: s.samplesMode === 'file' ? '' : undefined,
      },
      ['Samples file'],
    ),
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'pasted',
        label: 'Paste outputs',
        checked: s.samplesMode === 'pasted' ? '' : undefined,
      },
      ['Paste outputs'],
    ),
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'model',
        label: 'Sample a model',
        checked: s.samplesMode === 'model' ? '' : undefined,
      },
      ['Sample a model'],
    ),
  ]);
  mode.addEventListener('change', (e) => {
    const value = (e.target as HTMLInputElement).value as LabSetup['samplesMode'];
    if (value && value !== s.samplesMode) channel.post({ type: 'setMode', mode: value });
  });
  const running = ['sampling', 'grading', 'probing'].includes(state.status.phase);
  return el('section', { class: 'card setup', 'aria-label': 'Setup' }, [
    fileRow('Dataset', s.dataset, 'dataset', [
      el('span', { class: 'muted' }, [
        state.items.length ? `${state.items.length}${state.items.length === 500 ? '+' : ''} items` : '',
      ]),
    ]),
    el('div', { class: 'field' }, [el('span', { class: 'field-label' }, ['Graders']), graders]),
    fileRow(
      'Response format',
      s.responseFormat,
      'responseFormat',
      s.responseFormat
        ? [
            el(
              'vscode-button',
              { secondary: '', onclick: () => channel.post({ type: 'clearResponseFormat' }) },
              ['Clear'],
            ),
          ]
        : [],
    ),
    el('div', { class: 'field' }, [el('span', { class: 'field-label' }, ['Samples']), mode]),
    renderSamplesSource(s),
    el('div', { class: 'field' }, [
      el('span', { class: 'field-label' }, ['Pass threshold']),
      thresholdInput(s.threshold),
      el('span', { class: 'muted' }, ['used for the agreement between graders']),
    ]),
    ...(state.trusted
      ? []
      : [el('p', { class: 'notice notice-warning' }, ['Untrusted workspace: python graders are not run.'])]),
    el('div', { class: 'actions' }, [
      el(
        'vscode-button',
        { id: 'run', disabled: running ? '' : undefined, onclick: () => channel.post({ type: 'run' }) },
        [el('span', { class: 'codicon codicon-play' }), ' Run graders'],
      ),
      el(
        'vscode-button',
        {
          id: 'cancel',
          secondary: '',
          disabled: running ? undefined : '',
          onclick: () => channel.post({ type: 'cancel' }),
        },
        ['Cancel'],
      ),
      el(
        'vscode-button',
        {
          id: 'export-jsonl',
          secondary: '',
          disabled: state.rows.length ? undefined : '',
          onclick: () => channel.post({ type: 'export', format: 'jsonl' }),
        },
        ['Export JSONL'],
      ),
      el(
        'vscode-button',
        {
          id: 'export-csv',
          secondary: '',
          disabled: state.rows.length ? undefined : '',
          onclick: () => channel.post({ type: 'export', format: 'csv' }),
        },
        ['Export CSV'],
      ),
      ...(state.provider?.graderRun
        ? [
            el(
              'vscode-button',
              {
                id: 'verify',
                secondary: '',
                disabled: state.rows.length && !running ? undefined : '',
                onclick: () => channel.post({ type: 'verifyRemote', count: 20 }),
              },
              [`Verify 20 rows with ${state.provider.label}`],
            ),
          ]
        : []),
    ]),
  ]);
}

function thresholdInput(value: number): HTMLElement {
  const input = el('vscode-textfield', {
    id: 'threshold',
    type: 'number',
    value: String(value),
    min: '0',
    max: '1',
    step: '0.05',
    class: 'narrow',
  });
  input.addEventListener('change', () => {
    const v = Number(input.value);
    if (Number.isFinite(v) && v >= 0 && v <= 1) channel.post({ type: 'setThreshold', threshold: v });
  });
  return input;
}

function renderSamplesSource(s: LabSetup): HTMLElement {
  if (s.samplesMode === 'file') {
    return fileRow('Samples file', s.samplesFile, 'samples', [
      el('span', { class: 'muted' }, ['one sample per line; matched to items by "id", else by line']),
    ]);
  }
  if (s.samplesMode === 'pasted') {
    const select = el(
      'vscode-single-select',
      { id: 'pasted-item', class: 'wide' },
      state.items.map((it) =>
        el(
          'vscode-option',
          { value: String(it.index), selected: it.index === s.pasted.itemIndex ? '' : undefined },
          [`${it.key} — ${it.preview.slice(0, 80)}`],
        ),
      ),
    );
    const area = el('vscode-textarea', {
      id: 'pasted-text',
      rows: '8',
      class: 'wide',
      placeholder: 'One output per block; separate several outputs with a line holding only ---',
      value: s.pasted.text,
    });
    const send = () =>
      channel.post({ type: 'setPasted', itemIndex: Number(select.value || 0), text: area.value ?? '' });
    select.addEventListener('change', send);
    area.addEventListener('change', send);
    return el('div', { class: 'field column' }, [
      el('span', { class: 'field-label' }, ['Item']),
      select,
      el('span', { class: 'field-label' }, ['Outputs']),
      area,
    ]);
  }
  const model = el('vscode-textfield', {
    id: 'model',
    value: s.model.model,
    placeholder: 'model or deployment',
  });
  const k = el('vscode-textfield', {
    id: 'k',
    type: 'number',
    min: '1',
    max: '64',
    value: String(s.model.k),
    class: 'narrow',
  });
  const send = () => {
    const kv = Math.round(Number(k.value));
    if (model.value.trim() && kv >= 1 && kv <= 64)
      channel.post({ type: 'setModel', model: model.value, k: kv });
  };
  model.addEventListener('change', send);
  k.addEventListener('change', send);
  return el('div', { class: 'field column' }, [
    el('div', { class: 'field' }, [
      el('span', { class: 'field-label' }, ['Model']),
      model,
      el('span', { class: 'field-label' }, ['K per item']),
      k,
    ]),
    el('p', { class: 'muted' }, [
      state.provider
        ? `Through ${state.provider.label}. `
        : 'No provider configured: add one with "RFT Studio: Add Provider". ',
      state.samplingPlan ?? '',
      ' You confirm before anything is sent.',
    ]),
  ]);
}

function renderStatus(): HTMLElement {
  const st = state.status;
  const active = ['sampling', 'grading', 'probing'].includes(st.phase);
  const pct = st.total ? Math.round((st.done / st.total) * 100) : 0;
  return el('section', { class: `status status-${st.phase}`, id: 'status', 'aria-live': 'polite' }, [
    ...(active
      ? [el('vscode-progress-bar', { value: String(pct), max: '100', 'aria-label': 'progress' })]
      : []),
    el('span', {}, [
      active
        ? `${st.phase === 'sampling' ? 'Sampling' : st.phase === 'probing' ? 'Probing' : 'Grading'}: ${st.done} / ${st.total}`
        : '',
      st.message ? ` ${st.message}` : '',
    ]),
  ]);
}

function renderRecommendation(): HTMLElement {
  const r = state.recommendation;
  if (!r) return el('section', {}, []);
  return el(
    'section',
    {
      class: `card recommendation ${r.best ? 'has-best' : ''}`,
      id: 'recommendation',
      'aria-label': 'Recommendation',
    },
    [
      el('h2', {}, [
        el('span', { class: `codicon codicon-${r.best ? 'lightbulb' : 'info'}` }),
        ' Recommendation',
      ]),
      el('p', {}, [r.text]),
    ],
  );
}

const VERDICT_ICON: Record<string, string> = {
  promising: 'pass-filled',
  weak: 'warning',
  'no-signal': 'error',
  unknown: 'question',
};

function renderVerdicts(a: LabAnalysis): HTMLElement {
  return el('section', { class: 'verdicts', 'aria-label': 'Learning signal' }, [
    el('h2', {}, ['Does each grader teach?']),
    el(
      'div',
      { class: 'cards' },
      a.graders.map((g) =>
        el('div', { class: `card verdict verdict-${g.signal.verdict}` }, [
          el('h3', {}, [
            el('span', { class: `codicon codicon-${VERDICT_ICON[g.signal.verdict]}` }),
            ` ${graderLabel(g.graderId)}`,
          ]),
          el('p', { class: 'verdict-text' }, [g.signal.explanation]),
          el('dl', {}, [
            ...dl('Mean reward', fmt(g.signal.meanReward)),
            ...Object.entries(g.subRewardMeans).flatMap(([k, v]) => dl(`Mean ${k}`, fmt(v))),
            ...dl('Flat items', `${g.signal.flatItems} / ${g.signal.multiSampleItems}`),
            ...dl('Mean spread σ', fmt(g.signal.meanWithinItemStd)),
            ...dl(
              'At 0 / at 1',
              `${Math.round(g.signal.saturation.zeroShare * 100)}% / ${Math.round(g.signal.saturation.oneShare * 100)}%`,
            ),
            ...dl('Errors', `${Math.round(g.signal.errorRate * 100)}%`),
          ]),
        ]),
      ),
    ),
  ]);
}

function dl(k: string, v: string): HTMLElement[] {
  return [el('dt', {}, [k]), el('dd', {}, [v])];
}

function renderCharts(a: LabAnalysis): HTMLElement {
  const colors = chartColors();
  const distCanvas = el('canvas', {
    id: 'chart-distribution',
    'aria-label': 'Reward distribution per grader',
    role: 'img',
  }) as HTMLCanvasElement;
  const spreadCanvas = el('canvas', {
    id: 'chart-spread',
    'aria-label': 'Reward spread per item',
    role: 'img',
  }) as HTMLCanvasElement;
  const section = el('section', { class: 'charts' }, [
    el('div', { class: 'card chart' }, [
      el('h2', {}, ['Reward distribution']),
      el('div', { class: 'chart-box' }, [distCanvas]),
    ]),
    el('div', { class: 'card chart' }, [
      el('h2', {}, ['Spread per item (σ of the samples)']),
      el('p', { class: 'muted' }, [
        'Items at 0 scored the same for every sample: RFT learns nothing from them.',
      ]),
      el('div', { class: 'chart-box' }, [spreadCanvas]),
    ]),
  ]);
  const edges = a.graders[0]?.histogram.edges ?? [];
  const labels = edges.slice(0, -1).map((e, i) => `${e.toFixed(1)}–${edges[i + 1].toFixed(1)}`);
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    plugins: { legend: { labels: { color: colors.foreground } } },
    scales: {
      x: { ticks: { color: colors.foreground }, grid: { color: colors.grid } },
      y: {
        ticks: { color: colors.foreground, precision: 0 },
        grid: { color: colors.grid },
        beginAtZero: true,
      },
    },
  };
  queueMicrotask(() => {
    charts.push(
      new Chart(distCanvas, {
        type: 'bar',
        data: {
          labels,
          datasets: a.graders.map((g, i) => ({
            label: graderLabel(g.graderId),
            data: g.histogram.counts,
            backgroundColor: colors.series[i % colors.series.length],
          })),
        },
        options: common,
      }),
    );
    const itemKeys = [...new Set(a.graders.flatMap((g) => g.spreads.map((s) => s.itemKey)))];
    charts.push(
      new Chart(spreadCanvas, {
        type: 'bar',
        data: {
          labels: itemKeys,
          datasets: a.graders.map((g, i) => ({
            label: graderLabel(g.graderId),
            data: itemKeys.map((k) => g.spreads.find((s) => s.itemKey === k)?.std ?? 0),
            backgroundColor: colors.series[i % colors.series.length],
          })),
        },
        options: {
          ...common,
          scales: { ...common.scales, y: { ...common.scales.y, ticks: { color: colors.foreground } } },
        },
      }),
    );
  });
  return section;
}

function renderComparison(a: LabAnalysis): HTMLElement {
  if (!a.comparisons.length) {
    return el('section', { class: 'card' }, [
      el('h2', {}, ['Compare graders']),
      el('p', { class: 'muted' }, ['Add a second grader to compare them side by side.']),
    ]);
  }
  return el(
    'section',
    { class: 'card comparison', 'aria-label': 'Grader comparison' },
    a.comparisons.map((c) =>
      el('div', {}, [
        el('h2', {}, [`${graderLabel(c.a)} vs ${graderLabel(c.b)}`]),
        el('div', { class: 'stats' }, [
          stat('Agreement', `${Math.round(c.agreement * 100)}%`, `same side of ${c.threshold}`),
          stat('Rank correlation', fmt(c.spearman), 'Spearman ρ'),
          stat('Mean |Δ|', fmt(c.meanAbsDiff), 'per sample'),
          stat('Means', `${fmt(c.meanA)} / ${fmt(c.meanB)}`, ''),
        ]),
        c.rows.length
          ? table(
              ['Item', 'Sample', graderLabel(c.a), graderLabel(c.b), 'Output'],
              c.rows.map((r) => [r.itemKey, String(r.sampleIndex + 1), fmt(r.a), fmt(r.b), r.output]),
              'Rows where they disagree most',
            )
          : el('p', { class: 'muted' }, ['They give identical rewards on every sample.']),
      ]),
    ),
  );
}

function stat(label: string, value: string, hint: string): HTMLElement {
  return el('div', { class: 'stat' }, [
    el('div', { class: 'stat-value' }, [value]),
    el('div', { class: 'stat-label' }, [label]),
    el('div', { class: 'muted' }, [hint]),
  ]);
}

function renderProbes(): HTMLElement {
  const graderIds = [...new Set(state.probes.map((p) => p.graderId))];
  const probeIds = [...new Set(state.probes.map((p) => p.probe))];
  if (!probeIds.length) return el('section', {}, []);
  const header = el('tr', {}, [
    el('th', {}, ['Probe']),
    ...graderIds.map((g) => el('th', {}, [graderLabel(g)])),
  ]);
  const rows = probeIds.map((pid) => {
    const first = state.probes.find((p) => p.probe === pid)!;
    return el('tr', {}, [
      el('td', { title: first.description }, [first.title]),
      ...graderIds.map((g) => {
        const p = state.probes.find((x) => x.graderId === g && x.probe === pid)!;
        return el(
          'td',
          {
            class: p.exploitable ? 'exploitable' : 'safe',
            title: p.exploitable
              ? 'This grader pays a degenerate output: expect the policy to learn it.'
              : 'Not rewarded',
          },
          [
            el('span', { class: `codicon codicon-${p.exploitable ? 'warning' : 'check'}` }),
            ` ${fmt(p.meanReward)}`,
          ],
        );
      }),
    ]);
  });
  return el('section', { class: 'card probes', 'aria-label': 'Reward-hacking probes' }, [
    el('h2', {}, ['Reward-hacking probes']),
    el('p', { class: 'muted' }, [
      `Mean reward each grader gives degenerate outputs on the first ${state.probes[0]?.items ?? 0} items. A warning means the policy could learn to game it.`,
    ]),
    el('table', { class: 'grid' }, [el('thead', {}, [header]), el('tbody', {}, rows)]),
  ]);
}

function renderRemote(r: { checked: number; diffs: RemoteDiff[] }): HTMLElement {
  return el('section', { class: 'card' }, [
    el('h2', {}, [`Remote check: ${r.checked} row(s), ${r.diffs.length} differ`]),
    r.diffs.length
      ? table(
          ['Grader', 'Item', 'Sample', 'Local', 'Remote', 'Differences'],
          r.diffs.map((d) => [
            graderLabel(d.graderId),
            d.itemKey,
            String(d.sampleIndex + 1),
            fmt(d.local),
            d.remote === null ? '—' : fmt(d.remote),
            d.differences.join('; '),
          ]),
        )
      : el('p', {}, ['Local and remote results agree field by field.']),
  ]);
}

function filteredRows(): LabRow[] {
  const f = state.filter;
  const text = f.text.toLowerCase();
  const rows = state.rows.filter(
    (r) =>
      (!f.errorsOnly || r.errors.length > 0) &&
      (!f.grader || r.graderId === f.grader) &&
      (!text || r.output.toLowerCase().includes(text) || r.itemKey.toLowerCase().includes(text)),
  );
  const { key, desc } = state.sort;
  const val = (r: LabRow): number | string =>
    key === 'reward'
      ? r.reward
      : key === 'item'
        ? r.itemKey
        : key === 'grader'
          ? graderLabel(r.graderId)
          : r.line * 1000 + r.sampleIndex;
  rows.sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    const c =
      typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return desc ? -c : c;
  });
  return rows;
}

function renderResults(): HTMLElement {
  // The toolbar is built once per render; filtering and sorting only rebuild the table below it, so the
  // search box keeps its focus and caret while the user types.
  const body = el('div', { id: 'results-body' });
  const refresh = () => {
    persist();
    body.replaceChildren(...renderResultsTable());
  };
  const search = el('vscode-textfield', {
    id: 'filter-text',
    placeholder: 'Filter by item or output',
    value: state.filter.text,
  });
  search.addEventListener('input', () => {
    state.filter.text = search.value ?? '';
    refresh();
  });
  const errorsOnly = el('vscode-checkbox', {
    id: 'filter-errors',
    label: 'Errors only',
    checked: state.filter.errorsOnly ? '' : undefined,
  });
  errorsOnly.addEventListener('change', () => {
    state.filter.errorsOnly = !!errorsOnly.checked;
    refresh();
  });
  const graderSelect = el('vscode-single-select', { id: 'filter-grader' }, [
    el('vscode-option', { value: '', selected: state.filter.grader ? undefined : '' }, ['All graders']),
    ...(state.setup?.graders ?? []).map((g) =>
      el('vscode-option', { value: g.path, selected: state.filter.grader === g.path ? '' : undefined }, [
        g.label,
      ]),
    ),
  ]);
  graderSelect.addEventListener('change', () => {
    state.filter.grader = graderSelect.value ?? '';
    refresh();
  });
  body.replaceChildren(...renderResultsTable(refresh));
  return el('section', { class: 'card results', 'aria-label': 'Results' }, [
    el('div', { class: 'toolbar' }, [search, graderSelect, errorsOnly]),
    body,
  ]);
}

function renderResultsTable(refresh?: () => void): HTMLElement[] {
  const rerender = refresh ?? (() => scheduleRender());
  const rows = filteredRows();
  const sortHeader = (label: string, key: State['sort']['key']) =>
    el(
      'th',
      {
        class: 'sortable',
        tabindex: '0',
        'aria-sort': state.sort.key === key ? (state.sort.desc ? 'descending' : 'ascending') : 'none',
        onclick: () => {
          state.sort = { key, desc: state.sort.key === key ? !state.sort.desc : key === 'reward' };
          rerender();
        },
      },
      [
        label,
        state.sort.key === key
          ? el('span', { class: `codicon codicon-arrow-${state.sort.desc ? 'down' : 'up'}` })
          : '',
      ],
    );
  const subKeys = [...new Set(state.rows.flatMap((r) => Object.keys(r.subRewards)))];
  const body = rows.slice(0, MAX_TABLE_ROWS).map((r) =>
    el('tr', { class: r.errors.length ? 'row-error' : '' }, [
      el('td', {}, [
        el(
          'a',
          {
            href: '#',
            title: 'Show this line in the dataset',
            onclick: (e: Event) => {
              e.preventDefault();
              channel.post({ type: 'revealInEditor', line: r.line });
            },
          },
          [String(r.line + 1)],
        ),
      ]),
      el('td', {}, [r.itemKey]),
      el('td', {}, [String(r.sampleIndex + 1)]),
      el('td', {}, [graderLabel(r.graderId)]),
      el('td', { class: 'num reward' }, [fmt(r.reward)]),
      ...subKeys.map((k) =>
        el('td', { class: 'num' }, [r.subRewards[k] === undefined ? '' : fmt(r.subRewards[k])]),
      ),
      el('td', { class: 'output' }, [
        el('details', {}, [
          el('summary', {}, [r.output.slice(0, 120) || '(empty)']),
          el('pre', {}, [r.output]),
          ...(r.traceback ? [el('pre', { class: 'traceback' }, [r.traceback])] : []),
        ]),
      ]),
      el(
        'td',
        {},
        r.errors.map((e) =>
          el('vscode-badge', { variant: 'counter', class: 'error-badge', title: e }, [
            e.replace(/_error$/, ''),
          ]),
        ),
      ),
    ]),
  );
  return [
    el('h2', {}, [
      `Results (${rows.length}${rows.length !== state.rows.length ? ` of ${state.rows.length}` : ''})`,
    ]),
    el('table', { class: 'grid', id: 'results-table' }, [
      el('thead', {}, [
        el('tr', {}, [
          sortHeader('Line', 'line'),
          sortHeader('Item', 'item'),
          el('th', {}, ['#']),
          sortHeader('Grader', 'grader'),
          sortHeader('Reward', 'reward'),
          ...subKeys.map((k) => el('th', {}, [k])),
          el('th', {}, ['Output']),
          el('th', {}, ['Errors']),
        ]),
      ]),
      el('tbody', {}, body),
    ]),
    ...(rows.length > MAX_TABLE_ROWS
      ? [
          el('p', { class: 'muted' }, [
            `Showing the first ${MAX_TABLE_ROWS} rows; filter or export to see the rest.`,
          ]),
        ]
      : []),
  ];
}

function table(headers: string[], rows: string[][], caption?: string): HTMLElement {
  return el('table', { class: 'grid' }, [
    ...(caption ? [el('caption', {}, [caption])] : []),
    el('thead', {}, [
      el(
        'tr',
        {},
        headers.map((h) => el('th', {}, [h])),
      ),
    ]),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((c) => el('td', {}, [c])),
        ),
      ),
    ),
  ]);
}

render();
channel.ready();
