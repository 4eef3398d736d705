// A fixed-row-height virtual list: only the rows in (and just around) the viewport are in the DOM, so a list of
// tens of thousands of rows (a job's events, an eval's items) scrolls as smoothly as one of ten.

export interface VirtualListOptions {
  /** ARIA role of the scrolling element (default `log`). */
  role?: string;
  /** What an empty list says (default "No events yet."). */
  emptyText?: string;
}

export class VirtualList<T> {
  private rows: T[] = [];
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly window: HTMLDivElement;
  private scheduled = false;

  constructor(
    container: HTMLElement,
    private readonly rowHeight: number,
    private readonly renderRow: (row: T) => HTMLElement,
    private readonly options: VirtualListOptions = {},
  ) {
    this.viewport = document.createElement('div');
    this.viewport.className = 'vlist';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', options.role ?? 'log');
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.window = document.createElement('div');
    this.window.className = 'vlist-window';
    this.spacer.append(this.window);
    this.viewport.append(this.spacer);
    container.append(this.viewport);
    this.viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.schedule();
  }

  refresh(): void {
    this.draw();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const h = this.rowHeight;
    this.spacer.style.height = `${this.rows.length * h}px`;
    const height = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / h) - 10);
    const last = Math.min(this.rows.length, Math.ceil((this.viewport.scrollTop + height) / h) + 10);
    this.window.style.transform = `translateY(${first * h}px)`;
    const nodes: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const node = this.renderRow(this.rows[i]);
      node.style.height = `${h}px`;
      nodes.push(node);
    }
    if (!this.rows.length) {
      const empty = document.createElement('p');
      empty.className = 'placeholder';
      empty.textContent = this.options.emptyText ?? 'No events yet.';
      nodes.push(empty);
    }
    this.window.replaceChildren(...nodes);
  }
}
