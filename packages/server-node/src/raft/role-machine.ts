/**
 * The role state machine of a Raft replica: follower, pre-candidate, candidate, leader, and the moves
 * between them. It owns the election timer and the heartbeat, answers vote requests (with leader
 * stickiness), runs pre-votes and elections, follows the leader of the newest term it sees, and hands a
 * leader's replication to a `LeaderReplication` for as long as the leadership lasts.
 *
 * Every answer goes out through `reply` only once the term, vote or entries it promises are durable, and
 * not at all if the term moved on meanwhile. A replica that heard from a leader (or stepped down as one)
 * less than the minimum election timeout ago refuses to vote: that is what makes leader leases safe.
 *
 * It does not take proposals or membership changes (raft-node.ts does, through `leader`).
 */
import type { Buggify, Clock, Logger, Rng, TimerHandle } from '@datastreamer/protocol';
import type { RaftAppendArgs, RaftSnapshotArgs, RaftVoteArgs } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import { acceptAppend, acceptSnapshotChunk } from './follower.js';
import { LeaderReplication } from './leader-replication.js';
import { isMajority, isVoter } from './quorum.js';
import type { RaftSettings } from './raft-options.js';
import type {
  RaftNodeView,
  RaftOp,
  RaftProbe,
  RaftResultOf,
  RaftRole,
  RaftRoleChange,
  RaftSend,
} from './raft-types.js';
import type { ReplicaState } from './replica-state.js';
import type { SnapshotReceiver } from './snapshot-receiver.js';

export interface RoleContext {
  readonly id: string;
  readonly group: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly buggify: Buggify;
  readonly send: RaftSend;
  readonly settings: RaftSettings;
  readonly logger: Logger;
  readonly probe: RaftProbe | undefined;
  readonly onRoleChange: ((change: RaftRoleChange) => void) | undefined;
  readonly state: ReplicaState;
  /** The replica as probes see it. */
  readonly view: RaftNodeView;
}

export class RoleMachine {
  readonly #ctx: RoleContext;
  #role: RaftRole = 'follower';
  #leaderId: string | undefined;
  #leader: LeaderReplication | undefined;
  #votes = new Set<string>();
  /** When this replica last heard from a leader of its term (or started, or stepped down as leader). */
  #heardFromLeaderAt: number;
  #electionTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #receiving: SnapshotReceiver | undefined;
  #stopped = false;
  /** The term of the last role change reported (a new term is a change even in the same role). */
  #reportedTerm: number;
  /** Snapshot chunks this replica sent again as leader (unanswered for a heartbeat), over all its terms. */
  #chunksResent = 0;

