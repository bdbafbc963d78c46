/**
 * The replicated partitions one node holds: one `PartitionGroup` per partition of a replicated table that the
 * placement lists this node as a replica of (or in the partition's move target), created when the node learns
 * of it (`sync`, on every placement change, or when a group's first Raft message arrives), all stopped at a
 * crash and created again from the node's disk at the restart. A group the placement no longer lists this
 * node for (its removal from the group committed, or the move that was adding it was dropped) is stopped and
 * its files are deleted from the disk (at the restart, for a group it left while it was down). It carries
 * the groups' Raft messages over the node's links (`send`, and `handle` for the ones that arrive) and, on a
 * new primary, finds out how each prepared transaction ended (asking its coordinator, with growing delays,
 * until the primary can finish it).
 *
 * It does not route client requests (the node does, asking `get(...).isServing()`).
 */
import type { Buggify, Clock, Logger, Rng, TimerHandle } from '@datastreamer/protocol';
import type {
  BatchProducer,
  RaftAppendResult,
  RaftSnapshotResult,
  RaftVoteResult,
} from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import type { Placement } from '../placement/placement.js';
import type { PlacementDriver } from '../placement/placement-driver.js';
import type { RaftOp, RaftRequest, RaftRequestOf, RaftResultOf, RaftRoleChange } from '../raft/raft-types.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionSnapshot } from '../storage/partition-snapshot.js';
import { encodeFinish, type PreparedRecord } from './partition-command.js';
import {
  type GroupHost,
  type GroupMetrics,
  type GroupRaftOptions,
  groupName,
  PartitionGroup,
  parseGroupName,
} from './partition-group.js';

/** How long a new primary waits before it asks a prepared transaction's coordinator for the outcome. */
export const RESOLVE_PREPARED_FIRST_MS = 1_000;
/** The longest wait between two questions. */
export const RESOLVE_PREPARED_MAX_MS = 16_000;

/** The replication settings of a node. */
export interface ReplicationSettings {
  readonly raft: GroupRaftOptions;
  /** How much before a lease's expiry its holder stops serving (a bound on clock offsets). */
  readonly leaseMarginMs: number;
}

/** What the node's groups need of the node. */
export interface ReplicationHost {
  readonly name: string;
  readonly clock: Clock;
  readonly hlc: HybridClock;
  readonly placement: Placement;
  readonly leases: PlacementDriver;
  readonly log: Logger;
  readonly settings: ReplicationSettings;
  /** The node's disk now (a new one never replaces it, but a crash changes what it holds). */
  readonly disk: Disk;
  /** The root of the groups' random streams. */
  readonly rng: Rng;
  /** Fault points (simulation only), handed to every group's Raft replica. */
  readonly buggify: Buggify;
  /** Sends a Raft request to node `to` and resolves with its answer. */
  sendRaft<K extends RaftOp>(to: string, request: RaftRequestOf<K>): Promise<RaftResultOf<K>>;
  newStore(tableId: number, partition: number, snapshot: PartitionSnapshot | null): MvccPartitionStore;
  applying<T>(origin: BatchProducer | null, index: number, commit: () => T): T;
  /**
   * How transaction `txId` ended, per its coordinator: the commit timestamp, `null` for aborted (or never
   * decided, which after the coordinator's answer can no longer change), `undefined` when not known yet.
   */
  askOutcome(coordinator: string, txId: string): Promise<bigint | null | undefined>;
  /** A group was created here (the node makes it a replica it routes to). */
  groupAdded(group: PartitionGroup): void;
  /** A group left this node (the node stops routing to it). */
  groupRemoved(group: PartitionGroup): void;
  /** A group changed role. */
  roleChanged(group: PartitionGroup, change: RaftRoleChange): void;
}

export class ReplicaGroups {
  readonly #host: ReplicationHost;
  readonly #groups = new Map<string, PartitionGroup>();
  readonly #timers = new Set<TimerHandle>();
  readonly #groupHost: GroupHost;
  #running = true;
  /** What groups stopped here (crashes, removals) had counted: their counters outlive them. */
  readonly #past = { snapshotInstalls: 0, snapshotChunksResent: 0 };

