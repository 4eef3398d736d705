// The statistics panel of the preview: figures, tables and chart.js charts themed from the workbench colours
// (re-themed when the theme changes). Line numbers link back to the rows.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { chartColors, el } from '../lib/dom';
import type { DatasetStats, PairStats } from '../../src/shared/datasetStats';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  DoughnutController,
  ArcElement,
);

const KIND_LABEL: Record<string, string> = {
  rft: 'RFT',
  sft: 'SFT',
  dpo: 'DPO',
  'eval-item': 'eval items',
  'bare-record': 'records',
  unknown: 'unknown',
  'invalid-json': 'invalid JSON',
  blank: 'blank',
};

export function isPair(s: DatasetStats | PairStats): s is PairStats {
  return 'train' in s && 'valid' in s;
}

const nf = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export class StatsPanel {
  private charts: Chart[] = [];
  private configs: (() => ChartConfiguration)[] = [];

  constructor(
    private readonly host: HTMLElement,
    private readonly onLine: (line0: number) => void,
  ) {
    new MutationObserver(() => this.retheme()).observe(document.body, {
      attributes: true,
      attributeFilter: ['class'],
    });
  }

  private retheme(): void {
    for (const [i, c] of this.charts.entries()) {
      const cfg = this.configs[i]();
      c.options = cfg.options ?? {};
      c.data = cfg.data;
      c.update('none');
    }
  }

  clear(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.configs = [];
    this.host.replaceChildren();
  }

  private lineLinks(lines: number[], total?: number): HTMLElement {
    const box = el('div', { class: 'line-list' });
    for (const l of lines.slice(0, 60)) {
      const a = el('button', { class: 'line-link', title: `Show line ${l} in the table` }, [`${nf(l)}`]);
      a.addEventListener('click', () => this.onLine(l - 1));
      box.append(a);
    }
    const more = (total ?? lines.length) - Math.min(60, lines.length);
    if (more > 0) box.append(el('span', { class: 'muted' }, [`and ${nf(more)} more`]));
    return box;
  }

  private chart(box: HTMLElement, make: () => ChartConfiguration): void {
    const canvas = el('canvas', { role: 'img' });
    box.append(canvas);
    this.charts.push(new Chart(canvas, make()));
    this.configs.push(make);
  }

  private baseOptions(horizontal = false, legend = false) {
    const c = chartColors();
    const font = {
      family: getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif',
    };
    const axis = {
      ticks: { color: c.foreground, font, precision: 0 },
      grid: { color: c.grid },
      border: { color: c.grid },
    };
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      indexAxis: horizontal ? ('y' as const) : ('x' as const),
      plugins: {
        legend: { display: legend, labels: { color: c.foreground, font } },
        tooltip: { enabled: true },
      },
      scales: { x: { ...axis, beginAtZero: true }, y: { ...axis, beginAtZero: true } },
    };
  }

  private card(title: string, iconName: string, wide = false): HTMLElement {
    const card = el('section', { class: `card${wide ? ' wide' : ''}` }, [
      el('h2', {}, [el('span', { class: `codicon codicon-${iconName}`, 'aria-hidden': 'true' }), title]),
    ]);
    return card;
  }

  private figures(items: [string, string][]): HTMLElement {
    return el(
      'div',
      { class: 'figures' },
      items.map(([label, value]) =>
        el('div', { class: 'figure' }, [
          el('div', { class: 'value' }, [value]),
          el('div', { class: 'label' }, [label]),
        ]),
      ),
    );
  }

  private table(head: string[], rows: (string | Node)[][], numeric: boolean[] = []): HTMLElement {
    return el('table', { class: 'data' }, [
      el('thead', {}, [
        el(
          'tr',
          {},
          head.map((h, i) => el('th', { class: numeric[i] ? 'num' : undefined }, [h])),
        ),
      ]),
      el(
        'tbody',
        {},
        rows.map((r) =>
          el(
            'tr',
            {},
            r.map((c, i) => el('td', { class: numeric[i] ? 'num' : undefined }, [c])),
          ),
        ),
      ),
    ]);
  }

  render(stats: DatasetStats | PairStats): void {
    this.clear();
    const grid = el('div', { class: 'stats-grid' });
    if (isPair(stats)) {
      this.renderPair(grid, stats);
      this.renderOne(grid, stats.train, 'Training file');
      this.renderValidationSummary(grid, stats.valid);
    } else this.renderOne(grid, stats);
    this.host.append(grid);
  }

  private renderPair(grid: HTMLElement, p: PairStats): void {
    const card = this.card('Training / validation', 'split-horizontal', true);
    card.append(
      this.figures([
        ['training examples', nf(p.train.examples)],
        ['validation examples', nf(p.valid.examples)],
        ['validation lines copied from training', nf(p.exactOverlap.count)],
        ['near duplicates across the files', nf(p.nearAcross.count)],
      ]),
    );
    if (p.exactOverlap.count) {
      card.append(
        el('div', { class: 'note warn' }, [
          'The same data should not be present in both files (exact copies, validation line ← training line):',
        ]),
      );
      card.append(
        this.table(
          ['validation line', 'training line'],
          p.exactOverlap.pairs.slice(0, 50).map((x) => [String(x.valid), String(x.train)]),
          [true, true],
        ),
      );
    }
    if (p.nearAcross.count) {
      card.append(el('div', { class: 'note' }, ['Near duplicates across the files:']));
      card.append(
        this.table(
          ['validation line', 'training line', 'similarity'],
          p.nearAcross.pairs.slice(0, 50).map((x) => [String(x.valid), String(x.train), nf(x.similarity, 3)]),
          [true, true, true],
        ),
      );
    }
    if (!p.exactOverlap.count && !p.nearAcross.count)
      card.append(el('div', { class: 'note ok' }, ['No overlap between the training and validation files.']));
    grid.append(card);
    if (p.labels && p.labels.rows.length) {
      const labels = p.labels;
      const lc = this.card(`Labels side by side: ${labels.field}`, 'list-ordered', true);
      const rows = labels.rows.slice(0, 40);
      const box = el('div', { class: 'chart-box tall' });
      box.style.height = `${Math.max(160, rows.length * 22 + 60)}px`;
      lc.append(box);
      this.chart(box, () => {
        const c = chartColors();
        return {
          type: 'bar',
          data: {
            labels: rows.map((r) => r.value),
            datasets: [
              { label: 'training %', data: rows.map((r) => r.trainPct), backgroundColor: c.series[0] },
              { label: 'validation %', data: rows.map((r) => r.validPct), backgroundColor: c.series[1] },
            ],
          },
          options: this.baseOptions(true, true),
        };
      });
      if (labels.onlyInTrain.length || labels.onlyInValid.length) {
        lc.append(
          el('div', { class: 'note warn' }, [
            labels.onlyInValid.length ? `Only in validation: ${labels.onlyInValid.join(', ')}. ` : '',
            labels.onlyInTrain.length ? `Only in training: ${labels.onlyInTrain.join(', ')}.` : '',
          ]),
        );
      }
      grid.append(lc);
    }
  }

  private renderValidationSummary(grid: HTMLElement, v: DatasetStats): void {
    const card = this.card('Validation file', 'file');
    card.append(
      this.figures([
        ['examples', nf(v.examples)],
        ['format', v.fileFormat.format],
        ['tokens', nf(v.tokens.total)],
        ['exact duplicate copies', nf(v.exactDuplicates.extraCopies)],
        ['near-duplicate pairs', nf(v.nearDuplicates.total ?? v.nearDuplicates.pairs.length)],
        ['answer leaks', nf(v.leakage.total ?? v.leakage.rows.length)],
      ]),
    );
    grid.append(card);
  }

  private renderOne(grid: HTMLElement, s: DatasetStats, title = 'Overview'): void {
    const kinds = Object.entries(s.kinds).filter(([, n]) => (n ?? 0) > 0) as [string, number][];
    const overview = this.card(title, 'info');
    overview.append(
      this.figures([
        ['lines', nf(s.lines)],
        ['examples', nf(s.examples)],
        ['invalid JSON', nf(s.invalidJson.count)],
        ['blank lines', nf(s.blankLines)],
      ]),
      el('div', { class: 'note' }, [`Format: ${s.fileFormat.format} — ${s.fileFormat.reason}`]),
    );
    if (s.invalidJson.count)
      overview.append(
        el('div', { class: 'note warn' }, ['Invalid JSON on lines:']),
        this.lineLinks(s.invalidJson.lines, s.invalidJson.count),
      );
    grid.append(overview);

    const fmt = this.card('Examples per format', 'symbol-enum');
    const fbox = el('div', { class: 'chart-box small' });
    fmt.append(fbox);
    this.chart(fbox, () => {
      const c = chartColors();
      return {
        type: 'doughnut',
        data: {
          labels: kinds.map(([k]) => KIND_LABEL[k] ?? k),
          datasets: [
            {
              data: kinds.map(([, n]) => n),
              backgroundColor: kinds.map((_, i) => c.series[i % c.series.length]),
              borderColor: c.grid,
            },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { position: 'right', labels: { color: c.foreground } } },
        },
      };
    });
    grid.append(fmt);

    // Tokens.
    const tok = this.card('Tokens per example (o200k_base)', 'symbol-numeric', true);
    if (s.tokens.skipped) tok.append(el('div', { class: 'note' }, ['Token counting was skipped.']));
    else if (!s.tokens.counted)
      tok.append(el('div', { class: 'note' }, ['No example has a conversation to count.']));
    else {
      tok.append(
        this.figures([
          ['total', nf(s.tokens.total)],
          ['mean', nf(s.tokens.mean, 1)],
          ['median', nf(s.tokens.median)],
          ['p95', nf(s.tokens.p95)],
          ['max', nf(s.tokens.max)],
          [`over ${nf(s.tokens.limit)}`, nf(s.tokens.overLimit.count)],
        ]),
      );
      const hbox = el('div', { class: 'chart-box' });
      tok.append(hbox);
      const bins = s.tokens.histogram.bins;
      this.chart(hbox, () => {
        const c = chartColors();
        return {
          type: 'bar',
          data: {
            labels: bins.map((b) => (b.to - b.from === 1 ? nf(b.from) : `${nf(b.from)}–${nf(b.to - 1)}`)),
            datasets: [
              {
                label: 'examples',
                data: bins.map((b) => b.count),
                backgroundColor: bins.map((b) => (b.to - 1 > s.tokens.limit ? c.series[4] : c.series[0])),
                barPercentage: 1,
                categoryPercentage: 0.95,
              },
            ],
          },
          options: this.baseOptions(),
        };
      });
      if (s.tokens.overLimit.count)
        tok.append(
          el('div', { class: 'note warn' }, [
            `Examples over the limit (${nf(s.tokens.limit)} tokens, setting rftStudio.stats.tokenLimit):`,
          ]),
          this.lineLinks(s.tokens.overLimit.lines, s.tokens.overLimit.count),
        );
    }
    grid.append(tok);

    // Role sequences.
    const rs = this.card('Role sequences', 'comment-discussion');
    if (!s.roleSequences.length) rs.append(el('div', { class: 'note' }, ['No conversations in this file.']));
    else {
      const top = s.roleSequences.slice(0, 12);
      const rbox = el('div', { class: 'chart-box' });
      rbox.style.height = `${Math.max(120, top.length * 26 + 40)}px`;
      rs.append(rbox);
      this.chart(rbox, () => {
        const c = chartColors();
        return {
          type: 'bar',
          data: {
            labels: top.map((r) => r.sequence.replace(/>/g, ' › ')),
            datasets: [{ label: 'examples', data: top.map((r) => r.count), backgroundColor: c.series[3] }],
          },
          options: this.baseOptions(true),
        };
      });
      if (s.roleSequences.length > top.length)
        rs.append(el('div', { class: 'note' }, [`${s.roleSequences.length - top.length} more sequences.`]));
    }
    grid.append(rs);

    // Fields.
    const fields = this.card('Item fields', 'symbol-field');
    if (!s.fields.length)
      fields.append(el('div', { class: 'note' }, ['No item fields (only messages/tools).']));
    else
      fields.append(
        this.table(
          ['field', 'present', '%', 'JSON types', 'distinct'],
          s.fields.map((f) => [
            f.name,
            nf(f.present),
            nf(f.presencePct, 1),
            Object.entries(f.types)
              .map(([t, n]) => `${t} ${nf(n ?? 0)}`)
              .join(', '),
            f.distinct === undefined ? '> 1,000' : nf(f.distinct),
          ]),
          [false, true, true, false, true],
        ),
      );
    grid.append(fields);

    // Distribution.
    if (s.distribution) {
      const d = s.distribution;
      const dc = this.card(`Values of ${d.field}${d.auto ? ' (picked automatically)' : ''}`, 'graph', true);
      dc.append(
        this.figures([
          ['rows with the field', nf(d.rowsWithField)],
          ['rows without', nf(d.rowsWithoutField)],
          [d.arrayRows ? 'labels counted (multi-label)' : 'values counted', nf(d.elements)],
          ['distinct', d.distinct < 0 ? '> 1,000' : nf(d.distinct)],
        ]),
      );
      const top = d.values.slice(0, 40);
      if (top.length) {
        const dbox = el('div', { class: 'chart-box tall' });
        dbox.style.height = `${Math.max(140, top.length * 22 + 40)}px`;
        dc.append(dbox);
        this.chart(dbox, () => {
          const c = chartColors();
          return {
            type: 'bar',
            data: {
              labels: top.map((v) => (v.value.length > 60 ? `${v.value.slice(0, 59)}…` : v.value)),
              datasets: [{ label: 'count', data: top.map((v) => v.count), backgroundColor: c.series[2] }],
            },
            options: this.baseOptions(true),
          };
        });
      }
      if (d.values.length > top.length || d.otherCount)
        dc.append(
          el('div', { class: 'note' }, [
            `${nf(d.values.length - top.length)} more values shown in the CLI report; ${nf(d.otherCount)} counted as other.`,
          ]),
        );
      grid.append(dc);
    }

    // Duplicates.
    const dup = this.card('Duplicates', 'files');
    dup.append(
      this.figures([
        ['exact duplicate copies', nf(s.exactDuplicates.extraCopies)],
        ['near-duplicate pairs', nf(s.nearDuplicates.total ?? s.nearDuplicates.pairs.length)],
      ]),
    );
    if (s.exactDuplicates.groups.length) {
      dup.append(el('div', { class: 'note warn' }, ['Exact duplicates (same JSON), by group:']));
      for (const g of s.exactDuplicates.groups.slice(0, 20)) dup.append(this.lineLinks(g));
    }
    if (s.nearDuplicates.clusters.length) {
      dup.append(
        el('div', { class: 'note warn' }, [
          `Near duplicates (similarity ≥ ${s.nearDuplicates.threshold}), by cluster:`,
        ]),
      );
      for (const g of s.nearDuplicates.clusters.slice(0, 20)) dup.append(this.lineLinks(g));
    }
    if (!s.exactDuplicates.groups.length && !s.nearDuplicates.clusters.length)
      dup.append(el('div', { class: 'note ok' }, ['No duplicates.']));
    dup.append(el('div', { class: 'note' }, [s.nearDuplicates.definition]));
    if (s.nearDuplicates.notCompared)
      dup.append(
        el('div', { class: 'note warn' }, [
          `Near duplicates were looked for in the first ${nf(s.nearDuplicates.compared)} examples only (memory bound).`,
        ]),
      );
    if (s.nearDuplicates.bounded)
      dup.append(
        el('div', { class: 'note warn' }, [`Near-duplicate search bounded: ${s.nearDuplicates.bounded}.`]),
      );
    grid.append(dup);

    // Leakage.
    const leak = this.card('Answer leakage', 'eye');
    const leaks = s.leakage.total ?? s.leakage.rows.length;
    if (!s.leakage.fieldsChecked.length)
      leak.append(
        el('div', { class: 'note' }, ['No reference-answer field (answer, label, reference…) to check.']),
      );
    else {
      leak.append(
        el('div', { class: 'note' }, [
          `Reference answers in ${s.leakage.fieldsChecked.join(', ')} that appear verbatim (as whole words) in the user messages.`,
        ]),
      );
      if (!leaks)
        leak.append(el('div', { class: 'note ok' }, ['No reference answer appears in its prompt.']));
      else
        leak.append(
          this.figures([['examples with a leaked answer', nf(leaks)]]),
          this.table(
            ['line', 'field', 'answer'],
            s.leakage.rows.slice(0, 50).map((r) => {
              const a = el('button', { class: 'line-link' }, [nf(r.line)]);
              a.addEventListener('click', () => this.onLine(r.line - 1));
              return [a, r.field, r.value];
            }),
          ),
        );
    }
    grid.append(leak);

    // Cost.
    const cost = this.card('Cost estimate', 'credit-card');
    cost.append(el('div', { class: 'note' }, [s.cost.note]));
    if (s.cost.rows.length) {
      cost.append(
        this.figures([
          ['tokens per epoch', nf(s.cost.tokensPerEpoch)],
          ['epochs', nf(s.cost.epochs)],
          ['billed tokens', nf(s.cost.billedTokens)],
        ]),
        this.table(
          ['model', 'estimated USD'],
          s.cost.rows.map((r) => [r.model, `$${nf(r.usd, 2)}`]),
          [false, true],
        ),
      );
    }
    cost.append(
      el('div', { class: 'note' }, [`Prices as of ${s.cost.prices.asOf}; source: ${s.cost.prices.source}.`]),
    );
    grid.append(cost);
  }
}
