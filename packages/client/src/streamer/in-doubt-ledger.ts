/**
 * What a client remembers of the items a failed stream left in doubt, so that resuming them is exact. An item
 * is in doubt when its batch was sent and its partition could not be sealed: it may have applied, or may still
 * apply by an attempt held in the network. Resending it blindly would apply it again after whatever applied
 * after it (the key would show an older value until the resume's later items land).
 *
 * The ledger keeps, per scope (a table) and producer, the partitions left in doubt and the epoch of the run
 * that left them, and for each item in doubt (an object: items are matched by identity) the batch it was in.
 * A later run of the same producer in the same scope first seals each such partition for the old epoch
 * (after which nothing more of that run applies there), learns the highest batch that applied, and drops the
 * resent items of the batches up to it: they applied once, and the resume does not write them again. See
 * data-streamer.ts (`#resolveInDoubt`, `#take`).
 *
 * Items that are not objects (numbers, strings) cannot be remembered, and a resume through another client
 * knows nothing of them: those are resent as they are. It holds no item strongly (a `WeakMap`), and nothing
 * of a partition once a resume resolved it.
 */

/** The batch an item in doubt was in. */
export interface InDoubtOrigin {
  readonly scope: string;
  readonly producerId: string;
  readonly epoch: number;
  readonly partition: number;
  readonly batchSeq: number;
}

/** A partition left in doubt by the run of `epoch`. */
export interface InDoubtPartition {
  readonly epoch: number;
  readonly partition: number;
}

/** A sink's place in a client's ledger: the ledger and the scope (its table) it records under. */
export interface InDoubtScope {
  readonly ledger: InDoubtLedger;
  readonly scope: string;
}

export class InDoubtLedger {
  readonly #origins = new WeakMap<object, InDoubtOrigin>();
  /** Per `scope` + producer: the partitions in doubt, keyed `epoch:partition`. */
  readonly #pending = new Map<string, Map<string, InDoubtPartition>>();

  /** Records the items of batch `batchSeq` of `partition`, sent by the run of `epoch`, as in doubt. */
  record(
    scope: string,
    producerId: string,
    epoch: number,
    partition: number,
    batchSeq: number,
    items: readonly unknown[],
  ): void {
    const key = producerKey(scope, producerId);
    let partitions = this.#pending.get(key);
    if (partitions === undefined) {
      partitions = new Map();
      this.#pending.set(key, partitions);
    }
    partitions.set(`${epoch}:${partition}`, { epoch, partition });
    const origin: InDoubtOrigin = { scope, producerId, epoch, partition, batchSeq };
    for (const item of items) {
      if ((typeof item === 'object' && item !== null) || typeof item === 'function') {
        this.#origins.set(item, origin);
      }
    }
  }

  /** The partitions runs of `producerId` older than `epoch` left in doubt in `scope`, oldest run first. */
  pending(scope: string, producerId: string, epoch: number): InDoubtPartition[] {
    const partitions = this.#pending.get(producerKey(scope, producerId));
    if (partitions === undefined) return [];
    return [...partitions.values()]
      .filter((p) => p.epoch < epoch)
      .sort((a, b) => a.epoch - b.epoch || a.partition - b.partition);
  }

  /** A resume resolved `partition` of the run of `epoch` (its seal answered): nothing of it is in doubt now. */
  resolved(scope: string, producerId: string, { epoch, partition }: InDoubtPartition): void {
    const key = producerKey(scope, producerId);
    const partitions = this.#pending.get(key);
    partitions?.delete(`${epoch}:${partition}`);
    if (partitions?.size === 0) this.#pending.delete(key);
  }

  /** The batch `item` was in when a run left it in doubt, if it was. */
  origin(item: unknown): InDoubtOrigin | undefined {
    return (typeof item === 'object' && item !== null) || typeof item === 'function'
      ? this.#origins.get(item)
      : undefined;
  }
}

function producerKey(scope: string, producerId: string): string {
  return `${scope}\u0000${producerId}`;
}
