/**
 * A list that keeps only the rows on screen in the DOM (plus a margin), so a dataset of thousands
 * of episodes scrolls as smoothly as one of ten. Rows have a fixed height.
 */
import { h } from "./dom.js";
import { visibleRange } from "./virtual_window.js";

export class VirtualList<T> {
  readonly el: HTMLElement;
  private readonly spacer = h("div.vlist-spacer");
  private items: readonly T[] = [];
  private frame = 0;
  selected = -1;

  constructor(
    private readonly rowPx: number,
    private readonly renderRow: (item: T, index: number, selected: boolean) => HTMLElement,
  ) {
    this.el = h("div.vlist", { tabIndex: 0 }, this.spacer);
    this.el.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    this.selected = Math.min(this.selected, items.length - 1);
    this.spacer.style.height = `${items.length * this.rowPx}px`;
    this.draw();
  }

  get length(): number {
    return this.items.length;
  }

  item(index: number): T | undefined {
    return this.items[index];
  }

  select(index: number): void {
    if (this.items.length === 0) return;
    this.selected = Math.max(0, Math.min(this.items.length - 1, index));
    const top = this.selected * this.rowPx;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + this.rowPx > this.el.scrollTop + this.el.clientHeight)
      this.el.scrollTop = top + this.rowPx - this.el.clientHeight;
    this.draw();
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    const { start, end } = visibleRange(
      this.el.scrollTop,
      this.el.clientHeight || 600,
      this.rowPx,
      this.items.length,
    );
    const rows: HTMLElement[] = [];
    for (let i = start; i < end; i++) {
      const row = this.renderRow(this.items[i]!, i, i === this.selected);
      row.style.position = "absolute";
      row.style.top = `${i * this.rowPx}px`;
      row.style.height = `${this.rowPx}px`;
      row.style.left = "0";
      row.style.right = "0";
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }
}
