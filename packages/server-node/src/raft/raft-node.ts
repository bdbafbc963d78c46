/**
 * One replica of a Raft group, as its callers see it: a message-driven state machine. Requests from other
 * replicas come in through `handleRequest` (answered through the `reply` callback once what the answer
 * promises is durable), answers to its own requests through `handleResult`; it sends through the injected
 * `send`. Timers run on the injected `Clock`, election timeouts are drawn from the injected `Rng`. No
 * networking, no platform time.
 *
 * The pieces: replica-state.ts (term, vote, log, snapshot, state machine, all persisted on the `Disk`),
 * role-machine.ts (elections with pre-vote and leader stickiness, following), leader-replication.ts (a
 * leader's appends, snapshots in chunks, commits, majority contact), membership.ts (single-server changes).
 *
 * Leases: no new leader can be elected before the old leader's `quorumContactAt()` plus the minimum election
 * timeout, which bounds how long a lease holder may serve without hearing from a majority. Lease records are
 * log entries (`proposeLease`): a new leader finds the previous lease's end in its log (`latestLease`).
 *
 * It does not retry proposals, route clients, or decide who should hold a lease: its callers do.
 */

import { neverBuggify, silentLogger } from '@datastreamer/protocol';
import type { RaftConfig, RaftLease } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { LeaderReplication } from './leader-replication.js';
import { changedConfig, type MembershipChange } from './membership.js';
import { type RaftNodeOptions, raftSettings } from './raft-options.js';
import type {
  FollowerProgress,
  RaftNodeView,
  RaftOp,
  RaftRequest,
  RaftRequestOf,
  RaftResultOf,
  RaftRole,
} from './raft-types.js';
import { ReplicaState } from './replica-state.js';
import { RoleMachine } from './role-machine.js';

/** Where a proposal landed: it is committed when the state machine applies this index with this term. */
export interface Proposal {
  readonly index: number;
  readonly term: number;
}

/** The newest lease in a replica's log. */
export interface LeaseRecord {
  readonly index: number;
  readonly lease: RaftLease;
  readonly committed: boolean;
}

export class RaftNode implements RaftNodeView {
  readonly id: string;
  readonly group: string;
  readonly #state: ReplicaState;
  readonly #roles: RoleMachine;