  /**
   * Starts as a follower that has just heard from a leader, so a restarted replica waits before voting. A
   * replica whose durable term is still 0 never answered any leader (every answer waits for its term to be
   * durable), so no lease can count on it: it may vote at once, and a new group elects its first leader
   * without waiting out a minimum election timeout.
   */
  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
    this.#reportedTerm = ctx.state.term;
    this.#heardFromLeaderAt = ctx.state.term === 0 ? Number.NEGATIVE_INFINITY : ctx.clock.now();
    this.#armElectionTimer();
  }

  get role(): RaftRole {
    return this.#role;
  }

  get leaderId(): string | undefined {
    return this.#leaderId;
  }

  /** Snapshot chunks sent again as leader since the replica started (see `LeaderContext.onChunkResent`). */
  get chunksResent(): number {
    return this.#chunksResent;
  }

  /** This term's replication, while leader. */
  get leader(): LeaderReplication | undefined {
    return this.#leader;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get #term(): number {
    return this.#ctx.state.term;
  }

  get #config() {
    return this.#ctx.state.log.config;
  }

  /** Handles the answer `from` gave to a request of op `op` this replica sent. */
  onResult<K extends RaftOp>(from: string, op: K, result: RaftResultOf<K>): void {
    if (this.#stopped) return;
    // A pre-vote grant carries the term the candidate would campaign in: it is not a newer term seen.
    const preVoteGrant =
      op === 'RAFT_VOTE' &&
      (result as RaftResultOf<'RAFT_VOTE'>).preVote &&
      (result as RaftResultOf<'RAFT_VOTE'>).granted;
    if (result.term > this.#term && !preVoteGrant) {
      this.#becomeFollower(result.term, undefined);
      return;
    }
    switch (op) {
      case 'RAFT_VOTE':
        this.#onVoteResult(from, result as RaftResultOf<'RAFT_VOTE'>);
        return;
      case 'RAFT_APPEND':
        if (result.term === this.#term)
          this.#leader?.onAppendResult(from, result as RaftResultOf<'RAFT_APPEND'>);
        return;
      case 'RAFT_SNAPSHOT':
        if (result.term === this.#term)
          this.#leader?.onSnapshotResult(from, result as RaftResultOf<'RAFT_SNAPSHOT'>);
        return;
    }
  }

  /** Stops for good: timers off, nothing handled or sent. */
  stop(): void {
    this.#stopped = true;
    this.#electionTimer?.cancel();
    this.#heartbeatTimer?.cancel();
    this.#leader = undefined;
  }

  // ----- Elections ------------------------------------------------------------------------------------

  onVote(args: RaftVoteArgs, reply: (result: RaftResultOf<'RAFT_VOTE'>) => void): void {
    const refuse = () => reply({ term: this.#term, granted: false, preVote: args.preVote });
    // Leader stickiness: while a leader is known to be alive, nobody may replace it (this protects leases).
    const leaderAlive =
      this.#role === 'leader' ||
      this.#ctx.clock.now() - this.#heardFromLeaderAt < this.#ctx.settings.electionMin;
    if ((args.preVote || args.term > this.#term) && leaderAlive) {
      refuse();
      return;
    }
    const log = this.#ctx.state.log;
    const upToDate =
      args.lastLogTerm > log.lastTerm ||
      (args.lastLogTerm === log.lastTerm && args.lastLogIndex >= log.lastIndex);
    if (args.preVote) {
      const granted = args.term > this.#term && upToDate;
      reply({ term: granted ? args.term : this.#term, granted, preVote: true });
      return;
    }
    if (args.term < this.#term) {
      refuse();
      return;
    }
    if (args.term > this.#term) this.#becomeFollower(args.term, undefined);
    const votedFor = this.#ctx.state.votedFor;
    const granted = (votedFor === null || votedFor === args.from) && upToDate;
    if (granted) {
      this.#ctx.state.setHardState(this.#term, args.from);
      this.#armElectionTimer();
    }
    this.#replyWhenDurable(() => reply({ term: this.#term, granted, preVote: false }));
  }

  /** Starts an election now, as an election timeout would (a voter that is not the leader only). */
  campaign(): void {
    if (this.#stopped || this.#role === 'leader') return;
    this.#onElectionTimeout();
  }

  #onElectionTimeout(): void {
    if (this.#stopped || this.#role === 'leader') return;
    this.#armElectionTimer();
    // Learners and replicas outside the group never campaign.
    if (!isVoter(this.#config, this.#ctx.id)) return;
    if (this.#ctx.settings.preVote) this.#startPreVote();
    else this.#startElection();
  }

  #startPreVote(): void {
    this.#setRole('preCandidate', undefined);
    this.#votes = new Set([this.#ctx.id]);
    if (isMajority(this.#config, this.#votes)) {
      this.#startElection();
      return;
    }
    this.#requestVotes(this.#term + 1, true);
  }

  #startElection(): void {
    this.#ctx.state.setHardState(this.#term + 1, this.#ctx.id);
    this.#setRole('candidate', undefined);
    this.#votes = new Set();
    this.#armElectionTimer();
    const term = this.#term;
    // The vote for itself counts only once it is on disk (else a crash could let it vote twice in a term).
    this.#replyWhenDurable(() => {
      if (this.#role !== 'candidate' || this.#term !== term) return;
      this.#votes.add(this.#ctx.id);
      if (isMajority(this.#config, this.#votes)) this.#becomeLeader();
      else this.#requestVotes(term, false);
    });
  }

  #requestVotes(term: number, preVote: boolean): void {
    const log = this.#ctx.state.log;
    for (const voter of this.#config.voters) {
      if (voter === this.#ctx.id) continue;
      this.#ctx.send(voter, {
        op: 'RAFT_VOTE',
        group: this.#ctx.group,
        from: this.#ctx.id,
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
      ? this.#role === 'preCandidate' && result.term === this.#term + 1
      : this.#role === 'candidate' && result.term === this.#term;
    if (!counts) return;
    this.#votes.add(from);
    if (!isMajority(this.#config, this.#votes)) return;
    if (result.preVote) this.#startElection();
    else this.#becomeLeader();
  }

  #becomeLeader(): void {
    this.#setRole('leader', this.#ctx.id);
    this.#electionTimer?.cancel();
    this.#ctx.probe?.becameLeader(this.#ctx.view);
    this.#leader = new LeaderReplication({
      id: this.#ctx.id,
      group: this.#ctx.group,
      term: this.#term,
      clock: this.#ctx.clock,
      settings: this.#ctx.settings,
      state: this.#ctx.state,
      send: this.#ctx.send,
      onRemoved: () => this.#becomeFollower(this.#term, undefined),
      onChunkResent: () => {
        this.#chunksResent++;
      },
    });
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    this.#heartbeatTimer = this.#ctx.clock.setTimer(this.#ctx.settings.heartbeatMs, () => {
      const leader = this.#leader;
      if (this.#stopped || leader === undefined) return;
      if (!leader.tick()) {
        this.#ctx.logger.info(
          { term: this.#term },
          'no majority answered for an election timeout: stepping down',
        );
        this.#becomeFollower(this.#term, undefined);
        return;
      }
      this.#armHeartbeat();
    });
  }

  #becomeFollower(term: number, leaderId: string | undefined): void {
    if (term > this.#term) this.#ctx.state.setHardState(term, null);
    // A leader stepping down heard from a leader (itself) until now: it must not help elect a successor
    // while its own lease may still run.
    if (this.#role === 'leader') this.#heardFromLeaderAt = this.#ctx.clock.now();
    this.#leader = undefined;
    this.#heartbeatTimer?.cancel();
    this.#setRole('follower', leaderId);
    this.#armElectionTimer();
  }

  // ----- Following ------------------------------------------------------------------------------------

  /** Checks the term of a leader's request and follows its sender; false when it is stale (to refuse). */
  #followLeader(args: RaftAppendArgs | RaftSnapshotArgs): boolean {
    if (args.term < this.#term) return false;
    if (args.term === this.#term && this.#role === 'leader') {
      throw new ServerError(
        'INTERNAL',
        `Raft safety: ${args.from} and ${this.#ctx.id} both lead ${this.#ctx.group} in term ${args.term}`,
      );
    }
    if (args.term > this.#term || this.#role !== 'follower' || this.#leaderId !== args.from) {
      this.#becomeFollower(args.term, args.from);
    } else {
      this.#armElectionTimer();
    }
    this.#heardFromLeaderAt = this.#ctx.clock.now();
    return true;
  }

  onAppend(args: RaftAppendArgs, reply: (result: RaftResultOf<'RAFT_APPEND'>) => void): void {
    const { leaderTime } = args;
    if (!this.#followLeader(args)) {
      reply({ term: this.#term, success: false, index: 0, leaderTime });
      return;
    }
    const { success, index } = acceptAppend(this.#ctx.state, args);
    this.#replyWhenDurable(() => reply({ term: this.#term, success, index, leaderTime }));
  }

  onSnapshot(args: RaftSnapshotArgs, reply: (result: RaftResultOf<'RAFT_SNAPSHOT'>) => void): void {
    const { leaderTime } = args;
    const snapshotIndex = args.meta.index;
    if (!this.#followLeader(args)) {
      reply({ term: this.#term, snapshotIndex, nextOffset: 0, done: false, leaderTime });
      return;
    }
    const outcome = acceptSnapshotChunk(this.#ctx.state, this.#receiving, args);
    this.#receiving = outcome.receiver;
    const { nextOffset, done } = outcome;
    this.#replyWhenDurable(() => reply({ term: this.#term, snapshotIndex, nextOffset, done, leaderTime }));
  }

  // ----- Helpers --------------------------------------------------------------------------------------

  /** Runs `send` once everything written so far is durable, unless the term moved on (or the replica stopped). */
  #replyWhenDurable(send: () => void): void {
    const term = this.#term;
    this.#ctx.state.whenDurable(() => {
      if (!this.#stopped && this.#term === term) send();
    });
  }

  #armElectionTimer(): void {
    this.#electionTimer?.cancel();
    const timeout = this.#ctx.buggify('raft.election-timeout-early')
      ? 1
      : this.#ctx.rng.int(this.#ctx.settings.electionMin, this.#ctx.settings.electionMax);
    this.#electionTimer = this.#ctx.clock.setTimer(timeout, () => this.#onElectionTimeout());
  }

  #setRole(role: RaftRole, leaderId: string | undefined): void {
    const changed = role !== this.#role || leaderId !== this.#leaderId || this.#term !== this.#reportedTerm;
    this.#role = role;
    this.#leaderId = leaderId;
    this.#reportedTerm = this.#term;
    if (!changed) return;
    this.#ctx.logger.debug({ role, term: this.#term, leader: leaderId }, 'role changed');
    this.#ctx.onRoleChange?.({ role, term: this.#term, leaderId });
  }
}
