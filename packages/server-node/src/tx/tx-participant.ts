/**
 * The participant side of two-phase commit: this node's share of transactions coordinated by another node
 * (TX_ROWS_GET / TX_ROWS_WRITE enlist it; TX_PREPARE, TX_COMMIT, TX_ABORT finish it), and the restart of
 * prepared participants, the coordinator's own partitions included.
 *
 * - Enlisting: the first remote read or write of a transaction on this node begins it here with the
 *   coordinator's start timestamp as its snapshot (so it reads what the coordinator's transaction reads) and
 *   moves this node's hybrid clock past it. Conflicts are the store's, as for a local transaction.
 * - A transaction this node has no record of but that began before its last restart is refused
 *   (`TX_NOT_ACTIVE`): its earlier reads and writes here may have been lost in the crash. Because the clock
 *   moved past every start timestamp it served and keeps that mark across a crash, "began before" is exact
 *   for every transaction that touched the node before.
 * - Prepare (a yes vote): the partitions must still be served here by the same stores; the intents are
 *   checked by the store, then the writes are recorded in the durable `TxLog` before the vote is answered.
 * - Restart: every prepared record is re-installed (begin, write, prepare through the store's public API)
 *   before the node serves, then resolved: from the node's own log when it coordinated the transaction, else
 *   by asking the coordinator (TX_STATE_GET) with growing delays on the node's clock until it answers.
 *   COMMITTED commits, ABORTED or UNKNOWN (no decision was taken, so none can be taken any more) aborts.
 * - A participant that hears nothing asks too (after {@link RESOLVE_FIRST_DELAY_MS}), so one whose
 *   coordinator crashed before deciding does not hold its intents forever.
 *
 * It does not decide outcomes or pick timestamps (the coordinator does, see two-phase-commit.ts).
 */
import { type Clock, type Logger, ProtocolError, type TimerHandle } from '@datastreamer/protocol';
import type { RowResult, TxPartition } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';
import type { NodeMetastorage } from '../metastorage/node-metastorage.js';
import type { Route } from '../partitions/route.js';
import type { Forwarder } from '../peer/forwarding.js';
import type { ControlPlane } from '../placement/control-plane.js';
import { encodeFinish, encodePrepare } from '../replication/partition-command.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import { storedRowOf, storedRowTuple, storedRowVersion } from '../rows/stored-row.js';
import { keyToString } from '../storage/key-string.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import { TxStates } from '../storage/tx-lifecycle.js';
import { abortPartition, commitPartition, preparePartition } from './partition-steps.js';
import { Transaction } from './transaction.js';
import type { PreparedPartition, TxLog } from './tx-log.js';

/** How long a participant waits for its coordinator before asking it for the outcome. */
export const RESOLVE_FIRST_DELAY_MS = 2_000;
/** The longest wait between two questions to an unreachable or undecided coordinator. */
export const RESOLVE_MAX_DELAY_MS = 16_000;

/** What the participant side needs of its node. */
export interface ParticipantHost {
  readonly name: string;
  readonly hlc: HybridClock;
  readonly clock: Clock;
  readonly controlPlane: ControlPlane;
  /** The node's side of the metastorage, when the cluster has one (its catalog copy may lag). */
  readonly metastorage: NodeMetastorage | undefined;
  readonly forwarder: Forwarder;
  readonly txLog: TxLog;
  readonly log: Logger;
  readonly epoch: number;
  route(tableId: number, partition: number): Route;
}

/** One partition's share: its store (and Raft group, when replicated) and the writes made there (last per key). */
interface Share {
  readonly tableId: number;
  readonly partitionId: number;
  readonly store: MvccPartitionStore;
  readonly group: PartitionGroup | undefined;
  readonly writes: Map<string, { readonly key: Uint8Array; row: Uint8Array | null }>;
}

/** A transaction of another coordinator (or of this node after a restart) as this node takes part in it. */
interface Participation {
  readonly tx: Transaction;
  readonly coordinator: string;
  readonly shares: Map<string, Share>;
  timer: TimerHandle | undefined;
  delayMs: number;
}

