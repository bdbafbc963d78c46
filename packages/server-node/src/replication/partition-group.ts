/**
 * One node's replica of one replicated partition: a Raft replica of the partition's group, the state machine
 * it applies into (partition-state-machine.ts), and, while this replica leads, its lease and its proposals.
 *
 * Primary: the replica holding the placement driver's lease. The leader asks for the lease once it has
 * committed an entry of its term, renews it on every tick while it leads, and records each new lease in the
 * group's log; the lease is active once that record committed (so the holder has applied every entry
 * committed before it). Then:
 *
 * - writes (`isServing`) are accepted while this replica is the Raft leader of the lease's term and the lease
 *   has not expired (less a clock-offset margin);
 * - reads (`servesReads`) are answered while the lease has not expired, even after the replica stopped
 *   leading: no other replica can be leased before it expires, so no write is acknowledged anywhere else
 *   meanwhile, and every acknowledged write applied here. A leader cut off from its majority therefore
 *   stops writing when it steps down and stops reading at its lease's expiry.
 *
 * When it starts serving it holds the writes of every transaction prepared on the partition as intents of its
 * own (so no write can slip under them) and asks their coordinators for their outcomes (`resolvePrepared`), as
 * it does for each transaction prepared through it afterwards (its coordinator may crash before telling
 * anyone). When it stops leading, every intent on the partition is dropped (running transactions on it are
 * aborted, waiting proposals fail with `NO_QUORUM`: their outcome is unknown), since the next leader's log
 * decides.
 *
 * A new group's preferred replica (the first of its founders) campaigns as soon as it is created, so a new
 * table has primaries within a few network round trips. A replica created for a group that already changed
 * its members (a node being added by a move) starts with no configuration and learns it from the leader.
 * While leading, the replica also moves the group's members toward the placement's target
 * (membership-reconciler.ts), at every tick.
 *
 * It does not route requests or build commands (the node's handlers do) and does not send bytes (the host's
 * `send` does).
 */
import type { Buggify, Clock, Logger, Rng } from '@datastreamer/protocol';
import type { BatchProducer } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import type { ProducerFence } from '../fence/producer-fence.js';
import type { GroupMembership } from '../placement/placement.js';
import type { PartitionLease, PlacementDriver } from '../placement/placement-driver.js';
import { RaftNode } from '../raft/raft-node.js';
import type { RaftTuning } from '../raft/raft-options.js';
import type { RaftRoleChange, RaftSend } from '../raft/raft-types.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionSnapshot } from '../storage/partition-snapshot.js';
import type { PartitionTx } from '../storage/partition-tx.js';
import { MembershipReconciler } from './membership-reconciler.js';
import type { PreparedRecord } from './partition-command.js';
import { type CommandOutcome, PartitionStateMachine, writeRows } from './partition-state-machine.js';
import { ProposalTracker } from './proposal-tracker.js';

/** Raft settings a node passes to each of its groups (see `RaftNodeOptions`). */
export type GroupRaftOptions = RaftTuning;

/** What a group needs of its node. */
export interface GroupHost {
  readonly nodeName: string;
  readonly clock: Clock;
  readonly disk: Disk;
  readonly hlc: HybridClock;
  readonly leases: PlacementDriver;
  readonly log: Logger;
  readonly raft: GroupRaftOptions;
  /** How much earlier than its expiry a lease stops being served (a bound on clock offsets). */
  readonly leaseMarginMs: number;
  /** The election timeouts' random stream of one group. */
  rngFor(group: string): Rng;
  /** Fault points (simulation only). */
  readonly buggify: Buggify;
  readonly send: RaftSend;
  newStore(tableId: number, partition: number, snapshot: PartitionSnapshot | null): MvccPartitionStore;
  applying<T>(origin: BatchProducer | null, index: number, commit: () => T): T;
  /** Told of every role change of every group. */
  roleChanged(group: PartitionGroup, change: RaftRoleChange): void;
  /** Finds out how prepared `record` ended and finishes it on `group` (the new primary's duty). */
  resolvePrepared(group: PartitionGroup, record: PreparedRecord): void;
  /** The replica set the placement asks the group to move to, if a move is under way. */
  targetOf(tableId: number, partition: number): readonly string[] | undefined;
  /** Records a configuration the group committed; returns whether it was news. */
  membershipCommitted(group: PartitionGroup, membership: GroupMembership): boolean;
}

