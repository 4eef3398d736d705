// A fixed-row-height virtual list: only the rows in (and just around) the viewport are in the DOM, so a job with
// tens of thousands of events scrolls as smoothly as one with ten.

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
  ) {
    this.viewport = document.createElement('div');
    this.viewport.className = 'vlist';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'log');
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
      empty.textContent = 'No events yet.';
      nodes.push(empty);
    }
    this.window.replaceChildren(...nodes);
  }
}
