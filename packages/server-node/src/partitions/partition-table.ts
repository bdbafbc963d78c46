/**
 * The partitions this node holds, one `PartitionReplica` each: its MVCC store, its producer fence, and
 * whether it serves writes.
 *
 * - Unreplicated (a table with one replica): a node holds a replica only for a partition it owns (created
 *   when it becomes the owner of a new table's partition, installed when a partition is handed to it) or is
 *   handing over (`MOVING`, the fence: no write is applied while it is set). Such replicas survive a crash
 *   with the stores' committed versions and producer fences (the model of an unreplicated partition: a
 *   commit is durable at once).
 * - Replicated: a node holds a replica for every partition it is a replica of; its store and fence are its
 *   Raft group's state machine (replication/), rebuilt after a crash from the node's disk, and whether it
 *   serves is the group's to say (its lease).
 *
 * It does not decide ownership (the control plane's placement does) nor create stores (the node does, with
 * its watermark source and apply hook).
 */
import { ProducerFence } from '../fence/producer-fence.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';

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

/** Where a replica's data lives: its own store and fence, or its Raft group's state machine. */
export interface PartitionState {
  readonly store: MvccPartitionStore;
  /** What each producer's batches did here: partition state, kept and handed over like `store`. */
  readonly fence: ProducerFence;
}

/** One partition held by this node. */
export class PartitionReplica {
  readonly tableId: number;
  readonly partition: number;
  readonly #state: PartitionState;
  /** The partition's Raft group on this node; `undefined` for an unreplicated partition. */
  readonly group: PartitionGroup | undefined;
  /**
   * Receiver batches running here now, by producer id: a duplicate attempt waits for the run in progress
   * instead of running the receiver again, and a seal waits for it to finish. Not durable (a crash ends the
   * runs too).
   */
  readonly running = new Map<string, RunningBatch>();
  state: ReplicaState = ReplicaStates.SERVING;

  /** @param state the store and fence (an unreplicated partition's own, or a group's state machine). */
  constructor(tableId: number, partition: number, state: PartitionState, group?: PartitionGroup) {
    this.tableId = tableId;
    this.partition = partition;
    this.#state = state;
    this.group = group;
  }

  /** An unreplicated partition's replica over `store`, with `fence` (default an empty one: a new partition). */
  static of(tableId: number, partition: number, store: MvccPartitionStore, fence = new ProducerFence()) {
    return new PartitionReplica(tableId, partition, { store, fence });
  }

  /** A replicated partition's replica: its group's state machine. */
  static ofGroup(group: PartitionGroup): PartitionReplica {
    return new PartitionReplica(group.tableId, group.partition, group.machine, group);
  }

  get store(): MvccPartitionStore {
    return this.#state.store;
  }

  get fence(): ProducerFence {
    return this.#state.fence;
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

  /** Drops every replica `drop` says to; returns how many it dropped. */
  dropWhere(drop: (replica: PartitionReplica) => boolean): number {
    let dropped = 0;
    for (const replica of [...this.replicas()]) {
      if (!drop(replica)) continue;
      this.delete(replica.tableId, replica.partition);
      dropped++;
    }
    return dropped;
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
