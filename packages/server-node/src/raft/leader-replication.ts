/**
 * A leader's side of replication for one term: what it knows of each member's log, the appends and snapshot
 * chunks it sends them, the commit index it derives from a majority of the voters, and how recently a majority
 * heard from it (its lease). One instance lives as long as its leadership; a new term starts a new one.
 *
 * Per member it keeps a mode (etcd's progress states): `probe` sends one append at a time until the member's
 * log agrees with the leader's; `replicate` streams appends, at most `maxInflight` unanswered; `snapshot`
 * sends the leader's snapshot in chunks, one at a time, when the member needs entries the log no longer has.
 * A lost message is noticed on the next heartbeat (no progress while appends are in flight) and the member
 * goes back to probing; a chunk unanswered for a heartbeat interval (on the clock) is sent again, from the
 * offset the member last asked for.
 *
 * It commits only entries of its own term by counting (older ones ride along), counts itself only for what
 * is durable on its own disk, and counts only voters. It does not handle terms or roles: the node steps down
 * when an answer carries a higher term.
 */
import type { Clock } from '@datastreamer/protocol';
import type { RaftAppendResult, RaftEntry, RaftSnapshotResult } from '@datastreamer/protocol/internal';
import { isVoter, majorityValue, peersOf } from './quorum.js';
import type { RaftSettings } from './raft-options.js';
import type { StoredSnapshot } from './raft-storage.js';
import type { FollowerProgress, RaftSend } from './raft-types.js';
import type { ReplicaState } from './replica-state.js';

export interface LeaderContext {
  readonly id: string;
  readonly group: string;
  readonly term: number;
  readonly clock: Clock;
  readonly settings: RaftSettings;
  readonly state: ReplicaState;
  readonly send: RaftSend;
  /** The committed configuration no longer has this replica as a voter: it must step down. */
  readonly onRemoved: () => void;
  /** A snapshot chunk went unanswered for a heartbeat and is sent again (from the offset last asked for). */
  readonly onChunkResent: () => void;
}

interface Progress {
  match: number;
  next: number;
  mode: 'probe' | 'replicate' | 'snapshot';
  /** The last index of each append in flight (replicate mode), oldest first. */
  inflight: number[];
  /** A probe is out and unanswered (probe mode sends one at a time). */
  probing: boolean;
  /** The latest `leaderTime` the member echoed: when it last heard from this leader, by the leader's clock. */
  heardAt: number;
  /** `match` at the previous heartbeat, to notice appends lost on the way. */
  matchAtLastTick: number;
  /** The snapshot being sent (snapshot mode), where the member wants it from, and when a chunk last left. */
  transfer: { snapshot: StoredSnapshot; offset: number; sentAt: number } | undefined;
}

export class LeaderReplication {
  readonly #ctx: LeaderContext;
  readonly #progress = new Map<string, Progress>();
  readonly #since: number;
  /** The index of this term's first entry (a no-op): until it commits, the leader's commit index may lag. */
  readonly #firstIndex: number;
  /** The last index durable on this replica's own disk. */
  #durable: number;

  /** Takes over as leader: appends the term's no-op entry and tells every member. */
  constructor(ctx: LeaderContext) {
    this.#ctx = ctx;
    this.#since = ctx.clock.now();
    this.#durable = ctx.state.log.lastIndex;
    this.#syncMembers();
    this.#firstIndex = this.append({ kind: 'noop', term: ctx.term });
  }

  /** Whether the leader has committed an entry of its own term (needed before a membership change). */
  get committedInTerm(): boolean {
    return this.#ctx.state.commitIndex >= this.#firstIndex;
  }

