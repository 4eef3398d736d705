// Eval comparison webview: two candidates side by side (means with their 95% intervals, the paired difference,
// p-values, wins/ties/losses, pass rate at a threshold), per-grader and per-label breakdowns, the items that changed
// most with both outputs, and the filtered item table. The host computes every number (getView); this file draws
// them and keeps the UI state (threshold, filters, order) with setState so it survives a reload.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type {
  CompareBreakdownRow,
  CompareChangedItem,
  CompareFilter,
  CompareHeader,
  CompareItemRow,
  CompareQuery,
  CompareSampleView,
  CompareSort,
  CompareViewData,
  EvalComparePersistedState,
  EvalCompareProtocol,
  HostToEvalCompare,
  Outcome,
} from '../../src/shared/evalCompareProtocol';
import { MAX_ROW_LIMIT } from '../../src/shared/evalCompareProtocol';
import { el, fmt } from '../lib/dom';
import { HostChannel } from '../lib/vscodeApi';
import { VirtualList } from '../lib/virtualList';
import { differencePlot, meansPlot } from './intervalPlot';
import './main.css';

const channel = new HostChannel<EvalCompareProtocol, EvalComparePersistedState>((m) => onMessage(m));
const app = document.getElementById('app')!;
const status = el('p', { class: 'muted', id: 'status' }, ['Loading the comparison…']);
const notices = el('div', { class: 'notices' });
const body = el('div', { id: 'compare' });
app.replaceChildren(status, notices, body);

let header: CompareHeader | undefined;
let ui: EvalComparePersistedState | undefined;
let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

const SORT_LABELS: Record<CompareSort, string> = {
  change: 'Largest change first',
  difference: 'Largest gain first',
  line: 'Dataset order',
};
const OUTCOME_LABELS: Record<Outcome, string> = { win: 'Better', tie: 'Same', loss: 'Worse' };

function onMessage(m: HostToEvalCompare): void {
  switch (m.type) {
    case 'loading':
      status.textContent = `Loading ${m.what}…`;
      status.hidden = false;
      return;
    case 'failed':
      status.textContent = m.message;
      status.className = 'error-text';
      status.hidden = false;
      body.replaceChildren();
      return;
    case 'notice':
      notices.replaceChildren(el('p', { class: `notice ${m.level}`, role: 'status' }, [m.message]));
      return;
    case 'header': {
      header = m.header;
      const saved = channel.state;
      const same = saved && JSON.stringify(saved.source) === JSON.stringify(m.header.source);
      // This webview's own saved state first (a hidden panel shown again), then what a revived panel had persisted.
      ui = same
        ? { ...saved, source: m.header.source }
        : {
            threshold: m.header.defaultThreshold,
            filter: {},
            sort: 'change',
            ...m.header.restore,
            source: m.header.source,
          };
      channel.state = ui;
      document.title = m.header.title;
      void refresh();
      return;
    }
  }
}

function query(): CompareQuery {
  return {
    threshold: ui?.threshold ?? header?.defaultThreshold ?? 0.5,
    filter: ui?.filter ?? {},
    sort: ui?.sort ?? 'change',
    rowLimit: MAX_ROW_LIMIT,
  };
}

function update(patch: Partial<EvalComparePersistedState>, delay = 200): void {
  if (!ui) return;
  ui = { ...ui, ...patch };
  channel.state = ui;
  clearTimeout(timer);
  timer = setTimeout(() => void refresh(), delay);
}

async function refresh(): Promise<void> {
  const mine = ++seq;
  try {
    const view = await channel.request('getView', { query: query() });
    if (mine !== seq) return;
    status.hidden = true;
    render(view);
  } catch (e) {
    if (mine !== seq) return;
    status.textContent = (e as Error).message;
    status.hidden = false;
  }
}

// ───────────────────────────── rendering ─────────────────────────────

function pct(v: number): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—';
}

function signed(v: number): string {
  return Number.isFinite(v) ? `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}` : '—';
}

function pValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 0.0001) return '< 0.0001';
  return p < 0.01 ? p.toPrecision(2) : p.toFixed(3);
}

function interval(ci: [number, number]): string {
  return `[${fmt(ci[0])}, ${fmt(ci[1])}]`;
}

function stat(label: string, value: string, id: string, hint?: string): HTMLElement {
  return el('div', { class: 'stat', title: hint }, [
    el('span', { class: 'stat-label' }, [label]),
    el('span', { class: 'stat-value', id }, [value]),
  ]);
}