/** The name of a partition's Raft group (its requests' first field, its storage folder). */
export function groupName(tableId: number, partition: number): string {
  return `t${tableId}p${partition}`;
}

/** The table and partition a group name stands for, or `undefined` for a name that is not one. */
export function parseGroupName(name: string): { tableId: number; partition: number } | undefined {
  const match = /^t(\d+)p(\d+)$/.exec(name);
  if (match === null) return undefined;
  return { tableId: Number(match[1]), partition: Number(match[2]) };
}

/** A group's state for metrics. */
export interface GroupMetrics {
  readonly tableId: number;
  readonly partition: number;
  readonly role: string;
  readonly term: number;
  readonly leader: string | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly lastIndex: number;
  readonly serving: boolean;
  /** The lease this replica holds (as leader), if any. */
  readonly leaseExpiresAtMs: number | null;
  /** Leader only: each other member's match index and how far it lags the leader's last index. */
  readonly followers: readonly {
    readonly member: string;
    readonly matchIndex: number;
    readonly lag: number;
  }[];
  /** Snapshots this replica installed from a leader since it started. */
  readonly snapshotInstalls: number;
  /** Snapshot chunks this replica sent again as leader since it started (unanswered for a heartbeat). */
  readonly snapshotChunksResent: number;
  readonly prepared: number;
}

export class PartitionGroup {
  readonly tableId: number;
  readonly partition: number;
  readonly name: string;
  readonly raft: RaftNode;
  readonly machine: PartitionStateMachine;
  readonly #host: GroupHost;
  readonly #tracker: ProposalTracker;
  readonly #restoresAtStart: number;
  readonly #reconciler: MembershipReconciler;
  /** The lease held as leader, and the index of its record in the log. */
  #lease: { lease: PartitionLease; entryIndex: number } | undefined;
  /** Whether this replica serves under `#lease` (its record committed, prepared writes held). */
  #serving = false;
  #tick: { cancel(): void } | undefined;
  #leaseCheckQueued = false;
  #stopped = false;

