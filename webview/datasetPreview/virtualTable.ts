// A virtual table: only the rows in view are in the DOM, whatever the row count (1,000,000 or more). Row i of the
// current view maps to a file line (all lines, or the matches of a filter). One row can be expanded in place; its
// detail has a fixed height and scrolls inside. Above ~8 million pixels the scrollbar is scaled so every row stays
// reachable.
import { el } from '../lib/dom';

const ROW_HEIGHT = 24;
const MAX_SCROLL_HEIGHT = 8_000_000;
const OVERSCAN = 4;

export interface VirtualTableOptions {
  /** Renders row `index` (file line `line`) into a fresh element. */
  renderRow: (index: number, line: number, selected: boolean, expanded: boolean) => HTMLElement;
  /** Renders the expanded row's detail into `host`. */
  renderDetail: (index: number, line: number, host: HTMLElement) => void;
  /** The rows now on screen (view indexes [first, last]) — fetch what is missing. */
  onVisible: (first: number, last: number) => void;
  onSelect?: (index: number, line: number) => void;
  onActivate?: (index: number, line: number) => void;
}

export class VirtualTable {
  readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private count = 0;
  private lines: Uint32Array | null = null;
  private selected = -1;
  private expanded = -1;
  private detailHeight = 0;
  private frame = 0;
  private detailHost: HTMLElement | undefined;
  private detailFor = -1;

  constructor(private readonly opts: VirtualTableOptions) {
    this.spacer = el('div', { class: 'table-spacer' });
    this.window = el('div', { class: 'table-window', role: 'rowgroup' });
    this.viewport = el(
      'div',
      { class: 'table-viewport', tabindex: 0, role: 'grid', 'aria-label': 'Dataset rows' },
      [this.spacer, this.window],
    );
    this.viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    // Delegated: rows are re-created on every render, so a click may start on one element and end on its twin.
    this.viewport.addEventListener('click', (ev) => {
      const i = this.rowIndexOf(ev);
      if (i < 0) return;
      this.selected = i;
      this.viewport.focus({ preventScroll: true });
      this.opts.onSelect?.(i, this.lineAt(i));
      this.toggleExpanded(i);
    });
    this.viewport.addEventListener('dblclick', (ev) => {
      const i = this.rowIndexOf(ev);
      if (i >= 0) this.opts.onActivate?.(i, this.lineAt(i));
    });
  }

  private rowIndexOf(ev: Event): number {
    const t = ev.target as HTMLElement | null;
    if (!t || t.closest('.line-link') || t.closest('.detail')) return -1;
    const row = t.closest<HTMLElement>('.row');
    const i = row?.dataset.index ? Number(row.dataset.index) : -1;
    return i >= 0 && i < this.count ? i : -1;
  }

  /** Sets the rows: `count` lines in file order, or the given `lines` (filter matches). */
  setRows(count: number, lines: Uint32Array | null, keepPosition = true): void {
    const selLine = this.selected >= 0 ? this.lineAt(this.selected) : -1;
    const expLine = this.expanded >= 0 ? this.lineAt(this.expanded) : -1;
    this.count = lines ? lines.length : count;
    this.lines = lines;
    if (!keepPosition) {
      this.selected = this.indexOfLine(selLine);
      this.expanded = this.indexOfLine(expLine);
      if (this.expanded < 0) this.detailFor = -1;
      this.viewport.scrollTop = 0;
      if (this.selected >= 0) this.scrollToIndex(this.selected);
    } else {
      if (this.selected >= this.count) this.selected = -1;
      if (this.expanded >= this.count) this.expanded = -1;
    }
    this.schedule();
  }

  get rowCount(): number {
    return this.count;
  }

  lineAt(index: number): number {
    return this.lines ? this.lines[index] : index;
  }