function render(v: CompareViewData): void {
  const focused = document.activeElement?.id;
  const [na, nb] = v.names;
  const [a, b] = v.candidates;
  const significant = v.paired.wilcoxonP < 0.05;
  const verdict =
    v.paired.items === 0
      ? 'No item has a graded sample from both candidates.'
      : significant
        ? `${v.paired.difference > 0 ? na : nb} is better: ${signed(v.paired.difference)} mean reward over ${v.paired.items} paired items (Wilcoxon p = ${pValue(v.paired.wilcoxonP)}).`
        : `No significant difference over ${v.paired.items} paired items (Wilcoxon p = ${pValue(v.paired.wilcoxonP)}).`;

  const candidateCard = (c: CompareViewData['candidates'][number], side: 'a' | 'b') =>
    el('section', { class: `card candidate side-${side}`, id: `candidate-${side}` }, [
      el('h2', {}, [el('span', { class: `swatch side-${side}` }), c.name]),
      el('p', { class: 'muted mono' }, [c.model]),
      el('div', { class: 'stats' }, [
        stat('Mean reward', fmt(c.mean), `mean-${side}`),
        stat('95% CI', interval(c.ci), `ci-${side}`, 'Bootstrap interval of the mean over items (seeded)'),
        stat(`Pass rate ≥ ${fmt(v.threshold, 2)}`, pct(c.passRate), `pass-${side}`),
        stat('Items', String(c.items), `items-${side}`),
        stat('Samples', String(c.samples), `samples-${side}`),
        stat('Errors', String(c.errors), `errors-${side}`),
      ]),
    ]);

  const summary = el('section', { class: 'card', id: 'paired' }, [
    el('h2', {}, [`${na} − ${nb}, paired over items`]),
    el('p', { class: significant ? 'verdict significant' : 'verdict', id: 'verdict' }, [verdict]),
    el('div', { class: 'stats' }, [
      stat('Difference', signed(v.paired.difference), 'difference'),
      stat('95% CI', interval(v.paired.ci), 'difference-ci', 'Bootstrap interval of the paired difference'),
      stat('Wilcoxon p', pValue(v.paired.wilcoxonP), 'p-wilcoxon', 'Wilcoxon signed-rank, two-sided'),
      stat('Sign test p', pValue(v.paired.signTestP), 'p-sign', 'Sign test over wins and losses, two-sided'),
      stat('Better', String(v.paired.wins), 'wins', `Items where ${na} scored higher`),
      stat('Same', String(v.paired.ties), 'ties'),
      stat('Worse', String(v.paired.losses), 'losses', `Items where ${na} scored lower`),
    ]),
    el('div', { class: 'plots' }, [
      el('figure', {}, [meansPlot(v), el('figcaption', { class: 'muted' }, ['Mean reward, 95% CI'])]),
      el('figure', {}, [
        differencePlot(v),
        el('figcaption', { class: 'muted' }, ['Paired difference, 95% CI']),
      ]),
    ]),
    v.unpaired
      ? el('p', { class: 'muted' }, [
          `${v.unpaired} item(s) have results from only one side and are left out.`,
        ])
      : null,
  ]);

  const threshold = el('vscode-textfield', {
    id: 'threshold',
    type: 'number',
    step: '0.05',
    value: String(v.threshold),
    'aria-label': 'Pass threshold',
    class: 'narrow',
  });
  threshold.addEventListener('change', () => {
    const t = Number((threshold as unknown as { value: string }).value);
    if (Number.isFinite(t)) update({ threshold: t }, 0);
  });

  const breakdowns = el('div', { class: 'breakdowns' }, [
    breakdownTable('Per grader', 'graders-table', v.graders, v.names),
    v.labels.length
      ? breakdownTable(`Per label (${v.labelField ?? ''})`, 'labels-table', v.labels, v.names)
      : null,
  ]);

  body.replaceChildren(
    el('header', { class: 'title' }, [
      el('h1', {}, [`${na} vs ${nb}`]),
      el('p', { class: 'muted' }, [header?.runNames.join(' · ') ?? '']),
    ]),
    ...v.warnings.map((w) => el('p', { class: 'notice warning' }, [w])),
    el('div', { class: 'candidates' }, [candidateCard(a, 'a'), candidateCard(b, 'b')]),
    summary,
    el('section', { class: 'card threshold-row' }, [
      el('label', { for: 'threshold' }, ['Pass threshold']),
      threshold,
      el('span', { class: 'muted' }, [
        `${na}: ${pct(a.passRate)} · ${nb}: ${pct(b.passRate)} of graded samples at or above it`,
      ]),
    ]),
    breakdowns,
    filters(v),
    mostChanged(v.mostChanged, v.names),
    itemsTable(v),
  );
  if (focused) document.getElementById(focused)?.focus();
}