  /**
   * @param founders the group's first replicas, when this replica is one of them and the group has not
   *   changed its members since; `undefined` for a replica being added (it learns its group from the leader).
   */
  constructor(host: GroupHost, tableId: number, partition: number, founders: readonly string[] | undefined) {
    this.#host = host;
    this.tableId = tableId;
    this.partition = partition;
    this.name = groupName(tableId, partition);
    // A transaction prepared through this primary is resolved by it too, should its coordinator go quiet.
    this.#tracker = new ProposalTracker(this.name, (txId) => {
      const record = this.machine.prepared.get(txId);
      if (record !== undefined && this.#serving) host.resolvePrepared(this, record);
    });
    this.machine = new PartitionStateMachine({
      newStore: (snapshot) => host.newStore(tableId, partition, snapshot),
      hlc: host.hlc,
      applying: (origin, index, commit) => host.applying(origin, index, commit),
      local: this.#tracker,
    });
    this.raft = new RaftNode({
      ...host.raft,
      id: host.nodeName,
      group: this.name,
      clock: host.clock,
      rng: host.rngFor(this.name),
      buggify: host.buggify,
      disk: host.disk,
      stateMachine: this.machine,
      send: host.send,
      ...(founders === undefined ? {} : { initialConfig: { voters: [...founders], learners: [] } }),
      logger: host.log,
      onRoleChange: (change) => this.#roleChanged(change),
      probe: {
        appended: () => {},
        committed: () => this.#committed(),
        applied: () => {},
        becameLeader: () => {},
        snapshotInstalled: () => {},
      },
    });
    this.#restoresAtStart = this.machine.restores;
    this.#reconciler = new MembershipReconciler({
      raft: this.raft,
      log: host.log,
      target: () => host.targetOf(tableId, partition),
      committed: (membership) => host.membershipCommitted(this, membership),
    });
    if (this.raft.term === 0 && this.raft.lastIndex === 0 && founders?.[0] === host.nodeName) {
      this.raft.campaign();
    }
  }

  get store(): MvccPartitionStore {
    return this.machine.store;
  }

  get fence(): ProducerFence {
    return this.machine.fence;
  }

  /** The lease this replica holds as leader (committed or not, expired or not). */
  get lease(): PartitionLease | undefined {
    return this.#lease?.lease;
  }

  /** Snapshots installed from a leader since this replica started. */
  get snapshotInstalls(): number {
    return this.machine.restores - this.#restoresAtStart;
  }

  /** Whether this replica accepts writes as the partition's primary right now (see the module header). */
  isServing(): boolean {
    return this.servesReads() && this.raft.role === 'leader' && this.#lease?.lease.term === this.raft.term;
  }

  /** Whether this replica answers reads as the partition's primary right now: its lease is active. */
  servesReads(): boolean {
    const held = this.#lease;
    return (
      this.#serving &&
      held !== undefined &&
      this.#host.clock.now() < held.lease.expiresAtMs - this.#host.leaseMarginMs
    );
  }

  /**
   * Appends `command` and resolves with what it did once applied here. `ptx` holds the command's writes as
   * intents (committed or aborted by the apply).
   * @throws ServerError `NO_QUORUM` (retryable) when this replica is not serving; (rejects) `NO_QUORUM` when
   *   it stops leading before the command applied (outcome unknown) or the command lost its index.
   */
  propose(command: Uint8Array, ptx?: PartitionTx): Promise<CommandOutcome> {
    if (!this.isServing()) throw this.notServing();
    const { index, term } = this.raft.propose(command);
    return this.#tracker.track(index, term, ptx);
  }

  /** The error for a request this replica cannot serve as primary now. */
  notServing(): ServerError {
    return new ServerError(
      'NO_QUORUM',
      `${this.#host.nodeName} is not the serving primary of partition ${this.partition} of table ` +
        `${this.tableId} (${this.raft.role}, term ${this.raft.term}); retry`,
    );
  }

  /** Whether intents are held for prepared `txId` here. */
  holdsPrepared(txId: string): boolean {
    return this.#tracker.holds(txId);
  }

  /** Stops for good (the node crashed or the group left it): nothing is handled or sent any more. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#tick?.cancel();
    this.raft.stop();
    this.#serving = false;
    this.#lease = undefined;
    this.#tracker.abandon('NODE_UNAVAILABLE', `${this.#host.nodeName} stopped`);
  }

  metrics(): GroupMetrics {
    const raft = this.raft;
    const last = raft.lastIndex;
    return {
      tableId: this.tableId,
      partition: this.partition,
      role: raft.role,
      term: raft.term,
      leader: raft.leaderId ?? null,
      commitIndex: raft.commitIndex,
      lastApplied: raft.lastApplied,
      lastIndex: last,
      serving: this.isServing(),
      leaseExpiresAtMs: this.#lease?.lease.expiresAtMs ?? null,
      followers: raft.progress().map((p) => ({
        member: p.member,
        matchIndex: p.matchIndex,
        lag: Math.max(0, last - p.matchIndex),
      })),
      snapshotInstalls: this.snapshotInstalls,
      snapshotChunksResent: raft.snapshotChunksResent,
      prepared: this.machine.prepared.size,
    };
  }

  #roleChanged(change: RaftRoleChange): void {
    if (change.role === 'leader') this.#armTick();
    else this.#stepDown();
    this.#host.roleChanged(this, change);
  }

  /**
   * No longer leading: drop every intent and fail what waits. The lease stays until it expires (reads go on
   * meanwhile): only its expiry lets the placement driver lease another replica.
   */
  #stepDown(): void {
    this.#tick?.cancel();
    this.#tick = undefined;
    if (this.#lease === undefined && this.#tracker.size === 0 && this.#tracker.heldCount === 0) return;
    const dropped = this.machine.store.dropIntents();
    this.#tracker.abandon('NO_QUORUM', `${this.#host.nodeName} stopped leading ${this.name}`);
    this.#host.log.info(
      { group: this.name, dropped },
      'stopped leading; reads served until the lease expires',
    );
  }

  #armTick(): void {
    this.#tick?.cancel();
    const interval = this.#host.raft.heartbeatIntervalMs ?? 50;
    this.#tick = this.#host.clock.setTimer(interval, () => {
      this.#tick = undefined;
      if (this.#stopped || this.raft.role !== 'leader') return;
      // Members first: a promoted replica leading now must be in the placement before it asks for a lease.
      this.#reconciler.reconcile();
      if (this.#stopped || this.raft.role !== 'leader') return;
      this.#leaseTick();
      this.#armTick();
    });
  }

  /**
   * The commit index rose. A leader still waiting to serve looks at its lease again right after this step
   * (its term's first entry, or its lease's record, may just have committed), instead of a tick later.
   */
  #committed(): void {
    if (this.#stopped || this.#serving || this.raft.role !== 'leader' || this.#leaseCheckQueued) return;
    this.#leaseCheckQueued = true;
    queueMicrotask(() => {
      this.#leaseCheckQueued = false;
      if (!this.#stopped && this.raft.role === 'leader') this.#leaseTick();
    });
  }

  /** Asks for (or renews) the lease, records a new one in the log, and starts serving once it committed. */
  #leaseTick(): void {
    const raft = this.raft;
    if (!raft.committedInTerm) return;
    // Leading is enough to ask: a leader cut off from its majority steps down within a minimum election
    // timeout and asks no more, and the driver leases nobody else before its lease ran out anyway.
    let granted: PartitionLease | undefined;
    try {
      granted = this.#host.leases.acquire(this.tableId, this.partition, this.#host.nodeName, raft.term);
    } catch (error) {
      this.#host.log.warn({ group: this.name, err: error }, 'the placement driver refused a lease request');
    }
    if (granted !== undefined) {
      const current = this.#lease;
      if (
        current === undefined ||
        current.lease.term !== granted.term ||
        current.lease.startMs !== granted.startMs
      ) {
        const { index } = raft.proposeLease({
          holder: granted.holder,
          startMs: granted.startMs,
          expiresAtMs: granted.expiresAtMs,
        });
        this.#lease = { lease: granted, entryIndex: index };
        this.#serving = false;
      } else {
        current.lease = granted;
      }
    }
    const held = this.#lease;
    if (held !== undefined && !this.#serving && raft.commitIndex >= held.entryIndex) this.#startServing();
  }

  /** The lease's record committed: hold every prepared transaction's writes, then serve. */
  #startServing(): void {
    const store = this.machine.store;
    for (const record of this.machine.prepared.values()) {
      if (this.#tracker.holds(record.txId)) continue;
      try {
        const ptx = store.begin(record.txId, record.startTs);
        writeRows(store, ptx, record.rows);
        store.prepare(ptx);
        this.#tracker.hold(record.txId, ptx);
      } catch (error) {
        // Not expected: no write can commit over a prepared transaction's keys. Never serve over it silently.
        this.#host.log.error(
          { group: this.name, txId: record.txId, err: error },
          'could not hold the writes of a prepared transaction; not serving',
        );
        return;
      }
    }
    this.#serving = true;
    this.#host.log.info({ group: this.name, term: this.raft.term }, 'serving as primary');
    for (const record of this.machine.prepared.values()) this.#host.resolvePrepared(this, record);
  }
}
