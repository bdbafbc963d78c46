/**
 * The partitions this node holds, one `PartitionReplica` each: its MVCC store and whether it serves writes.
 * A node holds a replica only for a partition it owns (created when it becomes the owner of a new table's
 * partition, installed when a partition is handed to it) or is handing over (`MOVING`, the fence: no write
 * is applied while it is set). The table is the simulated disk's index: it survives a crash together with the
 * stores' committed versions and each replica's producer fence (producer-fence.ts).
 *
 * It does not decide ownership (the control plane's placement does) nor create stores (the node does, with
 * its watermark source and apply hook).
 */
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import { ProducerFence } from './producer-fence.js';

/** Lifecycle of a replica. */
export const ReplicaStates = {
  /** Owned and serving: writes are applied here. */
  SERVING: 'SERVING',
  /** Fenced while its committed state is handed to a new owner: writes are refused (retryable). */
  MOVING: 'MOVING',
} as const;

export type ReplicaState = (typeof ReplicaStates)[keyof typeof ReplicaStates];

/** A receiver batch being run on a replica: which attempt, and its outcome once it settles. */
export interface RunningBatch {
  readonly epoch: number;
  readonly batchSeq: number;
  /** A transactional run commits with its fence check: a seal need not wait for it. */
  readonly transactional: boolean;
  /** Settles when the run ends (never rejects: the run's own caller sees its error). */
  readonly done: Promise<void>;
}

/** One partition held by this node. */
export class PartitionReplica {
  readonly tableId: number;
  readonly partition: number;
  readonly store: MvccPartitionStore;
  /** What each producer's batches did here: partition state, kept and handed over like `store`. */
  readonly fence: ProducerFence;
  /**
   * Receiver batches running here now, by producer id: a duplicate attempt waits for the run in progress
   * instead of running the receiver again, and a seal waits for it to finish. Not durable (a crash ends the
   * runs too).
   */
  readonly running = new Map<string, RunningBatch>();
  state: ReplicaState = ReplicaStates.SERVING;

  /** @param fence the partition's producer fence; default an empty one (a new partition). */
  constructor(tableId: number, partition: number, store: MvccPartitionStore, fence = new ProducerFence()) {
    this.tableId = tableId;
    this.partition = partition;
    this.store = store;
    this.fence = fence;
  }
}

export class PartitionTable {
  readonly #tables = new Map<number, Map<number, PartitionReplica>>();

  /** The replica of a partition, if this node holds it. */
  get(tableId: number, partition: number): PartitionReplica | undefined {
    return this.#tables.get(tableId)?.get(partition);
  }

  /** Adds `replica`, replacing any replica of the same partition. */
  set(replica: PartitionReplica): void {
    let table = this.#tables.get(replica.tableId);
    if (table === undefined) {
      table = new Map();
      this.#tables.set(replica.tableId, table);
    }
    table.set(replica.partition, replica);
  }

  /** Drops the replica of a partition; returns it, if there was one. */
  delete(tableId: number, partition: number): PartitionReplica | undefined {
    const table = this.#tables.get(tableId);
    const replica = table?.get(partition);
    if (table !== undefined && replica !== undefined) {
      table.delete(partition);
      if (table.size === 0) this.#tables.delete(tableId);
    }
    return replica;
  }

  /** Every replica, by table then partition in insertion order. */
  *replicas(): IterableIterator<PartitionReplica> {
    for (const table of this.#tables.values()) yield* table.values();
  }

  /** How many replicas the node holds. */
  get size(): number {
    let size = 0;
    for (const table of this.#tables.values()) size += table.size;
    return size;
  }
}