function breakdownTable(
  title: string,
  id: string,
  rows: CompareBreakdownRow[],
  [na, nb]: [string, string],
): HTMLElement {
  return el('section', { class: 'card' }, [
    el('h2', {}, [title]),
    el('table', { id, class: 'data' }, [
      el('thead', {}, [
        el('tr', {}, [
          el('th', {}, ['Name']),
          el('th', { class: 'num' }, ['Items']),
          el('th', { class: 'num' }, [na]),
          el('th', { class: 'num' }, [nb]),
          el('th', { class: 'num' }, ['Difference']),
          el('th', { class: 'num' }, ['Better / same / worse']),
        ]),
      ]),
      el(
        'tbody',
        {},
        rows.map((r) =>
          el('tr', {}, [
            el('td', { class: 'mono' }, [r.name]),
            el('td', { class: 'num' }, [String(r.items)]),
            el('td', { class: 'num' }, [fmt(r.a)]),
            el('td', { class: 'num' }, [fmt(r.b)]),
            el('td', { class: `num ${tone(r.difference)}` }, [signed(r.difference)]),
            el('td', { class: 'num' }, [`${r.wins} / ${r.ties} / ${r.losses}`]),
          ]),
        ),
      ),
    ]),
  ]);
}

function tone(d: number): string {
  return d > 1e-9 ? 'gain' : d < -1e-9 ? 'drop' : '';
}

function filters(v: CompareViewData): HTMLElement {
  const f: CompareFilter = ui?.filter ?? {};
  const text = el('vscode-textfield', {
    id: 'filter-text',
    placeholder: 'Item, label or output text',
    value: f.text ?? '',
    'aria-label': 'Filter text',
  });
  text.addEventListener('input', () =>
    update({ filter: { ...ui?.filter, text: (text as unknown as { value: string }).value || undefined } }),
  );
  const label = el('vscode-single-select', { id: 'filter-label', 'aria-label': 'Label' }, [
    el('vscode-option', { value: '', selected: !f.label }, ['All labels']),
    ...v.allLabels.map((l) => el('vscode-option', { value: l, selected: f.label === l }, [l])),
  ]);
  label.addEventListener('change', () =>
    update(
      { filter: { ...ui?.filter, label: (label as unknown as { value: string }).value || undefined } },
      0,
    ),
  );
  const outcome = el('vscode-single-select', { id: 'filter-outcome', 'aria-label': 'Outcome' }, [
    el('vscode-option', { value: '', selected: !f.outcome }, ['All outcomes']),
    ...(['win', 'tie', 'loss'] as const).map((o) =>
      el('vscode-option', { value: o, selected: f.outcome === o }, [
        o === 'tie' ? 'Same for both' : `${v.names[0]} ${OUTCOME_LABELS[o].toLowerCase()}`,
      ]),
    ),
  ]);
  outcome.addEventListener('change', () => {
    const value = (outcome as unknown as { value: string }).value as Outcome | '';
    update({ filter: { ...ui?.filter, outcome: value || undefined } }, 0);
  });
  const minDiff = el('vscode-textfield', {
    id: 'filter-min-diff',
    type: 'number',
    step: '0.05',
    min: '0',
    placeholder: 'min |Δ|',
    value: f.minAbsDifference !== undefined ? String(f.minAbsDifference) : '',
    'aria-label': 'Minimum absolute difference',
    class: 'narrow',
  });
  minDiff.addEventListener('change', () => {
    const raw = (minDiff as unknown as { value: string }).value;
    const n = Number(raw);
    update({ filter: { ...ui?.filter, minAbsDifference: raw && n >= 0 ? n : undefined } }, 0);
  });
  const sort = el('vscode-single-select', { id: 'sort', 'aria-label': 'Order' }, [
    ...(Object.keys(SORT_LABELS) as CompareSort[]).map((s) =>
      el('vscode-option', { value: s, selected: (ui?.sort ?? 'change') === s }, [SORT_LABELS[s]]),
    ),
  ]);
  sort.addEventListener('change', () =>
    update({ sort: (sort as unknown as { value: string }).value as CompareSort }, 0),
  );
  const exportButton = (format: 'csv' | 'jsonl') => {
    const b = el('vscode-button', { id: `export-${format}`, secondary: true, icon: 'desktop-download' }, [
      `Export ${format.toUpperCase()}`,
    ]);
    b.addEventListener('click', () => channel.post({ type: 'export', format, query: query() }));
    return b;
  };
  return el('section', { class: 'card filters', id: 'filters' }, [
    el('div', { class: 'items-head' }, [el('h2', {}, ['Items']), exportButton('csv'), exportButton('jsonl')]),
    el('div', { class: 'filter-row' }, [text, label, outcome, minDiff, sort]),
    el('p', { class: 'muted', id: 'matching' }, [
      `${v.matching} of ${v.paired.items} paired item(s) match${v.matching > v.rows.length ? ` (showing the first ${v.rows.length})` : ''}.`,
    ]),
  ]);
}

