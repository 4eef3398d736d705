// Dataset preview webview: toolbar (search, filters), the virtual table of rows fetched from the host on demand,
// the expanded-row conversation, and the statistics panel. State survives reloads through getState/setState.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import './main.css';
import { HostChannel } from '../lib/vscodeApi';
import { el } from '../lib/dom';
import type {
  DatasetPreviewProtocol,
  HostToPreview,
  PreviewQuery,
  ProblemSeverity,
  RowDetailReply,
  RowKindName,
  RowView,
} from '../../src/shared/datasetPreviewProtocol';
import { MAX_ROWS_PER_REQUEST } from '../../src/shared/datasetPreviewProtocol';
import type { DatasetStats, PairStats } from '../../src/shared/datasetStats';
import { VirtualTable } from './virtualTable';
import { renderDetail } from './conversation';
import { StatsPanel } from './statsPanel';

interface State {
  query: PreviewQuery;
  view: 'rows' | 'stats';
  selectedLine: number;
  expandedLine: number;
  statsField: string;
}

const KIND_LABEL: Record<RowKindName, string> = {
  rft: 'RFT',
  sft: 'SFT',
  dpo: 'DPO',
  'eval-item': 'eval item',
  'bare-record': 'record',
  unknown: 'unknown',
  'invalid-json': 'invalid',
  blank: 'blank',
};

const EMPTY_QUERY: PreviewQuery = { text: '', kinds: [], field: '', hasProblems: false };
const CACHE_LIMIT = 20_000;