  /** View index of a file line, or -1 when it is not in the view. */
  indexOfLine(line: number): number {
    if (line < 0) return -1;
    if (!this.lines) return line < this.count ? line : -1;
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid] === line) return mid;
      if (this.lines[mid] < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get selectedLine(): number {
    return this.selected >= 0 ? this.lineAt(this.selected) : -1;
  }

  get expandedLine(): number {
    return this.expanded >= 0 ? this.lineAt(this.expanded) : -1;
  }

  select(index: number, scroll = true): void {
    if (index < 0 || index >= this.count) return;
    this.selected = index;
    if (scroll) this.scrollToIndex(index);
    this.opts.onSelect?.(index, this.lineAt(index));
    this.schedule();
  }

  toggleExpanded(index: number): void {
    this.setExpanded(this.expanded === index ? -1 : index);
  }

  setExpanded(index: number): void {
    this.expanded = index >= 0 && index < this.count ? index : -1;
    this.detailFor = -1;
    this.schedule();
  }

  /** Re-renders the rows (new data arrived). */
  refresh(): void {
    this.schedule();
  }

  /** Re-renders the detail of the expanded row. */
  refreshDetail(): void {
    this.detailFor = -1;
    this.schedule();
  }

  private rowTop(i: number): number {
    return i * ROW_HEIGHT + (this.expanded >= 0 && i > this.expanded ? this.detailHeight : 0);
  }

  private contentHeight(): number {
    return this.count * ROW_HEIGHT + (this.expanded >= 0 ? this.detailHeight : 0);
  }

  private scale(): number {
    const h = this.contentHeight();
    const vh = this.viewport.clientHeight;
    return h > MAX_SCROLL_HEIGHT ? (MAX_SCROLL_HEIGHT - vh) / Math.max(1, h - vh) : 1;
  }

  scrollToIndex(index: number): void {
    const vh = this.viewport.clientHeight;
    const s = this.scale();
    const top = this.rowTop(index);
    const bottom = top + ROW_HEIGHT + (index === this.expanded ? this.detailHeight : 0);
    const yTop = this.viewport.scrollTop / s;
    if (top < yTop || top + ROW_HEIGHT > yTop + vh) {
      const target =
        index === this.expanded && bottom - top < vh
          ? top - Math.max(0, (vh - (bottom - top)) / 2)
          : top - vh / 3;
      this.viewport.scrollTop = Math.max(0, target) * s;
    }
  }

  private firstRowAt(y: number): number {
    const e = this.expanded;
    let i: number;
    if (e < 0 || y < (e + 1) * ROW_HEIGHT) i = Math.floor(y / ROW_HEIGHT);
    else if (y < (e + 1) * ROW_HEIGHT + this.detailHeight) i = e;
    else i = Math.floor((y - this.detailHeight) / ROW_HEIGHT);
    return Math.max(0, Math.min(this.count - 1, i));
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const vh = this.viewport.clientHeight;
    this.detailHeight = Math.max(200, Math.min(520, Math.round(vh * 0.7)));
    const s = this.scale();
    this.spacer.style.height = `${Math.ceil(this.contentHeight() * s)}px`;
    if (this.count === 0) {
      this.window.replaceChildren();
      return;
    }
    const scrollTop = this.viewport.scrollTop;
    const y = scrollTop / s;
    const first = Math.max(0, this.firstRowAt(y) - (s === 1 ? OVERSCAN : 0));
    const offset = scrollTop - (y - this.rowTop(first));
    this.window.style.transform = `translateY(${Math.max(0, Math.round(offset))}px)`;
    const children: HTMLElement[] = [];
    let used = 0;
    let i = first;
    const budget = vh + ROW_HEIGHT * (OVERSCAN * 2 + 1);
    for (; i < this.count && used < budget; i++) {
      const line = this.lineAt(i);
      const row = this.opts.renderRow(i, line, i === this.selected, i === this.expanded);
      row.setAttribute('aria-rowindex', String(i + 1));
      row.dataset.index = String(i);
      children.push(row);
      used += ROW_HEIGHT;
      if (i === this.expanded) {
        if (!this.detailHost || this.detailFor !== i) {
          this.detailHost = el('div', { class: 'detail', role: 'region', 'aria-label': `Line ${line + 1}` });
          this.detailFor = i;
          this.opts.renderDetail(i, line, this.detailHost);
        }
        this.detailHost.style.height = `${this.detailHeight}px`;
        children.push(this.detailHost);
        used += this.detailHeight;
      }
    }
    // Re-inserting the detail would reset its inner scroll position: keep it.
    const detailScroll = this.detailHost?.scrollTop ?? 0;
    this.window.replaceChildren(...children);
    if (this.detailHost && this.detailHost.isConnected) this.detailHost.scrollTop = detailScroll;
    this.opts.onVisible(first, i - 1);
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const cur = this.selected < 0 ? -1 : this.selected;
    const go = (i: number) => {
      e.preventDefault();
      this.select(Math.max(0, Math.min(this.count - 1, i)));
    };
    switch (e.key) {
      case 'ArrowDown':
        return go(cur + 1);
      case 'ArrowUp':
        return go(cur - 1);
      case 'PageDown':
        return go(cur + page);
      case 'PageUp':
        return go(cur - page);
      case 'Home':
        return go(0);
      case 'End':
        return go(this.count - 1);
      case 'Enter':
      case ' ':
        if (cur >= 0) {
          e.preventDefault();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.opts.onActivate?.(cur, this.lineAt(cur));
          else this.toggleExpanded(cur);
        }
        return;
    }
  }
}
