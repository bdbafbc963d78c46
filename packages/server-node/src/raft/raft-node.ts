/**
 * One replica of a Raft group: a message-driven state machine. Requests from other replicas come in through
 * `handleRequest` (answered through the `reply` callback, once what the answer promises is durable), answers
 * to its own requests through `handleResult`; it sends through the injected `send`. Timers run on the injected
 * `Clock`, election timeouts are drawn from the injected `Rng`. No networking, no platform time.
 *
 * Roles (an explicit union, consumed by exhaustive switches): a follower whose election timer fires asks for
 * pre-votes (`preCandidate`), and only with a majority of them starts an election (`candidate`, a new term);
 * a candidate with a majority of votes becomes `leader`, appends a no-op, and replicates
 * (leader-replication.ts). Any message with a higher term turns a replica back into a follower.
 *
 * Leases: a replica that heard from a leader less than the minimum election timeout ago refuses to vote (and
 * to pre-vote), a leader steps down when no majority answered for that long, and a restarted replica (or a
 * leader stepping down) acts as if it had just heard from a leader. So no new leader can be elected before `quorumContactAt() + min` of the
 * old one, which bounds how long a lease holder may serve. Lease records themselves are log entries
 * (`proposeLease`): a new leader finds the previous lease's end in its log (`latestLease`).
 *
 * Membership changes are single-server (Raft thesis 4.1): add a learner, promote it once it has caught up,
 * remove a member; one at a time, each in effect as soon as it is appended. A leader that removes itself
 * steps down once that change commits.
 *
 * It does not retry proposals, route clients, or decide who should hold a lease: its callers do.
 */
