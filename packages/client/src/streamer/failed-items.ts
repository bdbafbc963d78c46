/**
 * Collects the items of a failing stream that are not known to be applied, from wherever they were (the open
 * buffers, sealed batches, a failed batch, the source reader's hands), and returns them in source order. Items
 * of a batch whose outcome stayed unknown (its partition could not be sealed) are also marked in doubt. Used
 * only on failure, so it favours plainness over speed.
 */
import type { StreamBatch } from './stream-batch.js';

/** What a failed stream reports, in source order. */
export interface FailedItemsReport<T> {
  /** Every taken item not known to be applied. */
  readonly failed: T[];
  /** The subset of `failed` that may have been applied, or may still apply. */
  readonly inDoubt: T[];
}

export class FailedItems<T> {
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];
  readonly #inDoubt: boolean[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(item: T, seq: number, inDoubt = false): void {
    this.#items.push(item);
    this.#seqs.push(seq);
    this.#inDoubt.push(inDoubt);
  }

  addBatch(batch: StreamBatch<T, unknown>, inDoubt = false): void {
    for (let i = 0; i < batch.size; i++) {
      this.add(batch.items[i] as T, batch.seqs[i] as number, inDoubt);
    }
  }

  /** The collected items, and those in doubt, sorted by their position in the source. */
  inSourceOrder(): FailedItemsReport<T> {
    const seqs = this.#seqs;
    const order = seqs.map((_, index) => index).sort((a, b) => (seqs[a] as number) - (seqs[b] as number));
    const failed: T[] = [];
    const inDoubt: T[] = [];
    for (const index of order) {
      const item = this.#items[index] as T;
      failed.push(item);
      if (this.#inDoubt[index] === true) inDoubt.push(item);
    }
    return { failed, inDoubt };
  }
}