  /** Appends `entry` to the leader's log, makes it durable, and sends it on; returns its index. */
  append(entry: RaftEntry): number {
    const state = this.#ctx.state;
    const index = state.append([entry]);
    if (entry.kind === 'config') this.#syncMembers();
    state.whenDurable(() => {
      this.#durable = Math.max(this.#durable, index);
      this.#maybeCommit();
    });
    for (const member of this.#progress.keys()) this.#replicate(member);
    return index;
  }

  /** Every member's progress, for metrics. */
  progress(): FollowerProgress[] {
    return [...this.#progress].map(([member, p]) => ({
      member,
      matchIndex: p.match,
      nextIndex: p.next,
      mode: p.mode,
    }));
  }

  /** The member's match index, or `undefined` for a replica that is not a member. */
  matchOf(member: string): number | undefined {
    return this.#progress.get(member)?.match;
  }

  /** See `RaftNodeView.quorumContactAt`. */
  quorumContactAt(): number | undefined {
    const { id, clock, state } = this.#ctx;
    const now = clock.now();
    const at = majorityValue(state.log.config, (voter) =>
      voter === id ? now : (this.#progress.get(voter)?.heardAt ?? Number.NEGATIVE_INFINITY),
    );
    return Number.isFinite(at) ? at : undefined;
  }

  /**
   * The heartbeat: contacts every member, resends what looks lost, and returns false when no majority has
   * answered for a whole minimum election timeout (the leader must then step down: others may elect a new
   * leader by now).
   */
  tick(): boolean {
    const now = this.#ctx.clock.now();
    for (const [member, p] of this.#progress) {
      if (p.mode === 'snapshot') {
        // A chunk or its answer was lost: send again from the offset the member last asked for.
        if (p.transfer !== undefined && now - p.transfer.sentAt >= this.#ctx.settings.heartbeatMs) {
          this.#ctx.onChunkResent();
          this.#sendChunk(member, p);
        }
        continue;
      }
      if (p.mode === 'replicate' && p.inflight.length > 0 && p.match === p.matchAtLastTick) {
        this.#toProbe(p);
      }
      p.matchAtLastTick = p.match;
      p.probing = false;
      if (p.next <= this.#ctx.state.log.lastIndex) this.#replicate(member);
      else this.#sendAppend(member, p, true);
    }
    const contact = this.quorumContactAt() ?? Number.NEGATIVE_INFINITY;
    return now - Math.max(contact, this.#since) <= this.#ctx.settings.electionMin;
  }

  onAppendResult(from: string, result: RaftAppendResult): void {
    const p = this.#progress.get(from);
    if (p === undefined) return;
    p.heardAt = Math.max(p.heardAt, result.leaderTime);
    if (p.mode === 'snapshot') return;
    if (result.success) {
      p.match = Math.max(p.match, result.index);
      p.next = Math.max(p.next, p.match + 1);
      p.inflight = p.inflight.filter((last) => last > result.index);
      if (p.mode === 'probe') {
        p.mode = 'replicate';
        p.probing = false;
      }
      this.#maybeCommit();
    } else {
      this.#toProbe(p);
      p.next = Math.max(p.match + 1, result.index);
    }
    this.#replicate(from);
  }

  onSnapshotResult(from: string, result: RaftSnapshotResult): void {
    const p = this.#progress.get(from);
    if (p === undefined) return;
    p.heardAt = Math.max(p.heardAt, result.leaderTime);
    const transfer = p.transfer;
    if (p.mode !== 'snapshot' || transfer === undefined) return;
    if (result.snapshotIndex !== transfer.snapshot.meta.index) return;
    if (result.done) {
      p.match = Math.max(p.match, result.snapshotIndex);
      p.next = p.match + 1;
      p.transfer = undefined;
      this.#toProbe(p);
      this.#maybeCommit();
      this.#replicate(from);
      return;
    }
    transfer.offset = Math.min(result.nextOffset, transfer.snapshot.data.length);
    this.#sendChunk(from, p);
  }

  /** Sends what `member` should get next, as far as its mode allows. */
  #replicate(member: string): void {
    const p = this.#progress.get(member);
    if (p === undefined) return;
    const last = this.#ctx.state.log.lastIndex;
    switch (p.mode) {
      case 'probe':
        if (!p.probing) this.#sendAppend(member, p, false);
        return;
      case 'replicate':
        while (p.inflight.length < this.#ctx.settings.maxInflight && p.next <= last) {
          if (!this.#sendAppend(member, p, false)) return;
        }
        return;
      case 'snapshot':
        return;
    }
  }

  /**
   * Sends one append from `p.next` (no entries for a heartbeat); switches the member to a snapshot when the
   * log no longer has what it needs. Returns false when it did not send an append.
   */
  #sendAppend(member: string, p: Progress, heartbeat: boolean): boolean {
    const { state, settings } = this.#ctx;
    const log = state.log;
    const prevLogIndex = p.next - 1;
    const prevLogTerm = log.termAt(prevLogIndex);
    if (prevLogTerm === undefined) {
      this.#startSnapshot(member, p);
      return false;
    }
    const entries = heartbeat ? [] : log.entriesFrom(p.next, settings.maxEntries);
    this.#ctx.send(member, {
      op: 'RAFT_APPEND',
      group: this.#ctx.group,
      from: this.#ctx.id,
      term: this.#ctx.term,
      leaderTime: this.#leaderTime(),
      prevLogIndex,
      prevLogTerm,
      leaderCommit: state.commitIndex,
      entries,
    });
    if (p.mode === 'probe') p.probing = true;
    else if (entries.length > 0) {
      p.next = prevLogIndex + entries.length + 1;
      p.inflight.push(p.next - 1);
    }
    return true;
  }

  #startSnapshot(member: string, p: Progress): void {
    const snapshot = this.#ctx.state.snapshot;
    // The log only loses entries to a snapshot, so one exists whenever an entry is missing.
    if (snapshot === null) return;
    p.mode = 'snapshot';
    p.inflight = [];
    p.transfer = { snapshot, offset: 0, sentAt: 0 };
    this.#sendChunk(member, p);
  }

  #sendChunk(member: string, p: Progress): void {
    const transfer = p.transfer;
    if (transfer === undefined) return;
    const { data, meta } = transfer.snapshot;
    const end = Math.min(data.length, transfer.offset + this.#ctx.settings.chunkBytes);
    transfer.sentAt = this.#leaderTime();
    this.#ctx.send(member, {
      op: 'RAFT_SNAPSHOT',
      group: this.#ctx.group,
      from: this.#ctx.id,
      term: this.#ctx.term,
      leaderTime: transfer.sentAt,
      meta,
      offset: transfer.offset,
      data: data.subarray(transfer.offset, end),
      done: end === data.length,
    });
  }

  /**
   * The time an append or chunk carries: whole milliseconds (the wire's `long`; a simulated clock may stand
   * between two), rounded down, so a majority contact derived from it is never later than the truth.
   */
  #leaderTime(): number {
    return Math.floor(this.#ctx.clock.now());
  }

  #toProbe(p: Progress): void {
    p.mode = 'probe';
    p.probing = false;
    p.inflight = [];
    p.next = p.match + 1;
  }

  /** Commits the highest index of this term that a majority of voters hold. */
  #maybeCommit(): void {
    const { id, state, term } = this.#ctx;
    const config = state.log.config;
    const index = majorityValue(config, (voter) =>
      voter === id ? this.#durable : (this.#progress.get(voter)?.match ?? 0),
    );
    if (index > state.commitIndex && state.log.termAt(index) === term) {
      state.commitTo(index);
      if (state.log.configIndex <= state.commitIndex && !isVoter(state.log.config, id)) this.#ctx.onRemoved();
    }
  }

  /** Tracks exactly the members of the newest configuration. */
  #syncMembers(): void {
    const { id, state } = this.#ctx;
    const members = new Set(peersOf(state.log.config, id));
    for (const member of this.#progress.keys()) if (!members.has(member)) this.#progress.delete(member);
    for (const member of members) {
      if (this.#progress.has(member)) continue;
      const next = state.log.lastIndex + 1;
      this.#progress.set(member, {
        match: 0,
        next,
        mode: 'probe',
        inflight: [],
        probing: false,
        heardAt: Number.NEGATIVE_INFINITY,
        matchAtLastTick: 0,
        transfer: undefined,
      });
    }
  }
}