function outputColumn(
  name: string,
  side: 'a' | 'b',
  mean: number,
  samples: CompareSampleView[],
): HTMLElement {
  return el('div', { class: `output-col side-${side}` }, [
    el('h4', {}, [el('span', { class: `swatch side-${side}` }), `${name}: ${fmt(mean)}`]),
    ...samples.map((s) =>
      el('div', { class: 'sample' }, [
        el('div', { class: 'sample-head muted' }, [
          `sample ${s.sample} · reward ${s.reward === null ? 'failed' : fmt(s.reward)}`,
        ]),
        s.error ? el('p', { class: 'error-text' }, [s.error]) : null,
        s.output || !s.error ? el('pre', { class: 'output' }, [s.output + (s.truncated ? '…' : '')]) : null,
      ]),
    ),
  ]);
}

function revealLink(row: CompareItemRow): HTMLElement {
  const a = el('a', { href: '#', class: 'reveal', title: 'Show this line of the dataset' }, [
    `line ${row.line + 1}`,
  ]);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    channel.post({ type: 'revealItem', line: row.line });
  });
  return a;
}

function mostChanged(items: CompareChangedItem[], [na, nb]: [string, string]): HTMLElement {
  return el('section', { class: 'card', id: 'most-changed' }, [
    el('h2', {}, ['Items that changed most']),
    items.length
      ? null
      : el('p', { class: 'muted' }, ['No matching item scored differently between the two candidates.']),
    ...items.map((it) =>
      el('article', { class: 'changed' }, [
        el('div', { class: 'changed-head' }, [
          el('strong', { class: 'mono' }, [it.itemKey]),
          revealLink(it),
          ...it.labels.map((l) => el('vscode-badge', { variant: 'counter' }, [l])),
          el('span', { class: `delta ${tone(it.difference)}` }, [`Δ ${signed(it.difference)}`]),
        ]),
        el('div', { class: 'outputs' }, [
          outputColumn(na, 'a', it.a, it.outputs[0]),
          outputColumn(nb, 'b', it.b, it.outputs[1]),
        ]),
      ]),
    ),
  ]);
}

// The item table is one long-lived virtual list (only the rows in view are in the DOM); each view refills it.
const ROW_HEIGHT = 26;
const itemsHead = el('div', { class: 'item-row item-head', role: 'row' });
const itemsBody = el('div', { class: 'items-body' });
const itemsSection = el('section', { class: 'card', id: 'items-table', role: 'table' }, [
  itemsHead,
  itemsBody,
]);
const itemsList = new VirtualList<CompareItemRow>(itemsBody, ROW_HEIGHT, (r) => itemRow(r), {
  role: 'rowgroup',
  emptyText: 'No item matches the filters.',
});

function cell(text: string, cls = ''): HTMLElement {
  return el('span', { class: `cell ${cls}`, role: 'cell', title: text }, [text]);
}

function itemRow(r: CompareItemRow): HTMLElement {
  const row = el(
    'div',
    {
      class: 'item-row',
      role: 'row',
      tabindex: 0,
      title: 'Show this line of the dataset',
      'data-line': r.line,
    },
    [
      cell(r.itemKey, 'mono'),
      cell(String(r.line + 1), 'num'),
      cell(r.labels.join(', ')),
      cell(fmt(r.a), 'num'),
      cell(fmt(r.b), 'num'),
      cell(signed(r.difference), `num ${tone(r.difference)}`),
      cell(OUTCOME_LABELS[r.outcome], `outcome ${r.outcome}`),
    ],
  );
  const reveal = () => channel.post({ type: 'revealItem', line: r.line });
  row.addEventListener('click', reveal);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') reveal();
  });
  return row;
}

function itemsTable(v: CompareViewData): HTMLElement {
  const [na, nb] = v.names;
  itemsHead.replaceChildren(
    ...['Item', 'Line', 'Labels', na, nb, 'Difference', 'Outcome'].map((h, i) =>
      el('span', { class: `cell ${[1, 3, 4, 5].includes(i) ? 'num' : ''}`, role: 'columnheader', title: h }, [
        h,
      ]),
    ),
  );
  itemsList.setRows(v.rows);
  return itemsSection;
}

channel.ready();