function shareKey(tableId: number, partitionId: number): string {
  return `${tableId}/${partitionId}`;
}

/** The remote wire error as this node's error, so its code (e.g. `TX_CONFLICT`) still counts. */
export function asServerError(error: unknown): unknown {
  if (error instanceof ProtocolError) return new ServerError(error.code, error.message, { cause: error });
  return error;
}

export class TxParticipants {
  readonly #node: ParticipantHost;
  readonly #running = new Map<string, Participation>();
  /** Votes of replicated shares being taken (their `prepare` commands not applied yet), by transaction. */
  readonly #preparing = new Map<string, Promise<void>>();
  /** Transactions that began before this timestamp and are unknown here may have lost work in a crash. */
  #restartedAt = 0n;

  constructor(node: ParticipantHost) {
    this.#node = node;
  }

  /** Transactions this node takes part in now (running or prepared). */
  get size(): number {
    return this.#running.size;
  }

  /** The oldest snapshot a participation (or a prepared record not yet re-installed) needs. */
  lowWatermark(): bigint | undefined {
    let low = this.#node.txLog.lowWatermark();
    for (const p of this.#running.values()) if (low === undefined || p.tx.startTs < low) low = p.tx.startTs;
    return low;
  }

  /** The state of `txId` here: PENDING or PREPARED while it takes part, else `undefined`. */
  stateOf(txId: string): 'PENDING' | 'PREPARED' | undefined {
    const state = this.#running.get(txId)?.tx.state;
    return state === TxStates.PENDING || state === TxStates.PREPARED ? state : undefined;
  }

  /**
   * TX_ROWS_GET: the stored rows of `keys` as the transaction sees them (its writes, else its snapshot).
   * @throws ServerError `TX_NOT_ACTIVE`, `NOT_PRIMARY`, `PARTITION_MOVED`, `NODE_UNAVAILABLE`.
   */
  read(
    txId: string,
    coordinator: string,
    startTs: bigint,
    tableId: number,
    partitionId: number,
    keys: readonly Uint8Array[],
  ): (RowResult | null)[] {
    const share = this.#share(txId, coordinator, startTs, tableId, partitionId, 'read');
    const tx = (this.#running.get(txId) as Participation).tx;
    const ptx = tx.enlist(share.store, 'read');
    const results: (RowResult | null)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const stored = share.store.read(ptx, keys[i] as Uint8Array);
      results[i] =
        stored === null ? null : { schemaVersion: storedRowVersion(stored), row: storedRowTuple(stored) };
    }
    return results;
  }

  /**
   * TX_ROWS_WRITE: writes `rows` (tuples of `schemaVersion`; `null` deletes) under `keys`.
   * @throws ServerError `TX_CONFLICT` (retryable) as the store; `INVALID_SCHEMA` for an unknown version; as
   *   {@link read}.
   */
  write(
    txId: string,
    coordinator: string,
    startTs: bigint,
    tableId: number,
    partitionId: number,
    schemaVersion: number,
    keys: readonly Uint8Array[],
    rows: readonly (Uint8Array | null)[],
  ): void {
    if (this.#node.controlPlane.catalog.schema(tableId, schemaVersion) === undefined) {
      // A node whose catalog copy lags the coordinator's: it catches up, the write is retried.
      const latest = this.#node.controlPlane.catalog.latest(tableId)?.version ?? 0;
      if (this.#node.metastorage !== undefined && schemaVersion > latest) {
        throw this.#node.metastorage.staleError(`schema version ${schemaVersion} of table ${tableId}`);
      }
      throw new ServerError('INVALID_SCHEMA', `table ${tableId} has no schema version ${schemaVersion}`);
    }
    const share = this.#share(txId, coordinator, startTs, tableId, partitionId, 'write');
    const tx = (this.#running.get(txId) as Participation).tx;
    const ptx = tx.enlist(share.store, 'write');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Uint8Array;
      const tuple = rows[i] ?? null;
      const row = tuple === null ? null : storedRowOf(tuple, schemaVersion);
      share.store.write(ptx, key, row);
      const mapKey = keyToString(key);
      const known = share.writes.get(mapKey);
      if (known === undefined) share.writes.set(mapKey, { key, row });
      else known.row = row;
    }
  }

  /**
   * TX_PREPARE: votes yes (returns or resolves) or no (throws or rejects). A transaction already prepared here
   * votes yes again. Replicated shares append a `prepare` command to their partitions' logs and vote once it
   * applied; from then on the partitions hold the transaction (this node forgets its share), and its outcome
   * reaches them through their primaries.
   * @throws ServerError `TX_NOT_ACTIVE` when this node has no running share of it (lost in a restart,
   *   aborted meanwhile) or one of `partitions` was never touched here; `PARTITION_MOVED` when a partition
   *   is no longer served by the store the writes went to; `INVALID_ARGUMENT` for shares of replicated and
   *   unreplicated partitions at once; a replicated partition's refusal (`NO_QUORUM`, `TX_CONFLICT`).
   */
  prepare(txId: string, coordinator: string, partitions: readonly TxPartition[]): void | Promise<void> {
    if (this.#node.txLog.prepared(txId) !== undefined) return;
    // A TX_PREPARE delivered twice: the first one's vote, or, once its partitions hold the transaction, yes.
    const voting = this.#preparing.get(txId);
    if (voting !== undefined) return voting;
    const participation = this.#running.get(txId);
    if (participation === undefined && this.#heldByPartitions(txId, partitions)) return;
    if (participation === undefined) {
      throw new ServerError(
        'TX_NOT_ACTIVE',
        `${this.#node.name} votes no on transaction ${txId}: it has no record of it (aborted, or lost ` +
          `when the node restarted)`,
        { extensions: { txId } },
      );
    }
    try {
      for (const partition of partitions) {
        const share = participation.shares.get(shareKey(partition.tableId, partition.partitionId));
        if (share === undefined) {
          throw new ServerError(
            'TX_NOT_ACTIVE',
            `${this.#node.name} votes no on transaction ${txId}: partition ${partition.partitionId} of ` +
              `table ${partition.tableId} was never touched here`,
          );
        }
        this.#checkServed(txId, share);
      }
      const shares = [...participation.shares.values()];
      const replicated = shares.filter((share) => share.group !== undefined).length;
      if (replicated > 0 && replicated < shares.length) {
        throw new ServerError(
          'INVALID_ARGUMENT',
          `${this.#node.name} votes no on transaction ${txId}: it touches replicated and unreplicated ` +
            'partitions here at once',
        );
      }
      participation.tx.transition('prepare');
      for (const share of shares) preparePartition(share.store, participation.tx);
      if (replicated > 0) {
        const vote = this.#prepareReplicated(txId, coordinator, participation).finally(() => {
          this.#preparing.delete(txId);
        });
        this.#preparing.set(txId, vote);
        return vote;
      }
    } catch (error) {
      this.#finish(txId, participation, null);
      throw error;
    }
    this.#node.txLog.putPrepared({
      txId,
      coordinator,
      startTs: participation.tx.startTs,
      partitions: [...participation.shares.values()].map(preparedPartitionOf),
    });
    this.#schedule(txId, participation, RESOLVE_FIRST_DELAY_MS);
  }

  /** Whether every one of `partitions` is a replicated partition served here that holds `txId` prepared. */
  #heldByPartitions(txId: string, partitions: readonly TxPartition[]): boolean {
    if (partitions.length === 0) return false;
    return partitions.every(({ tableId, partitionId }) => {
      const route = this.#node.route(tableId, partitionId);
      return route.kind === 'local' && route.replica.group?.machine.prepared.has(txId) === true;
    });
  }

  /** Appends each replicated share's `prepare` to its partition's log; see {@link prepare}. */
  async #prepareReplicated(txId: string, coordinator: string, participation: Participation): Promise<void> {
    const tx = participation.tx;
    // The partitions' logs keep the transaction from here: this node no longer resolves it itself.
    participation.timer?.cancel();
    this.#running.delete(txId);
    const shares = [...participation.shares.values()];
    const votes = await Promise.allSettled(
      shares.map(async (share) => {
        const group = share.group as PartitionGroup;
        const ptx = tx.participant(share.store);
        const writes = ptx !== undefined && ptx.writeCount > 0 ? { store: share.store, ptx } : undefined;
        const outcome = await group.propose(encodePrepare(txId, coordinator, tx.startTs, null, writes), ptx);
        if (outcome.kind === 'refused') throw outcome.error;
        if (outcome.kind !== 'prepared') {
          throw new ServerError('INTERNAL', `a prepare command ended as ${outcome.kind}`);
        }
      }),
    );
    const no = votes.find((vote) => vote.status === 'rejected');
    if (no === undefined) return;
    // A share whose prepare did not take holds intents no outcome will reach: drop them.
    for (const share of shares) {
      const ptx = tx.participant(share.store);
      if (ptx?.state === TxStates.PREPARED && !share.group?.holdsPrepared(txId)) share.store.abort(ptx);
    }
    throw no.reason;
  }

  /**
   * TX_COMMIT / TX_ABORT, or the coordinator on this very node: applies the outcome to this node's share of
   * `txId` (commit at `commitTs`, abort when `null`), and to each replicated partition of `partitions` this
   * node serves as primary by appending a `finish` command (resolved once applied). A partition with no
   * record of the transaction (finished already) needs nothing.
   * @throws ServerError `NO_QUORUM` (retryable) when a replicated partition of `partitions` is not served
   *   here now (the coordinator tells its primary later); `TX_NOT_ACTIVE` as {@link commit}.
   */
  async finish(txId: string, commitTs: bigint | null, partitions: readonly TxPartition[]): Promise<void> {
    if (commitTs === null) this.abort(txId);
    else this.commit(txId, commitTs);
    const node = this.#node;
    const work: Promise<void>[] = [];
    for (const { tableId, partitionId } of partitions) {
      if (!node.controlPlane.placement.isReplicated(tableId)) continue;
      const route = node.route(tableId, partitionId);
      const group = route.kind === 'local' ? route.replica.group : undefined;
      if (group === undefined) {
        throw new ServerError(
          'NO_QUORUM',
          `${node.name} is not the primary of partition ${partitionId} of table ${tableId} now; the outcome ` +
            `of transaction ${txId} goes to its primary`,
        );
      }
      if (!group.machine.prepared.has(txId)) continue;
      work.push(
        group.propose(encodeFinish(txId, commitTs)).then((outcome) => {
          if (outcome.kind !== 'finished') {
            throw new ServerError('INTERNAL', `a finish command ended as ${outcome.kind}`);
          }
        }),
      );
    }
    await Promise.all(work);
  }

  /** TX_COMMIT: commits at `commitTs`. Unknown here (already finished): nothing to do. */
  commit(txId: string, commitTs: bigint): void {
    const participation = this.#running.get(txId);
    if (participation === undefined) return;
    if (participation.tx.state !== TxStates.PREPARED) {
      throw new ServerError(
        'TX_NOT_ACTIVE',
        `${this.#node.name} cannot commit transaction ${txId}: it is ${participation.tx.state}, not PREPARED`,
      );
    }
    if (commitTs > this.#node.hlc.current()) this.#node.hlc.update(commitTs);
    this.#finish(txId, participation, commitTs);
  }

  /** TX_ABORT: aborts. Unknown here (never enlisted, already finished): nothing to do. */
  abort(txId: string): void {
    const participation = this.#running.get(txId);
    if (participation !== undefined) this.#finish(txId, participation, null);
  }

  /** The node crashed: forget every share (the stores drop their intents) and stop asking coordinators. */
  crash(): void {
    for (const participation of this.#running.values()) participation.timer?.cancel();
    this.#running.clear();
  }

  /**
   * The node restarts: re-installs every prepared record as a prepared participant, then resolves each one
   * (from `decide` when this node coordinated it, else by asking its coordinator). Call before serving.
   *
   * @param decide this node's own decision on a transaction it coordinated: the commit timestamp, or `null`
   *   for abort (also when it has none: no decision was taken before the crash, so none will be).
   */
  recover(decide: (txId: string) => bigint | null): void {
    this.#restartedAt = this.#node.hlc.now();
    for (const record of this.#node.txLog.preparedRecords()) {
      const tx = new Transaction(record.txId, record.startTs);
      const participation: Participation = {
        tx,
        coordinator: record.coordinator,
        shares: new Map(),
        timer: undefined,
        delayMs: RESOLVE_FIRST_DELAY_MS,
      };
      try {
        for (const partition of record.partitions) {
          const route = this.#node.route(partition.tableId, partition.partitionId);
          if (route.kind !== 'local') {
            throw new ServerError(
              'INTERNAL',
              `partition ${partition.partitionId} of table ${partition.tableId} is not served here any more`,
            );
          }
          const store = route.replica.store;
          const ptx = tx.enlist(store, 'write');
          const writes: Share['writes'] = new Map();
          for (let i = 0; i < partition.keys.length; i++) {
            const key = partition.keys[i] as Uint8Array;
            const row = partition.rows[i] ?? null;
            store.write(ptx, key, row);
            writes.set(keyToString(key), { key, row });
          }
          participation.shares.set(shareKey(partition.tableId, partition.partitionId), {
            tableId: partition.tableId,
            partitionId: partition.partitionId,
            store,
            group: undefined,
            writes,
          });
        }
        tx.transition('prepare');
        for (const share of participation.shares.values()) preparePartition(share.store, tx);
      } catch (error) {
        // Not expected: nothing ran on the stores since the crash. Logged loudly, never silently dropped.
        this.#node.log.error(
          { txId: record.txId, err: error },
          'could not re-install a prepared transaction',
        );
        continue;
      }
      this.#running.set(record.txId, participation);
    }
    for (const [txId, participation] of [...this.#running]) {
      if (participation.coordinator === this.#node.name) this.#finish(txId, participation, decide(txId));
      else this.#schedule(txId, participation, 0);
    }
  }

  #share(
    txId: string,
    coordinator: string,
    startTs: bigint,
    tableId: number,
    partitionId: number,
    action: 'read' | 'write',
  ): Share {
    const node = this.#node;
    if (startTs > node.hlc.current()) node.hlc.update(startTs);
    let participation = this.#running.get(txId);
    if (participation === undefined) {
      if (startTs < this.#restartedAt || node.txLog.prepared(txId) !== undefined) {
        throw new ServerError(
          'TX_NOT_ACTIVE',
          `transaction ${txId} began before ${node.name} last restarted; what it did here may be lost, ` +
            `so it cannot ${action} here any more`,
          { extensions: { txId } },
        );
      }
      participation = {
        tx: new Transaction(txId, startTs),
        coordinator,
        shares: new Map(),
        timer: undefined,
        delayMs: RESOLVE_FIRST_DELAY_MS,
      };
      this.#running.set(txId, participation);
      this.#schedule(txId, participation, RESOLVE_FIRST_DELAY_MS);
    }
    const key = shareKey(tableId, partitionId);
    const route = node.route(tableId, partitionId);
    const known = participation.shares.get(key);
    if (route.kind === 'local' && (known === undefined || known.store === route.replica.store)) {
      if (known !== undefined) return known;
      const share: Share = {
        tableId,
        partitionId,
        store: route.replica.store,
        group: route.replica.group,
        writes: new Map(),
      };
      participation.shares.set(key, share);
      return share;
    }
    const owner = route.kind === 'remote' ? `; its primary is ${route.owner}` : '';
    throw new ServerError(
      route.kind === 'remote' ? 'NOT_PRIMARY' : 'PARTITION_MOVED',
      `transaction ${txId}: partition ${partitionId} of table ${tableId} is not served by ${node.name}` +
        `${known === undefined ? '' : ' (it moved since the transaction touched it)'}${owner}`,
      { extensions: { txId, tableId, partition: partitionId } },
    );
  }

  #checkServed(txId: string, share: Share): void {
    const route = this.#node.route(share.tableId, share.partitionId);
    if (route.kind !== 'local' || route.replica.store !== share.store) {
      throw new ServerError(
        'PARTITION_MOVED',
        `${this.#node.name} votes no on transaction ${txId}: partition ${share.partitionId} of table ` +
          `${share.tableId} moved away while the transaction ran`,
      );
    }
  }

  /** Commits at `commitTs` (or aborts when `null`) on every share, forgets the participation and its record. */
  #finish(txId: string, participation: Participation, commitTs: bigint | null): void {
    participation.timer?.cancel();
    this.#running.delete(txId);
    const tx = participation.tx;
    let failure: unknown;
    if (tx.state === TxStates.PENDING || tx.state === TxStates.PREPARED) {
      tx.transition(commitTs === null ? 'abort' : 'commit');
      for (const share of participation.shares.values()) {
        try {
          if (commitTs === null) abortPartition(share.store, tx);
          else commitPartition(share.store, tx, commitTs);
        } catch (error) {
          failure ??= error;
        }
      }
    }
    this.#node.txLog.removePrepared(txId);
    if (failure !== undefined) throw failure;
  }

  /** Asks the coordinator for the outcome of `txId` after `delayMs`, again with a longer delay if undecided. */
  #schedule(txId: string, participation: Participation, delayMs: number): void {
    participation.timer?.cancel();
    const epoch = this.#node.epoch;
    participation.timer = this.#node.clock.setTimer(delayMs, () => {
      participation.timer = undefined;
      if (this.#node.epoch !== epoch || this.#running.get(txId) !== participation) return;
      void this.#resolve(txId, participation, epoch);
    });
  }

  async #resolve(txId: string, participation: Participation, epoch: number): Promise<void> {
    const node = this.#node;
    let outcome: bigint | null | undefined;
    try {
      const state = await node.forwarder.send(participation.coordinator, {
        op: 'TX_STATE_GET',
        requestId: 0,
        txId,
      });
      if (state.state === 'COMMITTED' && state.commitTimestamp !== null) outcome = state.commitTimestamp;
      else if (state.state === 'ABORTED' || state.state === 'UNKNOWN') outcome = null;
    } catch (error) {
      node.log.debug(
        { txId, coordinator: participation.coordinator, err: error },
        'coordinator not reachable',
      );
    }
    if (node.epoch !== epoch || this.#running.get(txId) !== participation) return;
    if (outcome === undefined) {
      participation.delayMs = Math.min(participation.delayMs * 2, RESOLVE_MAX_DELAY_MS);
      this.#schedule(txId, participation, participation.delayMs);
      return;
    }
    if (outcome !== null && participation.tx.state !== TxStates.PREPARED) {
      // A commit of a share that never prepared here cannot be: keep asking rather than guess.
      this.#schedule(txId, participation, participation.delayMs);
      return;
    }
    node.log.info({ txId, committed: outcome !== null }, 'resolved a transaction from its coordinator');
    try {
      this.#finish(txId, participation, outcome);
    } catch (error) {
      node.log.error({ txId, err: error }, 'finishing a resolved transaction failed');
    }
  }
}

function preparedPartitionOf(share: Share): PreparedPartition {
  const keys: Uint8Array[] = [];
  const rows: (Uint8Array | null)[] = [];
  for (const write of share.writes.values()) {
    keys.push(write.key);
    rows.push(write.row);
  }
  return { tableId: share.tableId, partitionId: share.partitionId, keys, rows };
}
