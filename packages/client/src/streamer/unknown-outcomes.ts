/**
 * The end of a failing stream: the batches whose outcome is unknown (an attempt left, no answer came) are made
 * certain by sealing their partitions. One seal per partition (the sink's, bounded) answers the highest batch
 * number of the run the partition applied and stops the partition from applying any more of it: a batch at or
 * below that number applied (its items are not failed), one above it did not and never will (failed). When a
 * partition cannot be sealed, its batches are failed and in doubt, but for those below a batch of the same
 * partition that was acknowledged: a node applies a partition's batches in their order, so those applied. It
 * does not decide when the stream ends.
 */
import type { Logger } from '@datastreamer/protocol';
import type { FailedItems } from './failed-items.js';
import type { StreamBatch } from './stream-batch.js';

/** Batches of unknown outcome, by partition. */
export class UnknownOutcomes<T, Entry> {
  readonly #byPartition = new Map<number, StreamBatch<T, Entry>[]>();

  get size(): number {
    return this.#byPartition.size;
  }

  add(partition: number, batch: StreamBatch<T, Entry>): void {
    const list = this.#byPartition.get(partition);
    if (list === undefined) this.#byPartition.set(partition, [batch]);
    else list.push(batch);
  }

  /**
   * Seals every partition (`seal` resolves with the highest batch number it applied) and sorts each batch into
   * applied or `failed` (in doubt when its partition's seal failed and no later batch of the partition was
   * acknowledged, `ackedUpTo` saying the highest that was; `inDoubt` is told of each such batch). Resolves
   * with the items found applied.
   */
  async settle(
    seal: (partition: number) => Promise<number>,
    failed: FailedItems<T>,
    logger: Logger,
    ackedUpTo: (partition: number) => number,
    inDoubt?: (partition: number, batch: StreamBatch<T, Entry>) => void,
  ): Promise<number> {
    let applied = 0;
    await Promise.all(
      [...this.#byPartition].map(async ([partition, batches]) => {
        let appliedSeq: number;
        try {
          appliedSeq = await seal(partition);
        } catch (error) {
          logger.warn(
            { partition, batches: batches.length, err: error },
            'the partition could not be sealed: its batches are in doubt',
          );
          const acked = ackedUpTo(partition);
          for (const batch of batches) {
            if (batch.batchSeq < acked) {
              applied += batch.size;
            } else {
              failed.addBatch(batch, true);
              inDoubt?.(partition, batch);
            }
          }
          return;
        }
        for (const batch of batches) {
          if (batch.batchSeq <= appliedSeq) applied += batch.size;
          else failed.addBatch(batch);
        }
      }),
    );
    this.#byPartition.clear();
    return applied;
  }
}
