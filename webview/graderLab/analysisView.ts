// The Grader Lab's analysis view: the recommendation, a learning-signal verdict per grader, the reward charts,
// the grader comparison, the reward-hacking probes and the remote check. Redrawn only when the results change.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { LabAnalysis, ProbeResult, RemoteDiff } from '../../src/shared/graderLabProtocol';
import { chartColors, el, fmt } from '../lib/dom';
import type { LabResults } from './state';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

type Label = (graderId: string) => string;

const charts: Chart[] = [];

/** The analysis sections of one run; the charts of the previous drawing are released first. */
export function renderAnalysis(results: LabResults, label: Label): HTMLElement[] {
  releaseCharts();
  return [
    renderRecommendation(results.recommendation),
    renderVerdicts(results.analysis, label),
    renderCharts(results.analysis, label),
    renderComparison(results.analysis, label),
    renderProbes(results.probes, label),
  ];
}

export function releaseCharts(): void {
  for (const c of charts.splice(0)) c.destroy();
}

function renderRecommendation(r: LabResults['recommendation']): HTMLElement {
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

function renderVerdicts(a: LabAnalysis, label: Label): HTMLElement {
  return el('section', { class: 'verdicts', 'aria-label': 'Learning signal' }, [
    el('h2', {}, ['Does each grader teach?']),
    el(
      'div',
      { class: 'cards' },
      a.graders.map((g) =>
        el('div', { class: `card verdict verdict-${g.signal.verdict}` }, [
          el('h3', {}, [
            el('span', { class: `codicon codicon-${VERDICT_ICON[g.signal.verdict]}` }),
            ` ${label(g.graderId)}`,
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

function renderCharts(a: LabAnalysis, label: Label): HTMLElement {
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
            label: label(g.graderId),
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
            label: label(g.graderId),
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

function renderComparison(a: LabAnalysis, label: Label): HTMLElement {
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
        el('h2', {}, [`${label(c.a)} vs ${label(c.b)}`]),
        el('div', { class: 'stats' }, [
          stat('Agreement', `${Math.round(c.agreement * 100)}%`, `same side of ${c.threshold}`),
          stat('Rank correlation', fmt(c.spearman), 'Spearman ρ'),
          stat('Mean |Δ|', fmt(c.meanAbsDiff), 'per sample'),
          stat('Means', `${fmt(c.meanA)} / ${fmt(c.meanB)}`, ''),
        ]),
        c.rows.length
          ? table(
              ['Item', 'Sample', label(c.a), label(c.b), 'Output'],
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

function renderProbes(probes: readonly ProbeResult[], label: Label): HTMLElement {
  const graderIds = [...new Set(probes.map((p) => p.graderId))];
  const probeIds = [...new Set(probes.map((p) => p.probe))];
  if (!probeIds.length) return el('section', {}, []);
  const header = el('tr', {}, [el('th', {}, ['Probe']), ...graderIds.map((g) => el('th', {}, [label(g)]))]);
  const rows = probeIds.map((pid) => {
    const first = probes.find((p) => p.probe === pid)!;
    return el('tr', {}, [
      el('td', { title: first.description }, [first.title]),
      ...graderIds.map((g) => {
        const p = probes.find((x) => x.graderId === g && x.probe === pid)!;
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
      `Mean reward each grader gives degenerate outputs on the first ${probes[0]?.items ?? 0} items. A warning means the policy could learn to game it.`,
    ]),
    el('table', { class: 'grid' }, [el('thead', {}, [header]), el('tbody', {}, rows)]),
  ]);
}

export function renderRemote(r: { checked: number; diffs: RemoteDiff[] }, label: Label): HTMLElement {
  return el('section', { class: 'card' }, [
    el('h2', {}, [`Remote check: ${r.checked} row(s), ${r.diffs.length} differ`]),
    r.diffs.length
      ? table(
          ['Grader', 'Item', 'Sample', 'Local', 'Remote', 'Differences'],
          r.diffs.map((d) => [
            label(d.graderId),
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