  constructor(host: ReplicationHost) {
    this.#host = host;
    this.#groupHost = {
      nodeName: host.name,
      clock: host.clock,
      hlc: host.hlc,
      leases: host.leases,
      log: host.log,
      raft: host.settings.raft,
      leaseMarginMs: host.settings.leaseMarginMs,
      get disk() {
        return host.disk;
      },
      rngFor: (group) => host.rng.child(group),
      buggify: host.buggify,
      send: (to, request) => this.#send(to, request),
      newStore: (tableId, partition, snapshot) => host.newStore(tableId, partition, snapshot),
      applying: (origin, index, commit) => host.applying(origin, index, commit),
      roleChanged: (group, change) => host.roleChanged(group, change),
      resolvePrepared: (group, record) => this.#resolveLater(group, record, RESOLVE_PREPARED_FIRST_MS),
      targetOf: (tableId, partition) => host.placement.targetOf(tableId, partition),
      membershipCommitted: (group, membership) =>
        host.placement.recordMembership(group.tableId, group.partition, membership),
    };
  }

  /** The groups held now. */
  get size(): number {
    return this.#groups.size;
  }

  /** Every group held now. */
  all(): IterableIterator<PartitionGroup> {
    return this.#groups.values();
  }

  /**
   * This node's replica of a partition, created if the placement lists the node as one of its replicas or
   * in its move target.
   */
  get(tableId: number, partition: number): PartitionGroup | undefined {
    const known = this.#groups.get(groupName(tableId, partition));
    if (known !== undefined || !this.#running) return known;
    if (!this.#listed(tableId, partition)) return undefined;
    const placement = this.#host.placement;
    const replicas = placement.replicasOf(tableId, partition) ?? [];
    // Founders start as the group's voters; a replica added later learns its group from the leader.
    const founding =
      placement.membershipOf(tableId, partition) === undefined && replicas.includes(this.#host.name);
    return this.#create(tableId, partition, founding ? replicas : undefined);
  }

  /**
   * Creates the groups of every replicated partition the placement lists this node for and it lacks, and
   * drops the ones it no longer lists this node for (their files too).
   */
  sync(): void {
    if (!this.#running) return;
    for (const group of [...this.#groups.values()]) {
      if (!this.#listed(group.tableId, group.partition)) this.#drop(group);
    }
    for (const [tableId, partition] of this.#host.placement.replicatedPartitionsOf(this.#host.name)) {
      this.get(tableId, partition);
    }
  }

  /** Serves a Raft request from another replica; resolves with the answer (or never, when it is dropped). */
  handle<K extends RaftOp>(request: RaftRequestOf<K>): Promise<RaftResultOf<K>> {
    const parsed = parseGroupName(request.group);
    const group = parsed === undefined ? undefined : this.get(parsed.tableId, parsed.partition);
    if (group === undefined) {
      throw new ServerError(
        'NOT_PRIMARY',
        `${this.#host.name} holds no replica of Raft group ${request.group}`,
      );
    }
    return new Promise((resolve) => group.raft.handleRequest(request, resolve));
  }

  /** The node crashed: every group stops (their state is rebuilt from the disk at the restart). */
  stopAll(): void {
    this.#running = false;
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
    for (const group of this.#groups.values()) this.#retire(group);
    this.#groups.clear();
  }

  /** The node restarted: groups are created again, from what the disk kept. */
  restart(): void {
    this.#running = true;
    // Groups this node left while it was down: their files are stale (a move back starts afresh).
    for (const path of this.#host.disk.list('raft/')) {
      const parsed = parseGroupName(path.split('/')[1] ?? '');
      if (parsed !== undefined && !this.#listed(parsed.tableId, parsed.partition))
        this.#host.disk.remove(path);
    }
    this.sync();
  }

  metrics(): GroupMetrics[] {
    return [...this.#groups.values()].map((group) => group.metrics());
  }

  /** Snapshots installed and chunks sent again by this node's replicas since it was created. */
  totals(): { readonly snapshotInstalls: number; readonly snapshotChunksResent: number } {
    let { snapshotInstalls, snapshotChunksResent } = this.#past;
    for (const group of this.#groups.values()) {
      snapshotInstalls += group.snapshotInstalls;
      snapshotChunksResent += group.raft.snapshotChunksResent;
    }
    return { snapshotInstalls, snapshotChunksResent };
  }

  /** Stops `group`, keeping its counters. */
  #retire(group: PartitionGroup): void {
    this.#past.snapshotInstalls += group.snapshotInstalls;
    this.#past.snapshotChunksResent += group.raft.snapshotChunksResent;
    group.stop();
  }

  #listed(tableId: number, partition: number): boolean {
    const placement = this.#host.placement;
    const name = this.#host.name;
    return (
      placement.isReplicated(tableId) &&
      ((placement.replicasOf(tableId, partition)?.includes(name) ?? false) ||
        (placement.targetOf(tableId, partition)?.includes(name) ?? false))
    );
  }

  #create(tableId: number, partition: number, founders: readonly string[] | undefined): PartitionGroup {
    const group = new PartitionGroup(this.#groupHost, tableId, partition, founders);
    this.#groups.set(group.name, group);
    this.#host.groupAdded(group);
    return group;
  }

  /** The group left this node: stop it and delete its files (a later move back starts it afresh). */
  #drop(group: PartitionGroup): void {
    this.#retire(group);
    this.#groups.delete(group.name);
    this.#host.groupRemoved(group);
    const disk = this.#host.disk;
    for (const path of disk.list(`raft/${group.name}/`)) disk.remove(path);
    this.#host.log.info({ group: group.name }, 'replica removed from this node');
  }

  #send(to: string, request: RaftRequest): void {
    const name = request.group;
    const sent = this.#host.sendRaft(to, request) as Promise<
      RaftVoteResult | RaftAppendResult | RaftSnapshotResult
    >;
    sent.then(
      (result) => {
        const group = this.#groups.get(name);
        if (group === undefined) return;
        // The op ties the result to its request; TypeScript cannot follow that through the union.
        group.raft.handleResult(to, request.op, result as RaftResultOf<typeof request.op>);
      },
      (error: unknown) => {
        // Unanswered requests are Raft's everyday business (it resends); one that could not even be sent is a bug.
        const retryable = (error as { readonly retryable?: unknown }).retryable === true;
        const fields = { group: name, to, op: request.op, err: error };
        if (retryable) this.#host.log.trace(fields, 'a Raft request got no answer');
        else this.#host.log.error(fields, 'a Raft request failed');
      },
    );
  }

  /** Asks `record`'s coordinator for its outcome after `delayMs`, and finishes it on `group` (see the header). */
  #resolveLater(group: PartitionGroup, record: PreparedRecord, delayMs: number): void {
    const timer = this.#host.clock.setTimer(delayMs, () => {
      this.#timers.delete(timer);
      void this.#resolve(group, record, delayMs);
    });
    this.#timers.add(timer);
  }

  async #resolve(group: PartitionGroup, record: PreparedRecord, delayMs: number): Promise<void> {
    const pending = () =>
      this.#running && this.#groups.get(group.name) === group && group.machine.prepared.has(record.txId);
    if (!pending() || !group.isServing()) return;
    let outcome: bigint | null | undefined;
    try {
      outcome = await this.#host.askOutcome(record.coordinator, record.txId);
    } catch {
      outcome = undefined;
    }
    if (!pending() || !group.isServing()) return;
    const next = Math.min(delayMs * 2, RESOLVE_PREPARED_MAX_MS);
    if (outcome === undefined) {
      this.#resolveLater(group, record, next);
      return;
    }
    try {
      await group.propose(encodeFinish(record.txId, outcome));
      this.#host.log.info(
        { group: group.name, txId: record.txId, committed: outcome !== null },
        'finished a prepared transaction its coordinator decided',
      );
    } catch (error) {
      this.#host.log.debug(
        { group: group.name, txId: record.txId, err: error },
        'finishing failed, retrying',
      );
      if (pending()) this.#resolveLater(group, record, next);
    }
  }
}