import type {
  Clock,
  Logger,
  RaftAppendArgs,
  RaftConfig,
  RaftLease,
  RaftSnapshotArgs,
  RaftVoteArgs,
  TimerHandle,
} from '@datastreamer/protocol';
import { silentLogger } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { acceptAppend, acceptSnapshotChunk } from './follower.js';
import { LeaderReplication } from './leader-replication.js';
import { isMajority, isMember, isVoter } from './quorum.js';
import { type RaftNodeOptions, type RaftSettings, raftSettings } from './raft-options.js';
import type {
  FollowerProgress,
  RaftNodeView,
  RaftOp,
  RaftProbe,
  RaftRequest,
  RaftRequestOf,
  RaftResultOf,
  RaftRole,
  RaftRoleChange,
  RaftSend,
} from './raft-types.js';
import { ReplicaState } from './replica-state.js';
import type { SnapshotReceiver } from './snapshot-receiver.js';

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
  readonly #clock: Clock;
  readonly #rng: RaftNodeOptions['rng'];
  readonly #send: RaftSend;
  readonly #settings: RaftSettings;
  readonly #logger: Logger;
  readonly #probe: RaftProbe | undefined;
  readonly #onRoleChange: ((change: RaftRoleChange) => void) | undefined;
  readonly #state: ReplicaState;
  #role: RaftRole = 'follower';
  #leaderId: string | undefined;
  #leader: LeaderReplication | undefined;
  #votes = new Set<string>();
  /** When this replica last heard from a leader of its term (or started): it refuses votes for a while. */
  #heardFromLeaderAt: number;
  #electionTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #receiving: SnapshotReceiver | undefined;
  #stopped = false;

  /**
   * Loads the replica's state from its disk and starts its election timer.
   * @throws ServerError `INVALID_ARGUMENT` for a bad option, `INTERNAL` for storage that does not decode.
   */
  constructor(options: RaftNodeOptions) {
    this.#settings = raftSettings(options);
    this.id = options.id;
    this.group = options.group;
    this.#clock = options.clock;
    this.#rng = options.rng;
    this.#send = options.send;
    this.#logger = (options.logger ?? silentLogger).child({
      component: 'raft',
      group: options.group,
      replica: options.id,
    });
    this.#probe = options.probe;
    this.#onRoleChange = options.onRoleChange;
    this.#state = new ReplicaState({
      disk: options.disk,
      storagePrefix: options.storagePrefix ?? `raft/${options.group}`,
      initialConfig: options.initialConfig,
      stateMachine: options.stateMachine,
      probe: options.probe,
      view: this,
      snapshotEvery: this.#settings.snapshotEvery,
    });
    this.#heardFromLeaderAt = this.#clock.now();
    this.#armElectionTimer();
  }

  // ----- RaftNodeView ---------------------------------------------------------------------------------

  get role(): RaftRole {
    return this.#role;
  }
  get term(): number {
    return this.#state.term;
  }
  get votedFor(): string | null {
    return this.#state.votedFor;
  }
  get leaderId(): string | undefined {
    return this.#leaderId;
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
  get stopped(): boolean {
    return this.#stopped;
  }
  termAt(index: number): number | undefined {
    return this.#state.log.termAt(index);
  }
  entryAt(index: number) {
    return this.#state.log.entryAt(index);
  }
  quorumContactAt(): number | undefined {
    return this.#leader?.quorumContactAt();
  }
  /** Leader only: how replication to each member stands (empty on a follower). */
  progress(): FollowerProgress[] {
    return this.#leader?.progress() ?? [];
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

  /** Snapshots the state machine now and compacts the log; false when nothing new was applied. */
  takeSnapshot(): boolean {
    return this.#state.takeSnapshot();
  }

  // ----- Membership -----------------------------------------------------------------------------------

  /**
   * Adds `member` as a learner: it receives the log (a snapshot first if need be) but neither votes nor
   * counts toward commits.
   * @throws ServerError `INVALID_ARGUMENT` for a member already in the group; `MEMBERSHIP_CHANGE_NOT_READY`
   *   while another change is uncommitted; `NOT_PRIMARY` on a replica that is not the leader.
   */
  addLearner(member: string): Proposal {
    const { config } = this.#readyForChange();
    if (isMember(config, member)) throw this.#badChange(`${member} is already a member`);
    return this.#changeConfig({ voters: config.voters, learners: [...config.learners, member] });
  }

  /**
   * Makes learner `member` a voter.
   * @throws ServerError `INVALID_ARGUMENT` when it is not a learner; `MEMBERSHIP_CHANGE_NOT_READY` while it has
   *   not caught up with the commit index, or another change is uncommitted; `NOT_PRIMARY` as `addLearner`.
   */
  promote(member: string): Proposal {
    const { config, leader } = this.#readyForChange();
    if (!config.learners.includes(member)) throw this.#badChange(`${member} is not a learner`);
    const match = leader.matchOf(member) ?? 0;
    if (match < this.commitIndex) {
      throw new ServerError(
        'MEMBERSHIP_CHANGE_NOT_READY',
        `learner ${member} of ${this.group} has not caught up (at ${match}, commit index ${this.commitIndex})`,
      );
    }
    return this.#changeConfig({
      voters: [...config.voters, member],
      learners: config.learners.filter((m) => m !== member),
    });
  }

  /**
   * Removes `member` (a voter or a learner). Removing the leader itself is allowed: it steps down once the
   * change commits.
   * @throws ServerError `INVALID_ARGUMENT` for a non-member or the last voter; otherwise as `addLearner`.
   */
  removeMember(member: string): Proposal {
    const { config } = this.#readyForChange();
    if (!isMember(config, member)) throw this.#badChange(`${member} is not a member`);
    const voters = config.voters.filter((m) => m !== member);
    if (voters.length === 0) throw this.#badChange(`${member} is the last voter`);
    return this.#changeConfig({ voters, learners: config.learners.filter((m) => m !== member) });
  }

  // ----- Messages -------------------------------------------------------------------------------------

  /** Handles a request from another replica; `reply` is called at most once, when the answer may go. */
  handleRequest<K extends RaftOp>(request: RaftRequestOf<K>, reply: (result: RaftResultOf<K>) => void): void {
    if (this.#stopped) return;
    // The op ties each request to its result type; TypeScript cannot follow that through the generic.
    const message: RaftRequest = request;
    switch (message.op) {
      case 'RAFT_VOTE':
        this.#onVote(message, reply as (result: RaftResultOf<'RAFT_VOTE'>) => void);
        return;
      case 'RAFT_APPEND':
        this.#onAppend(message, reply as (result: RaftResultOf<'RAFT_APPEND'>) => void);
        return;
      case 'RAFT_SNAPSHOT':
        this.#onSnapshot(message, reply as (result: RaftResultOf<'RAFT_SNAPSHOT'>) => void);
        return;
    }
  }

  /** Handles the answer `from` gave to a request of op `op` this replica sent. */
  handleResult<K extends RaftOp>(from: string, op: K, result: RaftResultOf<K>): void {
    if (this.#stopped) return;
    // A pre-vote grant carries the term the candidate would campaign in: it is not a newer term seen.
    const preVoteGrant =
      op === 'RAFT_VOTE' &&
      (result as RaftResultOf<'RAFT_VOTE'>).preVote &&
      (result as RaftResultOf<'RAFT_VOTE'>).granted;
    if (result.term > this.term && !preVoteGrant) {
      this.#becomeFollower(result.term, undefined);
      return;
    }
    switch (op) {
      case 'RAFT_VOTE':
        this.#onVoteResult(from, result as RaftResultOf<'RAFT_VOTE'>);
        return;
      case 'RAFT_APPEND':
        if (result.term === this.term)
          this.#leader?.onAppendResult(from, result as RaftResultOf<'RAFT_APPEND'>);
        return;
      case 'RAFT_SNAPSHOT':
        if (result.term === this.term)
          this.#leader?.onSnapshotResult(from, result as RaftResultOf<'RAFT_SNAPSHOT'>);
        return;
    }
  }

  /** Stops the replica for good (its node crashed or shut down): timers off, nothing handled or sent. */
  stop(): void {
    this.#stopped = true;
    this.#electionTimer?.cancel();
    this.#heartbeatTimer?.cancel();
    this.#leader = undefined;
  }

  // ----- Elections ------------------------------------------------------------------------------------

  #onVote(args: RaftVoteArgs, reply: (result: RaftResultOf<'RAFT_VOTE'>) => void): void {
    const refuse = () => reply({ term: this.term, granted: false, preVote: args.preVote });
    // Leader stickiness: while a leader is known to be alive, nobody may replace it (this protects leases).
    const leaderAlive =
      this.#role === 'leader' || this.#clock.now() - this.#heardFromLeaderAt < this.#settings.electionMin;
    if ((args.preVote || args.term > this.term) && leaderAlive) {
      refuse();
      return;
    }
    const log = this.#state.log;
    const upToDate =
      args.lastLogTerm > log.lastTerm ||
      (args.lastLogTerm === log.lastTerm && args.lastLogIndex >= log.lastIndex);
    if (args.preVote) {
      const granted = args.term > this.term && upToDate;
      reply({ term: granted ? args.term : this.term, granted, preVote: true });
      return;
    }
    if (args.term < this.term) {
      refuse();
      return;
    }
    if (args.term > this.term) this.#becomeFollower(args.term, undefined);
    const votedFor = this.#state.votedFor;
    const granted = (votedFor === null || votedFor === args.from) && upToDate;
    if (granted) {
      this.#state.setHardState(this.term, args.from);
      this.#armElectionTimer();
    }
    this.#replyWhenDurable(() => reply({ term: this.term, granted, preVote: false }));
  }

  #onElectionTimeout(): void {
    if (this.#stopped || this.#role === 'leader') return;
    this.#armElectionTimer();
    // Learners and replicas outside the group never campaign.
    if (!isVoter(this.config, this.id)) return;
    if (this.#settings.preVote) this.#startPreVote();
    else this.#startElection();
  }

  #startPreVote(): void {
    this.#setRole('preCandidate', undefined);
    this.#votes = new Set([this.id]);
    if (isMajority(this.config, this.#votes)) {
      this.#startElection();
      return;
    }
    this.#requestVotes(this.term + 1, true);
  }

  #startElection(): void {
    this.#state.setHardState(this.term + 1, this.id);
    this.#setRole('candidate', undefined);
    this.#votes = new Set();
    this.#armElectionTimer();
    const term = this.term;
    // The vote for itself counts only once it is on disk (else a crash could let it vote twice in a term).
    this.#replyWhenDurable(() => {
      if (this.#role !== 'candidate' || this.term !== term) return;
      this.#votes.add(this.id);
      if (isMajority(this.config, this.#votes)) this.#becomeLeader();
      else this.#requestVotes(term, false);
    });
  }

  #requestVotes(term: number, preVote: boolean): void {
    const log = this.#state.log;
    for (const voter of this.config.voters) {
      if (voter === this.id) continue;
      this.#send(voter, {
        op: 'RAFT_VOTE',
        group: this.group,
        from: this.id,
        term,
        lastLogIndex: log.lastIndex,
        lastLogTerm: log.lastTerm,
        preVote,
      });
    }
  }

  #onVoteResult(from: string, result: RaftResultOf<'RAFT_VOTE'>): void {
    if (!result.granted) return;
    const counts = result.preVote
      ? this.#role === 'preCandidate' && result.term === this.term + 1
      : this.#role === 'candidate' && result.term === this.term;
    if (!counts) return;
    this.#votes.add(from);
    if (!isMajority(this.config, this.#votes)) return;
    if (result.preVote) this.#startElection();
    else this.#becomeLeader();
  }

  #becomeLeader(): void {
    this.#setRole('leader', this.id);
    this.#electionTimer?.cancel();
    this.#probe?.becameLeader(this);
    this.#leader = new LeaderReplication({
      id: this.id,
      group: this.group,
      term: this.term,
      clock: this.#clock,
      settings: this.#settings,
      state: this.#state,
      send: this.#send,
      onRemoved: () => this.#becomeFollower(this.term, undefined),
    });
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    this.#heartbeatTimer = this.#clock.setTimer(this.#settings.heartbeatMs, () => {
      const leader = this.#leader;
      if (this.#stopped || leader === undefined) return;
      if (!leader.tick()) {
        this.#logger.info({ term: this.term }, 'no majority answered for an election timeout: stepping down');
        this.#becomeFollower(this.term, undefined);
        return;
      }
      this.#armHeartbeat();
    });
  }

  #becomeFollower(term: number, leaderId: string | undefined): void {
    if (term > this.term) this.#state.setHardState(term, null);
    // A leader stepping down heard from a leader (itself) until now: it must not help elect a successor
    // while its own lease may still run.
    if (this.#role === 'leader') this.#heardFromLeaderAt = this.#clock.now();
    this.#leader = undefined;
    this.#heartbeatTimer?.cancel();
    this.#setRole('follower', leaderId);
    this.#armElectionTimer();
  }

  // ----- Following ------------------------------------------------------------------------------------

  /** Checks the term of a leader's request; returns false (after refusing) when it is stale. */
  #followLeader(args: RaftAppendArgs | RaftSnapshotArgs): boolean {
    if (args.term < this.term) return false;
    if (args.term === this.term && this.#role === 'leader') {
      throw new ServerError(
        'INTERNAL',
        `Raft safety: ${args.from} and ${this.id} both lead ${this.group} in term ${args.term}`,
      );
    }
    if (args.term > this.term || this.#role !== 'follower' || this.#leaderId !== args.from) {
      this.#becomeFollower(args.term, args.from);
    } else {
      this.#armElectionTimer();
    }
    this.#heardFromLeaderAt = this.#clock.now();
    return true;
  }

  #onAppend(args: RaftAppendArgs, reply: (result: RaftResultOf<'RAFT_APPEND'>) => void): void {
    const { leaderTime } = args;
    if (!this.#followLeader(args)) {
      reply({ term: this.term, success: false, index: 0, leaderTime });
      return;
    }
    const { success, index } = acceptAppend(this.#state, args);
    this.#replyWhenDurable(() => reply({ term: this.term, success, index, leaderTime }));
  }

  #onSnapshot(args: RaftSnapshotArgs, reply: (result: RaftResultOf<'RAFT_SNAPSHOT'>) => void): void {
    const { leaderTime } = args;
    const snapshotIndex = args.meta.index;
    if (!this.#followLeader(args)) {
      reply({ term: this.term, snapshotIndex, nextOffset: 0, done: false, leaderTime });
      return;
    }
    const outcome = acceptSnapshotChunk(this.#state, this.#receiving, args);
    this.#receiving = outcome.receiver;
    const { nextOffset, done } = outcome;
    this.#replyWhenDurable(() => reply({ term: this.term, snapshotIndex, nextOffset, done, leaderTime }));
  }

  // ----- Helpers --------------------------------------------------------------------------------------

  /** Runs `send` once everything written so far is durable, unless the term moved on (or the replica stopped). */
  #replyWhenDurable(send: () => void): void {
    const term = this.term;
    this.#state.whenDurable(() => {
      if (!this.#stopped && this.term === term) send();
    });
  }

  #armElectionTimer(): void {
    this.#electionTimer?.cancel();
    const timeout = this.#rng.int(this.#settings.electionMin, this.#settings.electionMax);
    this.#electionTimer = this.#clock.setTimer(timeout, () => this.#onElectionTimeout());
  }

  #setRole(role: RaftRole, leaderId: string | undefined): void {
    const changed = role !== this.#role || leaderId !== this.#leaderId;
    this.#role = role;
    this.#leaderId = leaderId;
    if (!changed) return;
    this.#logger.debug({ role, term: this.term, leader: leaderId }, 'role changed');
    this.#onRoleChange?.({ role, term: this.term, leaderId });
  }

  #requireLeader(): LeaderReplication {
    if (this.#leader === undefined) {
      throw new ServerError('NOT_PRIMARY', `replica ${this.id} is not the leader of ${this.group}`, {
        extensions: { leader: this.#leaderId ?? null },
      });
    }
    return this.#leader;
  }

  #readyForChange(): { config: RaftConfig; leader: LeaderReplication } {
    const leader = this.#requireLeader();
    const log = this.#state.log;
    if (!leader.committedInTerm || log.configIndex > this.commitIndex) {
      throw new ServerError(
        'MEMBERSHIP_CHANGE_NOT_READY',
        leader.committedInTerm
          ? `the previous membership change of ${this.group} (entry ${log.configIndex}) is not committed yet`
          : `the leader of ${this.group} has not committed an entry of its term yet`,
      );
    }
    return { config: log.config, leader };
  }

  #badChange(reason: string): ServerError {
    return new ServerError('INVALID_ARGUMENT', `membership change of ${this.group} refused: ${reason}`);
  }

  #changeConfig(config: RaftConfig): Proposal {
    const index = this.#requireLeader().append({ kind: 'config', term: this.term, config });
    return { index, term: this.term };
  }
}
