/**
 * Collects the items of a failing stream that were not applied, from wherever they were (the open buffers,
 * queued pages, a failed batch, the source reader's hands), and returns them in source order. Used only on
 * failure, so it favours plainness over speed.
 */
import type { StreamPage } from './stream-page.js';

export class FailedItems<T> {
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(item: T, seq: number): void {
    this.#items.push(item);
    this.#seqs.push(seq);
  }

  addPage(page: StreamPage<T, unknown>): void {
    for (let i = 0; i < page.size; i++) {
      this.add(page.items[i] as T, page.seqs[i] as number);
    }
  }

  /** The collected items, sorted by their position in the source. */
  inSourceOrder(): T[] {
    const seqs = this.#seqs;
    const order = seqs.map((_, index) => index).sort((a, b) => (seqs[a] as number) - (seqs[b] as number));
    return order.map((index) => this.#items[index] as T);
  }
}