  /**
   * Loads the replica's state from its disk and starts its election timer.
   * @throws ServerError `INVALID_ARGUMENT` for a bad option, `INTERNAL` for storage that does not decode.
   */
  constructor(options: RaftNodeOptions) {
    const settings = raftSettings(options);
    this.id = options.id;
    this.group = options.group;
    this.#state = new ReplicaState({
      disk: options.disk,
      storagePrefix: options.storagePrefix ?? `raft/${options.group}`,
      initialConfig: options.initialConfig,
      stateMachine: options.stateMachine,
      probe: options.probe,
      view: this,
      snapshotEvery: settings.snapshotEvery,
      buggify: options.buggify ?? neverBuggify,
    });
    this.#roles = new RoleMachine({
      id: options.id,
      group: options.group,
      clock: options.clock,
      rng: options.rng,
      buggify: options.buggify ?? neverBuggify,
      send: options.send,
      settings,
      logger: (options.logger ?? silentLogger).child({
        component: 'raft',
        group: options.group,
        replica: options.id,
      }),
      probe: options.probe,
      onRoleChange: options.onRoleChange,
      state: this.#state,
      view: this,
    });
  }

  // ----- RaftNodeView ---------------------------------------------------------------------------------

  get role(): RaftRole {
    return this.#roles.role;
  }
  get term(): number {
    return this.#state.term;
  }
  get votedFor(): string | null {
    return this.#state.votedFor;
  }
  get leaderId(): string | undefined {
    return this.#roles.leaderId;
  }
  get commitIndex(): number {
    return this.#state.commitIndex;
  }
  get lastApplied(): number {
    return this.#state.lastApplied;
  }
  get lastIndex(): number {
    return this.#state.log.lastIndex;
  }
  get snapshotIndex(): number {
    return this.#state.log.snapshotIndex;
  }
  get config(): RaftConfig {
    return this.#state.log.config;
  }
  /** The index of the entry that set `config` (the snapshot's index for a snapshot's configuration). */
  get configIndex(): number {
    return this.#state.log.configIndex;
  }
  /** Snapshot chunks this replica sent again as leader, unanswered for a heartbeat, since it started. */
  get snapshotChunksResent(): number {
    return this.#roles.chunksResent;
  }
  get stopped(): boolean {
    return this.#roles.stopped;
  }
  termAt(index: number): number | undefined {
    return this.#state.log.termAt(index);
  }
  entryAt(index: number) {
    return this.#state.log.entryAt(index);
  }
  quorumContactAt(): number | undefined {
    return this.#roles.leader?.quorumContactAt();
  }
  /** Leader only: how replication to each member stands (empty on a follower). */
  progress(): FollowerProgress[] {
    return this.#roles.leader?.progress() ?? [];
  }

  // ----- Proposals ------------------------------------------------------------------------------------

  /**
   * Appends `command` to the log (leader only). It is committed once the state machine applies `index` with
   * `term`; if another entry is applied at `index`, it was lost with this leader's leadership.
   * @throws ServerError `NOT_PRIMARY` (retryable) on a replica that is not the leader, naming the leader it
   *   knows in the `leader` extension.
   */
  propose(command: Uint8Array): Proposal {
    const leader = this.#requireLeader();
    const index = leader.append({ kind: 'command', term: this.term, command: command.slice() });
    return { index, term: this.term };
  }

  /**
   * Records `lease` in the log (leader only); it holds once committed (`latestLease().committed`).
   * @throws ServerError `INVALID_ARGUMENT` for an empty holder or a lease that ends before it starts;
   *   `NOT_PRIMARY` on a replica that is not the leader.
   */
  proposeLease(lease: RaftLease): Proposal {
    const { holder, startMs, expiresAtMs } = lease;
    if (
      holder.length === 0 ||
      !Number.isSafeInteger(startMs) ||
      !Number.isSafeInteger(expiresAtMs) ||
      startMs < 0 ||
      expiresAtMs <= startMs
    ) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `a Raft lease needs a holder and 0 <= startMs < expiresAtMs, got ${JSON.stringify(lease)}`,
      );
    }
    const leader = this.#requireLeader();
    const index = leader.append({ kind: 'lease', term: this.term, lease: { holder, startMs, expiresAtMs } });
    return { index, term: this.term };
  }

  /**
   * The newest lease in this replica's log, committed or not. A new leader's log holds every committed
   * lease, so the previous lease cannot end later than the newest one it finds here.
   */
  latestLease(): LeaseRecord | undefined {
    const latest = this.#state.log.latestLease();
    if (latest === undefined) return undefined;
    return { ...latest, committed: latest.index <= this.commitIndex };
  }

  /**
   * Campaigns now instead of when the election timeout fires (a new group's preferred replica does, so the
   * group gets its first leader at once). Does nothing on a leader, a learner, or a stopped replica; the
   * election still needs a majority that is free to vote.
   */
  campaign(): void {
    this.#roles.campaign();
  }

  /** Whether the leader has committed an entry of its current term (what a membership change or a lease waits for). */
  get committedInTerm(): boolean {
    return this.#roles.leader?.committedInTerm ?? false;
  }

  /** Snapshots the state machine now and compacts the log; false when nothing new was applied. */
  takeSnapshot(): boolean {
    return this.#state.takeSnapshot();
  }

  // ----- Membership -----------------------------------------------------------------------------------

  /**
   * Appends the configuration that `change` leads to (leader only); it is in effect at once and final once
   * committed. See membership.ts for the rules.
   * @throws ServerError `NOT_PRIMARY` on a replica that is not the leader; `MEMBERSHIP_CHANGE_NOT_READY` or
   *   `INVALID_ARGUMENT` as `changedConfig` says.
   */
  changeMembership(change: MembershipChange): Proposal {
    const leader = this.#requireLeader();
    const log = this.#state.log;
    const config = changedConfig(
      {
        group: this.group,
        config: log.config,
        configIndex: log.configIndex,
        commitIndex: this.commitIndex,
        committedInTerm: leader.committedInTerm,
        matchOf: (member) => leader.matchOf(member) ?? 0,
      },
      change,
    );
    return { index: leader.append({ kind: 'config', term: this.term, config }), term: this.term };
  }

  /** `changeMembership({ kind: 'addLearner', member })`. */
  addLearner(member: string): Proposal {
    return this.changeMembership({ kind: 'addLearner', member });
  }

  /** `changeMembership({ kind: 'promote', member })`. */
  promote(member: string): Proposal {
    return this.changeMembership({ kind: 'promote', member });
  }

  /** `changeMembership({ kind: 'remove', member })`. */
  removeMember(member: string): Proposal {
    return this.changeMembership({ kind: 'remove', member });
  }

  // ----- Messages -------------------------------------------------------------------------------------

  /** Handles a request from another replica; `reply` is called at most once, when the answer may go. */
  handleRequest<K extends RaftOp>(request: RaftRequestOf<K>, reply: (result: RaftResultOf<K>) => void): void {
    if (this.#roles.stopped) return;
    // The op ties each request to its result type; TypeScript cannot follow that through the generic.
    const message: RaftRequest = request;
    switch (message.op) {
      case 'RAFT_VOTE':
        this.#roles.onVote(message, reply as (result: RaftResultOf<'RAFT_VOTE'>) => void);
        return;
      case 'RAFT_APPEND':
        this.#roles.onAppend(message, reply as (result: RaftResultOf<'RAFT_APPEND'>) => void);
        return;
      case 'RAFT_SNAPSHOT':
        this.#roles.onSnapshot(message, reply as (result: RaftResultOf<'RAFT_SNAPSHOT'>) => void);
        return;
    }
  }

  /** Handles the answer `from` gave to a request of op `op` this replica sent. */
  handleResult<K extends RaftOp>(from: string, op: K, result: RaftResultOf<K>): void {
    this.#roles.onResult(from, op, result);
  }

  /** Stops the replica for good (its node crashed or shut down): timers off, nothing handled or sent. */
  stop(): void {
    this.#roles.stop();
  }

  #requireLeader(): LeaderReplication {
    const leader = this.#roles.leader;
    if (leader === undefined) {
      throw new ServerError('NOT_PRIMARY', `replica ${this.id} is not the leader of ${this.group}`, {
        extensions: { leader: this.#roles.leaderId ?? null },
      });
    }
    return leader;
  }
}