const nf = (n: number) => n.toLocaleString('en-US');
function bytesText(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MB`;
  return `${(b / 1024 ** 3).toFixed(2)} GB`;
}

class App {
  private readonly channel: HostChannel<DatasetPreviewProtocol, State>;
  private state: State;
  private readonly cache = new Map<number, RowView>();
  private readonly pending = new Set<number>();
  private readonly details = new Map<number, RowDetailReply>();
  private problems = new Map<number, ProblemSeverity>();
  private problemTotal = 0;
  private indexedLines = 0;
  private indexDone = false;
  private indexMs = 0;
  private totalBytes = 0;
  private tokenLimit = 0;
  private bytesRead = 0;
  private indexError = '';
  private filterLines: Uint32Array | null = null;
  private filterSeq = 0;
  private filtering = false;
  private filterError = '';
  private progressText = '';
  private validationName = '';
  private stats: DatasetStats | PairStats | undefined;
  private statsRunning = false;
  private pendingReveal = -1;

  private readonly table: VirtualTable;
  private readonly statsPanel: StatsPanel;
  private readonly titleEl = el('span', { class: 'title' });
  private readonly statusEl = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly rowsView: HTMLElement;
  private readonly statsView: HTMLElement;
  private readonly statsBody = el('div');
  private readonly statsStatus = el('span', { class: 'muted' });
  private readonly search: HTMLInputElement;
  private readonly kindSelect: HTMLSelectElement;
  private readonly fieldInput: HTMLInputElement;
  private readonly problemsBox: HTMLInputElement;
  private readonly rowsButton: HTMLElement;
  private readonly statsButton: HTMLElement;
  private readonly statsFieldInput: HTMLInputElement;
  private readonly validationLabel = el('span', { class: 'muted' });

  constructor(root: HTMLElement) {
    this.channel = new HostChannel<DatasetPreviewProtocol, State>((m) => this.onMessage(m));
    const saved = this.channel.state;
    this.state = {
      query: saved?.query ?? { ...EMPTY_QUERY },
      view: saved?.view ?? 'rows',
      selectedLine: saved?.selectedLine ?? -1,
      expandedLine: saved?.expandedLine ?? -1,
      statsField: saved?.statsField ?? '',
    };

    this.search = el('vscode-textfield', {
      class: 'search',
      placeholder: 'Search rows',
      'aria-label': 'Search rows',
      value: this.state.query.text,
    }) as unknown as HTMLInputElement;
    this.search.append(el('vscode-icon', { slot: 'content-before', name: 'search', title: 'search' }));
    this.kindSelect = el('vscode-single-select', { 'aria-label': 'Format filter', class: 'kind-select' }, [
      el('vscode-option', { value: '' }, ['All formats']),
      ...(Object.keys(KIND_LABEL) as RowKindName[]).map((k) =>
        el('vscode-option', { value: k }, [k === 'invalid-json' ? 'Invalid JSON' : KIND_LABEL[k]]),
      ),
    ]) as unknown as HTMLSelectElement;
    this.fieldInput = el('vscode-textfield', {
      class: 'field-filter',
      placeholder: 'field=value',
      title: 'Rows whose field holds this value (arrays: any element), e.g. reference_answer=trade',
      'aria-label': 'Field value filter',
      value: this.state.query.field,
    }) as unknown as HTMLInputElement;
    this.problemsBox = el('vscode-checkbox', {
      label: 'Problems only',
      checked: this.state.query.hasProblems,
    }) as unknown as HTMLInputElement;
    this.rowsButton = el('vscode-button', { icon: 'table', title: 'Rows' }, ['Rows']);
    this.statsButton = el('vscode-button', { icon: 'graph', title: 'Statistics' }, ['Statistics']);

    const debounced = debounce(() => this.applyFilter(), 250);
    this.search.addEventListener('input', () => debounced());
    this.fieldInput.addEventListener('input', () => debounced());
    this.kindSelect.addEventListener('change', () => this.applyFilter());
    this.problemsBox.addEventListener('change', () => this.applyFilter());
    this.rowsButton.addEventListener('click', () => this.setView('rows'));
    this.statsButton.addEventListener('click', () => this.setView('stats'));

    const toolbar = el('div', { class: 'toolbar', role: 'toolbar' }, [
      this.titleEl,
      this.search,
      this.kindSelect,
      this.fieldInput,
      this.problemsBox,
      el('span', { class: 'spacer' }),
      this.rowsButton,
      this.statsButton,
    ]);

    this.table = new VirtualTable({
      renderRow: (i, line, selected, expanded) => this.renderRow(i, line, selected, expanded),
      renderDetail: (_i, line, host) => this.fillDetail(line, host),
      onVisible: (first, last) => this.fetchVisible(first, last),
      onSelect: (_i, line) => this.save({ selectedLine: line }),
      onActivate: (_i, line) => this.channel.post({ type: 'revealInEditor', line }),
    });
    const header = el('div', { class: 'table-header', role: 'row' }, [
      el('span', {}, ['']),
      el('span', { role: 'columnheader' }, ['Line']),
      el('span', { role: 'columnheader' }, ['Format']),
      el('span', { role: 'columnheader' }, ['Roles']),
      el('span', { role: 'columnheader' }, ['Last user message']),
      el('span', { role: 'columnheader' }, ['Item fields']),
    ]);
    this.rowsView = el('div', { class: 'view rows-view' }, [header, this.table.viewport]);
    // Line numbers are links to the text editor (delegated: rows are re-created on every render).
    this.table.viewport.addEventListener('click', (e) => {
      const link = (e.target as HTMLElement).closest<HTMLElement>('.row .line-link');
      if (!link?.dataset.line) return;
      e.stopPropagation();
      this.channel.post({ type: 'revealInEditor', line: Number(link.dataset.line) });
    });

    this.statsFieldInput = el('vscode-textfield', {
      placeholder: 'distribution field (auto)',
      title: 'Field whose value distribution is shown, e.g. reference_answer or item.label',
      'aria-label': 'Distribution field',
      value: this.state.statsField,
    }) as unknown as HTMLInputElement;
    const compute = el('vscode-button', { icon: 'refresh' }, ['Compute']);
    compute.addEventListener('click', () => this.computeStats());
    this.statsFieldInput.addEventListener('change', () => this.computeStats());
    const compare = el('vscode-button', { secondary: true, icon: 'split-horizontal' }, [
      'Compare with Validation File…',
    ]);
    compare.addEventListener('click', () => void this.chooseValidation());
    this.statsPanel = new StatsPanel(this.statsBody, (line0) => this.revealLine(line0));
    this.statsView = el('div', { class: 'view stats' }, [
      el('div', { class: 'stats-controls' }, [
        this.statsFieldInput,
        compute,
        compare,
        this.validationLabel,
        this.statsStatus,
      ]),
      this.statsBody,
    ]);

    root.append(toolbar, this.statusEl, this.rowsView, this.statsView);
    this.setView(this.state.view, false);
    this.renderStatus();
    this.channel.ready();
  }

  private save(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    this.channel.state = this.state;
  }

  private setView(view: State['view'], compute = true): void {
    this.save({ view });
    this.rowsView.hidden = view !== 'rows';
    this.statsView.hidden = view !== 'stats';
    this.rowsButton.toggleAttribute('secondary', view !== 'rows');
    this.statsButton.toggleAttribute('secondary', view !== 'stats');
    if (view === 'rows') this.table.refresh();
    if (view === 'stats' && compute && !this.stats && !this.statsRunning) this.computeStats();
  }

  // ---- messages ----
  private onMessage(m: HostToPreview): void {
    switch (m.type) {
      case 'init':
        if (m.reset) this.resetData();
        // Settings changed (token limit, prices…): statistics on screen are recomputed with them.
        if (this.stats && !m.reset && this.tokenLimit && !this.statsRunning) this.computeStats();
        this.tokenLimit = m.tokenLimit;
        this.totalBytes = m.bytes;
        this.validationName = m.validationFileName ?? '';
        this.validationLabel.textContent = this.validationName ? `Validation: ${this.validationName}` : '';
        this.titleEl.textContent = m.fileName;
        this.renderStatus();
        return;
      case 'indexProgress': {
        const first = this.indexedLines === 0 && m.lines > 0;
        this.indexedLines = m.lines;
        this.indexDone = m.done;
        this.indexMs = m.ms;
        this.totalBytes = m.totalBytes;
        this.bytesRead = m.bytesRead;
        if (!this.filterLines) this.table.setRows(m.lines, null);
        if (first) this.restoreAfterLoad();
        if (m.done && this.pendingReveal >= 0) this.revealLine(this.pendingReveal);
        this.renderStatus();
        return;
      }
      case 'indexError':
        this.indexError = m.message;
        this.renderStatus();
        return;
      case 'problems':
        this.problems = new Map(m.lines.map((p) => [p.line, p.severity]));
        this.problemTotal = m.total;
        this.details.clear();
        this.table.refresh();
        this.table.refreshDetail();
        if (this.state.query.hasProblems) this.applyFilter();
        this.renderStatus();
        return;
      case 'reveal':
        this.setView('rows');
        this.revealLine(m.line);
        return;
      case 'progress':
        this.progressText =
          m.task === 'filter'
            ? `Filtering… ${nf(m.scanned)} of ${nf(m.total)} lines scanned`
            : `Computing statistics… ${nf(m.scanned)} of ${nf(m.total)} lines`;
        if (m.task === 'stats') this.statsStatus.textContent = this.progressText;
        this.renderStatus();
        return;
    }
  }

  private resetData(): void {
    this.cache.clear();
    this.pending.clear();
    this.details.clear();
    this.indexedLines = 0;
    this.indexDone = false;
    this.indexError = '';
    this.stats = undefined;
    this.statsPanel.clear();
    this.table.setRows(0, null);
    if (this.filterLines) this.applyFilter();
  }

  /** After a reload: restore filters, the selected and expanded rows. */
  private restoreAfterLoad(): void {
    this.kindSelect.value = this.state.query.kinds[0] ?? '';
    if (
      this.state.query.text ||
      this.state.query.kinds.length ||
      this.state.query.field ||
      this.state.query.hasProblems
    )
      this.applyFilter();
    const { selectedLine, expandedLine } = this.state;
    if (expandedLine >= 0) this.revealLine(expandedLine);
    else if (selectedLine >= 0) this.revealLine(selectedLine, false);
  }

  // ---- rows ----
  private renderRow(_i: number, line: number, selected: boolean, expanded: boolean): HTMLElement {
    const r = this.cache.get(line);
    const problem = this.problems.get(line) ?? r?.problem;
    const row = el('div', {
      class: `row${selected ? ' selected' : ''}${problem ? ` problem-${problem}` : ''}`,
      role: 'row',
      'aria-expanded': expanded ? 'true' : 'false',
      'data-line': line,
    });
    const chevron = el('span', { class: 'cell chevron' }, [
      el('span', { class: `codicon codicon-chevron-${expanded ? 'down' : 'right'}`, 'aria-hidden': 'true' }),
    ]);
    const link = el(
      'button',
      { class: 'line-link', title: `Reveal line ${line + 1} in the text editor`, 'data-line': line },
      [nf(line + 1)],
    );
    const lineCell = el('span', { class: 'cell line' }, [
      link,
      problem
        ? el('span', {
            class: `codicon codicon-${problem === 'info' ? 'info' : problem} problem-icon ${problem}`,
            title: `${problem} on this line`,
          })
        : null,
    ]);
    if (!r) {
      row.append(
        chevron,
        lineCell,
        el('span', { class: 'cell placeholder-cell' }, ['…']),
        el('span', { class: 'cell' }),
        el('span', { class: 'cell' }),
        el('span', { class: 'cell' }),
      );
      return row;
    }
    const roles = el('span', { class: 'cell roles', title: r.roles.join(' › ') });
    r.roles.forEach((role, k) => {
      if (k) roles.append(el('span', { class: 'sep' }, ['›']));
      roles.append(el('span', { class: 'role' }, [role]));
    });
    const preview = r.error
      ? el('span', { class: 'cell muted', title: r.error }, [r.error])
      : r.lastUser !== undefined
        ? el('span', { class: 'cell', title: r.lastUser }, [r.lastUser || '(empty)'])
        : el('span', { class: 'cell muted' }, [r.kind === 'blank' ? '' : '—']);
    const fields = el(
      'span',
      { class: 'cell', title: r.fields.map((f) => `${f.name}: ${f.preview}`).join('\n') },
      r.fields.map((f) =>
        el('span', { class: 'field-chip' }, [el('span', { class: 'name' }, [`${f.name}: `]), f.preview]),
      ),
    );
    row.append(
      chevron,
      lineCell,
      el('span', { class: 'cell' }, [
        el('span', { class: `badge kind-${r.kind}` }, [KIND_LABEL[r.kind] ?? r.kind]),
      ]),
      roles,
      preview,
      fields,
    );
    return row;
  }

  private fetchVisible(first: number, last: number): void {
    const want: number[] = [];
    const from = Math.max(0, first - 40);
    const to = Math.min(this.table.rowCount - 1, last + 40);
    for (let i = from; i <= to; i++) {
      const line = this.table.lineAt(i);
      if (!this.cache.has(line) && !this.pending.has(line)) want.push(line);
    }
    for (let k = 0; k < want.length; k += MAX_ROWS_PER_REQUEST) {
      const chunk = want.slice(k, k + MAX_ROWS_PER_REQUEST);
      for (const l of chunk) this.pending.add(l);
      this.channel
        .request('getRows', { lines: chunk })
        .then((reply) => {
          for (const r of reply.rows) this.cache.set(r.line, r);
          if (this.cache.size > CACHE_LIMIT) {
            const drop = this.cache.size - CACHE_LIMIT;
            let n = 0;
            for (const key of this.cache.keys()) {
              if (n++ >= drop) break;
              this.cache.delete(key);
            }
          }
          this.table.refresh();
        })
        .catch((e: Error) => {
          this.indexError = e.message;
          this.renderStatus();
        })
        .finally(() => {
          for (const l of chunk) this.pending.delete(l);
        });
    }
  }

  private fillDetail(line: number, host: HTMLElement): void {
    this.save({ expandedLine: line });
    const show = (d: RowDetailReply) =>
      renderDetail(host, d, {
        onRevealInEditor: (l) => this.channel.post({ type: 'revealInEditor', line: l }),
      });
    const cached = this.details.get(line);
    if (cached) return show(cached);
    host.replaceChildren(el('div', { class: 'muted' }, [el('vscode-progress-ring'), ' Loading line…']));
    this.channel
      .request('getRow', { line })
      .then((d) => {
        this.details.set(line, d);
        if (this.details.size > 50) this.details.delete(this.details.keys().next().value as number);
        if (this.table.expandedLine === line) show(d);
      })
      .catch((e: Error) => host.replaceChildren(el('div', { class: 'warn' }, [e.message])));
  }

  /** Selects and expands `line` (0-based), clearing filters that hide it. */
  private revealLine(line: number, expand = true): void {
    if (line >= this.indexedLines && !this.indexDone) {
      this.pendingReveal = line;
      return;
    }
    this.pendingReveal = -1;
    this.setView('rows', false);
    let index = this.table.indexOfLine(line);
    if (index < 0 && this.filterLines) {
      this.clearFilterControls();
      this.filterLines = null;
      this.filterSeq++;
      this.table.setRows(this.indexedLines, null);
      index = this.table.indexOfLine(line);
    }
    if (index < 0) return;
    this.table.select(index);
    if (expand) {
      this.table.setExpanded(index);
      this.save({ expandedLine: line });
    }
    this.table.scrollToIndex(index);
    this.table.viewport.focus({ preventScroll: true });
  }

  // ---- filters ----
  private currentQuery(): PreviewQuery {
    const kind = this.kindSelect.value as RowKindName | '';
    return {
      text: this.search.value ?? '',
      kinds: kind ? [kind] : [],
      field: this.fieldInput.value ?? '',
      hasProblems: !!this.problemsBox.checked,
    };
  }

  private clearFilterControls(): void {
    this.search.value = '';
    this.fieldInput.value = '';
    this.kindSelect.value = '';
    this.problemsBox.checked = false;
    this.save({ query: { ...EMPTY_QUERY } });
  }

  private applyFilter(): void {
    const query = this.currentQuery();
    this.save({ query });
    const seq = ++this.filterSeq;
    const empty = !query.text.trim() && !query.kinds.length && !query.field.trim() && !query.hasProblems;
    this.filterError = '';
    if (empty) {
      this.filterLines = null;
      this.filtering = false;
      this.table.setRows(this.indexedLines, null, false);
      this.renderStatus();
      return;
    }
    this.filtering = true;
    this.progressText = 'Filtering…';
    this.renderStatus();
    this.channel
      .request('filter', { query })
      .then((reply) => {
        if (seq !== this.filterSeq) return;
        this.filtering = false;
        this.filterLines = reply.lines ? Uint32Array.from(reply.lines) : null;
        this.table.setRows(this.indexedLines, this.filterLines, false);
        this.renderStatus();
      })
      .catch((e: Error) => {
        if (seq !== this.filterSeq || e.message === 'superseded') return;
        this.filtering = false;
        this.filterError = e.message;
        this.renderStatus();
      });
  }

  // ---- statistics ----
  private computeStats(withValidation = !!this.validationName): void {
    const field = this.statsFieldInput.value ?? '';
    this.save({ statsField: field });
    this.statsRunning = true;
    this.statsStatus.replaceChildren(el('vscode-progress-ring'), ' Computing statistics…');
    this.channel
      .request('stats', { field, withValidation })
      .then((s) => {
        this.stats = s;
        this.statsRunning = false;
        this.statsStatus.textContent = '';
        this.statsPanel.render(s);
      })
      .catch((e: Error) => {
        this.statsRunning = false;
        if (e.message === 'superseded') return;
        this.statsStatus.replaceChildren(el('span', { class: 'warn' }, [`Statistics failed: ${e.message}`]));
      });
  }

  private async chooseValidation(): Promise<void> {
    const reply = await this.channel.request('chooseValidation', {});
    if (!reply.fileName) return;
    this.validationName = reply.fileName;
    this.validationLabel.textContent = `Validation: ${reply.fileName}`;
    this.computeStats(true);
  }

  // ---- status ----
  private renderStatus(): void {
    const parts: (Node | string)[] = [];
    const busy = !this.indexDone || this.filtering;
    if (busy && !this.indexError) parts.push(el('vscode-progress-ring'));
    if (this.indexError) parts.push(el('span', { class: 'error' }, [this.indexError]));
    else if (!this.indexDone) {
      const pct = this.totalBytes ? Math.floor((100 * this.bytesRead) / this.totalBytes) : 0;
      parts.push(`Indexing… ${pct}% · ${nf(this.indexedLines)} lines so far (${bytesText(this.totalBytes)})`);
    } else {
      parts.push(
        `${nf(this.indexedLines)} lines · ${bytesText(this.totalBytes)} · indexed in ${(this.indexMs / 1000).toFixed(1)} s`,
      );
    }
    if (this.filterLines) parts.push(el('span', {}, [` · ${nf(this.filterLines.length)} matching`]));
    if (this.filtering) parts.push(el('span', {}, [` · ${this.progressText}`]));
    if (this.filterError) parts.push(el('span', { class: 'error' }, [` · ${this.filterError}`]));
    if (this.problemTotal) parts.push(el('span', {}, [` · ${nf(this.problemTotal)} line(s) with problems`]));
    this.statusEl.replaceChildren(...parts);
  }
}

function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (t) clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

new App(document.getElementById('app')!);
