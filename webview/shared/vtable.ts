/**
 * A virtualised, sortable table: only the rows in view exist in the DOM, so 10 000 rows scroll smoothly.
 * Rows are focusable; Enter/Space or a click activates one; arrow keys move between rows.
 */
import { activateOnKey, h } from './dom';

export interface Column<R> {
  key: string;
  title: string;
  /** CSS grid track, e.g. "4em" or "1fr". */
  width: string;
  value: (r: R) => number | string;
  format?: (r: R) => string;
}

const ROW_H = 22;

export class VirtualTable<R> {
  readonly element: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: R[] = [];
  private order: number[] = [];
  private sortKey: string | null = null;
  private sortDir = 1;
  private selected = -1;

  constructor(
    private readonly columns: Column<R>[],
    private readonly onActivate: (r: R) => void,
    testId?: string,
  ) {
    this.head = h('div', { class: 'vtable-head', role: 'row' });
    this.spacer = h('div');
    this.body = h('div', { class: 'vtable', role: 'grid', tabindex: -1, 'data-testid': testId }, this.spacer);
    this.element = h('div', { class: 'vtable-wrap' }, this.head, this.body);
    const tracks = columns.map((c) => c.width).join(' ');
    this.head.style.gridTemplateColumns = tracks;
    for (const c of columns) {
      const b = h('button', { role: 'columnheader', title: `Sort by ${c.title}` }, c.title);
      b.addEventListener('click', () => this.sortBy(c.key));
      this.head.append(b);
    }
    this.body.addEventListener('scroll', () => this.render());
    new ResizeObserver(() => this.render()).observe(this.body);
  }

  setRows(rows: R[]): void {
    this.rows = rows;
    this.order = rows.map((_, i) => i);
    this.applySort();
    this.render();
  }

  /** The rows in display order. */
  visibleOrder(): R[] {
    return this.order.map((i) => this.rows[i]);
  }

  sortBy(key: string): void {
    this.sortDir = this.sortKey === key ? -this.sortDir : 1;
    this.sortKey = key;
    this.applySort();
    this.render();
  }

  private applySort(): void {
    const col = this.columns.find((c) => c.key === this.sortKey);
    if (!col) return;
    const dir = this.sortDir;
    this.order.sort((a, b) => {
      const x = col.value(this.rows[a]);
      const y = col.value(this.rows[b]);
      return (x < y ? -1 : x > y ? 1 : a - b) * dir;
    });
  }

  private render(): void {
    const tracks = this.columns.map((c) => c.width).join(' ');
    this.spacer.style.height = `${this.order.length * ROW_H}px`;
    const top = this.body.scrollTop;
    const height = this.body.clientHeight || 300;
    const first = Math.max(0, Math.floor(top / ROW_H) - 5);
    const last = Math.min(this.order.length, Math.ceil((top + height) / ROW_H) + 5);
    const focusedPos = Number((document.activeElement as HTMLElement | null)?.dataset?.pos ?? -1);
    for (const el of [...this.body.querySelectorAll<HTMLElement>('.row')]) el.remove();
    for (let pos = first; pos < last; pos++) {
      const r = this.rows[this.order[pos]];
      const row = h('div', {
        class: pos === this.selected ? 'row selected' : 'row',
        role: 'row',
        tabindex: 0,
        'data-pos': pos,
        'aria-selected': String(pos === this.selected),
      });
      row.style.top = `${pos * ROW_H}px`;
      row.style.gridTemplateColumns = tracks;
      for (const c of this.columns)
        row.append(h('span', { role: 'gridcell' }, c.format ? c.format(r) : String(c.value(r))));
      row.addEventListener('click', () => this.activate(pos));
      activateOnKey(row, () => this.activate(pos));
      row.addEventListener('keydown', (ev) => this.move(ev, pos));
      this.body.append(row);
      if (pos === focusedPos) row.focus({ preventScroll: true });
    }
  }

  private activate(pos: number): void {
    this.selected = pos;
    this.render();
    this.onActivate(this.rows[this.order[pos]]);
  }

  private move(ev: KeyboardEvent, pos: number): void {
    const to = ev.key === 'ArrowDown' ? pos + 1 : ev.key === 'ArrowUp' ? pos - 1 : -1;
    if (to < 0 || to >= this.order.length) return;
    ev.preventDefault();
    const top = to * ROW_H;
    if (top < this.body.scrollTop) this.body.scrollTop = top;
    else if (top + ROW_H > this.body.scrollTop + this.body.clientHeight) {
      this.body.scrollTop = top + ROW_H - this.body.clientHeight;
    }
    this.render();
    this.body.querySelector<HTMLElement>(`.row[data-pos="${to}"]`)?.focus({ preventScroll: true });
  }
}
