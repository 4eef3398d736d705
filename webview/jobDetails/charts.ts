// Chart.js line charts for the job details view, coloured from the workbench theme (--vscode-* variables) and
// re-themed when the user switches themes. Updates replace the data in place (no animation) so live polling
// does not make the charts jump.
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { ChartData, SeriesLine } from '../../src/shared/jobDetailsProtocol';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  Filler,
);

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  font: string;
  palette: Record<SeriesLine['role'], string[]>;
}

function readTheme(): Theme {
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const green = cssVar('--vscode-charts-green', '#89d185');
  const purple = cssVar('--vscode-charts-purple', '#b180d7');
  const yellow = cssVar('--vscode-charts-yellow', '#cca700');
  const red = cssVar('--vscode-charts-red', '#f14c4c');
  return {
    fg: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    palette: {
      train: [blue, purple, cssVar('--vscode-charts-lines', blue)],
      valid: [orange, green, yellow],
      other: [green, purple, yellow, red, blue, orange],
    },
  };
}

function colourFor(theme: Theme, lines: SeriesLine[], index: number): string {
  const line = lines[index];
  const sameRole = lines.slice(0, index).filter((l) => l.role === line.role).length;
  const pal = theme.palette[line.role];
  return pal[sameRole % pal.length];
}

export class JobCharts {
  private readonly charts = new Map<string, { chart: Chart<'line'>; data: ChartData; empty: HTMLElement }>();
  private theme = readTheme();

  constructor(private readonly container: HTMLElement) {
    // The workbench swaps body classes (vscode-light / vscode-dark / vscode-high-contrast) on theme change.
    new MutationObserver(() => this.retheme()).observe(document.body, {
      attributes: true,
      attributeFilter: ['class'],
    });
  }

  update(all: ChartData[]): void {
    for (const data of all) {
      const existing = this.charts.get(data.id);
      if (existing) {
        existing.data = data;
        this.apply(existing.chart, data);
        existing.empty.hidden = hasPoints(data);
        existing.chart.update('none');
      } else {
        this.create(data);
      }
    }
  }

  private create(data: ChartData): void {
    const card = document.createElement('section');
    card.className = 'chart-card';
    card.dataset.chart = data.id;
    const h = document.createElement('h3');
    h.textContent = data.title;
    const wrap = document.createElement('div');
    wrap.className = 'chart-canvas';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', data.title);
    const empty = document.createElement('div');
    empty.className = 'chart-empty';
    empty.textContent = 'No metrics yet — they appear once training reports its first step.';
    empty.hidden = hasPoints(data);
    wrap.append(canvas, empty);
    card.append(h, wrap);
    this.container.append(card);
    const config: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 2 } },
          tooltip: { callbacks: { title: (items) => (items.length ? `step ${items[0].parsed.x}` : '') } },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { precision: 0 } },
          y: { type: 'linear', title: { display: true, text: data.yLabel } },
        },
      },
    };
    const chart = new Chart(canvas, config);
    this.charts.set(data.id, { chart, data, empty });
    this.apply(chart, data);
    chart.update('none');
  }

  private apply(chart: Chart<'line'>, data: ChartData): void {
    const t = this.theme;
    chart.data.datasets = data.lines.map((line, i) => {
      const colour = colourFor(t, data.lines, i);
      return {
        label: line.label,
        data: line.points.map(([x, y]) => ({ x, y })),
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        borderDash: line.role === 'valid' && data.id !== 'reward' ? [6, 3] : undefined,
        pointRadius: line.points.length > 60 ? 0 : 2.5,
        pointHoverRadius: 4,
        spanGaps: true,
        tension: 0.2,
      };
    });
    const o = chart.options;
    o.color = t.fg;
    o.font = { family: t.font };
    const scales = o.scales as Record<
      'x' | 'y',
      { grid?: object; ticks?: object; title?: object; min?: number; max?: number; border?: object }
    >;
    for (const axis of ['x', 'y'] as const) {
      const s = scales[axis];
      s.grid = { color: t.grid };
      s.border = { color: t.grid };
      s.ticks = { ...(s.ticks ?? {}), color: t.muted };
      s.title = { ...(s.title ?? {}), color: t.muted };
    }
    scales.y.min = data.yMin;
    scales.y.max = data.yMax;
    scales.x.min = 0;
    scales.x.max = data.xMax;
  }

  private retheme(): void {
    this.theme = readTheme();
    for (const { chart, data } of this.charts.values()) {
      this.apply(chart, data);
      chart.update('none');
    }
  }
}

function hasPoints(data: ChartData): boolean {
  return data.lines.some((l) => l.points.length > 0);
}
