/**
 * A node's side of the metastorage: its copy of the store (metastorage-view.ts), kept up to date by watching,
 * its replica of the group when it is one of the `members`, and proposals.
 *
 * - Learning: a member's copy is fed by its own replica as it applies (committed entries only, so a member cut
 *   off from the majority keeps the prefix it has). Every node but the leader also watches over its peer link
 *   (META_WATCH, held open up to `watchWaitMs`) from the revision its copy holds: the leader when it knows
 *   it (so changes arrive as they commit, not a heartbeat later), else the members in turn, moving on when
 *   one does not answer or has nothing new. A reconnect asks again from its revision, and the copy applies
 *   each revision once, whichever way it came.
 * - Changing: `propose` sends a transaction to the member it believes leads (META_PROPOSE, or its own replica),
 *   follows `NOT_PRIMARY`'s leader hint, tries the next member when one is unreachable, with growing pauses,
 *   until `proposeTimeoutMs`; then it fails with the retryable `NO_QUORUM`. Every attempt carries the same id,
 *   so an attempt whose answer was lost is never applied twice. Once it committed, it waits (as long as the
 *   deadline allows) for the node's copy to hold it, so the node reads its own changes.
 *
 * The copy outlives a crash (a node keeps what it learned); the replica and the watch stop at a crash and
 * start again at the restart. It knows nothing of catalogs or placements (metastorage-catalog.ts does).
 */
import {
  type Buggify,
  type Clock,
  ErrorExtensionKeys,
  isRetryableCode,
  type Logger,
  type Rng,
} from '@datastreamer/protocol';
import type {
  MetaProposeResult,
  MetaWatchResult,
  RaftAppendResult,
  RaftSnapshotResult,
  RaftVoteResult,
} from '@datastreamer/protocol/internal';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import type { Forwarder } from '../peer/forwarding.js';
import type { RaftTuning } from '../raft/raft-options.js';
import type { RaftRequest, RaftResultOf, RaftRoleChange } from '../raft/raft-types.js';
import { encodeMetaTxn, type MetaTxn, type MetaTxnResult } from './meta-command.js';
import type { MetaWatchBatch } from './meta-kv.js';
import { MetastorageGroup } from './metastorage-group.js';
import { MetastorageView } from './metastorage-view.js';

/** How long a proposal keeps trying by default, in ms. */
export const DEFAULT_PROPOSE_TIMEOUT_MS = 10_000;
/** How long a member may hold a watch open by default, in ms. */
export const DEFAULT_WATCH_WAIT_MS = 1_000;
/**
 * The metastorage group's Raft timings unless its settings say otherwise: slower than a partition's (its
 * changes are rare, and its heartbeats run in every cluster whether it streams or not), so a lost leader is
 * replaced within a few seconds.
 */
export const METASTORAGE_RAFT_DEFAULTS = {
  heartbeatIntervalMs: 200,
  electionTimeoutMs: { min: 1_000, max: 2_000 },
} as const;

/** How long a sync (a catalog read's barrier) keeps trying by default, in ms. */
export const DEFAULT_SYNC_TIMEOUT_MS = 1_000;
const FIRST_PAUSE_MS = 20;
/** The longest a member that does not lead holds a watch, in ms. */
const FOLLOWER_HOLD_MS = 50;
const LONGEST_PAUSE_MS = 500;

/** What a node sends to other nodes for the metastorage: proposals, watches, and its replica's Raft requests. */
export interface MetastoragePeers {
  propose(to: string, command: Uint8Array): Promise<MetaProposeResult>;
  watch(to: string, prefix: string, fromRevision: number, waitMs: number): Promise<MetaWatchResult>;
  raft(to: string, request: RaftRequest): Promise<RaftVoteResult | RaftAppendResult | RaftSnapshotResult>;
}

/** The peers of a node whose links to other nodes are `forwarder`'s. */
export function forwarderPeers(forwarder: Forwarder): MetastoragePeers {
  return {
    propose: (to, command) => forwarder.send(to, { op: 'META_PROPOSE', requestId: 0, command }),
    watch: (to, prefix, fromRevision, waitMs) =>
      forwarder.send(to, { op: 'META_WATCH', requestId: 0, prefix, fromRevision, waitMs }),
    raft: (to, request) =>
      forwarder.send(to, { ...request, requestId: 0 }) as Promise<
        RaftVoteResult | RaftAppendResult | RaftSnapshotResult
      >,
  };
}

/** The metastorage settings of a node (`ClusterNodeOptions.metastorage`). */
export interface NodeMetastorageSettings {
  /** The metastorage group's members, in the same order on every node (the first campaigns first). */
  readonly members: readonly string[];
  /** How long a change keeps trying to reach the metastorage leader, in ms. Default {@link DEFAULT_PROPOSE_TIMEOUT_MS}. */
  readonly proposeTimeoutMs?: number;
  /** How long a member may hold a watch open, in ms. Default {@link DEFAULT_WATCH_WAIT_MS}. */
  readonly watchWaitMs?: number;
  /**
   * The group's Raft timings and snapshots. Default: {@link METASTORAGE_RAFT_DEFAULTS} over the node's
   * replication settings.
   */
  readonly raft?: RaftTuning;
}

export interface NodeMetastorageOptions extends NodeMetastorageSettings {
  readonly nodeName: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly peers: MetastoragePeers;
  /** For the replica of a member. */
  readonly disk: () => Disk;
  readonly rng: Rng;
  readonly buggify: Buggify;
  /** The node's replication settings (the defaults under {@link METASTORAGE_RAFT_DEFAULTS}). */
  readonly nodeRaft: RaftTuning;
  readonly onRoleChange?: (change: RaftRoleChange) => void;
}

/** The watch's prefix: a node learns everything the metastorage holds. */
const EVERYTHING = '';

export class NodeMetastorage {
  readonly view = new MetastorageView();
  readonly members: readonly string[];
  readonly #options: NodeMetastorageOptions;
  #group: MetastorageGroup | undefined;
  #leaderHint: string | undefined;
  #running = false;
  /** Bumped at every start: a watch loop of an earlier life ends when it sees a newer one. */
  #life = 0;
  #proposals = 0;
  #watchFailures = 0;
  #syncs = 0;
  #refreshing = false;
  #electionsWon = 0;
  readonly #leaderListeners = new Set<() => void>();

  /** @throws ServerError `INVALID_ARGUMENT` for no members or a member named twice. */
  constructor(options: NodeMetastorageOptions) {
    if (options.members.length === 0 || new Set(options.members).size !== options.members.length) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `metastorage members: expected distinct node names, got [${options.members.join(', ')}]`,
      );
    }
    this.#options = options;
    this.members = [...options.members];
  }

  /** Whether this node holds a replica of the metastorage group. */
  get isMember(): boolean {
    return this.members.includes(this.#options.nodeName);
  }

  /** This node's replica, while it runs (members only). */
  get group(): MetastorageGroup | undefined {
    return this.#group;
  }

  /** Elections of the metastorage group this node won since it was created (across restarts). */
  get electionsWon(): number {
    return this.#electionsWon;
  }

  /** Calls `listener` whenever this node's replica becomes the group's leader; returns its remover. */
  onLeader(listener: () => void): () => void {
    this.#leaderListeners.add(listener);
    return () => this.#leaderListeners.delete(listener);
  }

  /** Watches that got no answer (a member unreachable, a link lost) since the node was created. */
  get watchFailures(): number {
    return this.#watchFailures;
  }

  /** Starts the replica (a member, from what its disk kept) and the watch. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const life = ++this.#life;
    if (this.isMember) {
      const o = this.#options;
      this.#group = new MetastorageGroup({
        nodeName: o.nodeName,
        members: this.members,
        clock: o.clock,
        disk: o.disk(),
        rng: o.rng,
        buggify: o.buggify,
        log: o.log,
        raft: { ...o.nodeRaft, ...METASTORAGE_RAFT_DEFAULTS, ...o.raft },
        send: (to, request) => this.#sendRaft(to, request),
        view: this.view,
        onRoleChange: (change) => {
          if (change.role === 'leader') {
            this.#electionsWon++;
            for (const listener of [...this.#leaderListeners]) listener();
          }
          o.onRoleChange?.(change);
        },
      });
    }
    this.#watchLoop(life).catch((error: unknown) => {
      // A stopped clock ends its sleeps with an error: the node is gone with it.
      if (this.#life === life) this.#options.log.error({ err: error }, 'the metastorage watch stopped');
    });
  }

  /** The node crashed: the replica and the watch stop (the copy stays). */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#life++;
    this.#group?.stop();
    this.#group = undefined;
  }

  /**
   * Commits `txn` (see the module header).
   * @throws ServerError `NO_QUORUM` (retryable) when no leader took it within the deadline; a
   *   non-retryable error a member answered; `NODE_UNAVAILABLE` when this node stops meanwhile.
   */
  async propose(
    txn: Omit<MetaTxn, 'id'>,
    timeoutMs = this.#options.proposeTimeoutMs ?? DEFAULT_PROPOSE_TIMEOUT_MS,
  ): Promise<MetaTxnResult> {
    const o = this.#options;
    const id = `${o.nodeName}/${this.#life}/${++this.#proposals}`;
    const command = encodeMetaTxn({ ...txn, id });
    const deadline = o.clock.now() + timeoutMs;
    let next = 0;
    let pause = FIRST_PAUSE_MS;
    let last: unknown;
    for (;;) {
      if (!this.#running) throw new ServerError('NODE_UNAVAILABLE', `${o.nodeName} stopped`);
      const target =
        this.#leaderHint ??
        this.#group?.raft.leaderId ??
        (this.members[next++ % this.members.length] as string);
      try {
        const result = await this.#proposeAt(target, command);
        this.#leaderHint = target;
        await this.#reached(result.revision, deadline);
        return result;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        last = error;
        const hint = leaderOf(error);
        this.#leaderHint = hint !== undefined && hint !== target ? hint : undefined;
        o.log.debug(
          { target, hint: this.#leaderHint ?? null, err: error },
          'a metastorage proposal was refused',
        );
      }
      if (o.clock.now() + pause >= deadline) break;
      if (this.#leaderHint === undefined) {
        await o.clock.sleep(pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    }
    throw new ServerError(
      'NO_QUORUM',
      `the metastorage (${this.members.join(', ')}) took no change from ${o.nodeName} within ` +
        `${timeoutMs} ms: no leader with a majority was reachable; retry`,
      { cause: last, extensions: { [ErrorExtensionKeys.inDoubt]: true } },
    );
  }

  /**
   * Brings the node's copy up to what the metastorage had committed when it was called (a read barrier: an
   * empty command through the leader's log, then a wait for the copy), so a catalog read after a change made
   * through any node sees it. Gives up after `timeoutMs` (a node cut off from the majority answers from the
   * copy it has).
   * @returns whether the copy is known to be current.
   */
  async sync(timeoutMs = DEFAULT_SYNC_TIMEOUT_MS): Promise<boolean> {
    this.#syncs++;
    try {
      const result = await this.propose({ compares: [], puts: [], deletes: [] }, timeoutMs);
      return this.view.revision >= result.revision;
    } catch (error) {
      this.#options.log.debug({ err: error }, 'the metastorage could not be reached for a sync');
      return false;
    }
  }

  /**
   * A sync in the background, unless one runs already: what a node does when a request shows its copy is
   * behind (it answers that request `STALE_METADATA`; the retry finds the copy caught up).
   */
  refresh(): void {
    if (this.#refreshing || !this.#running) return;
    this.#refreshing = true;
    void this.sync().finally(() => {
      this.#refreshing = false;
    });
  }

  /**
   * The error for a request from a newer catalog than this node's copy (`what` names what it lacks); it
   * starts a refresh in the background. Request handlers answer with it; the node's dispatch syncs and serves
   * the request once more before the answer goes.
   */
  staleError(what: string): ServerError {
    this.refresh();
    return new ServerError(
      'STALE_METADATA',
      `${this.#options.nodeName} has not learned ${what} yet (its catalog copy is at metastorage revision ` +
        `${this.view.revision}); retry`,
    );
  }

  /** Syncs asked for so far (catalog reads, stale requests). */
  get syncs(): number {
    return this.#syncs;
  }

  /**
   * A watch request from another node, served by this member's replica. A member that follows a leader it
   * knows and has nothing newer than the watcher sends it on to the leader (`NOT_PRIMARY` naming it), so
   * watches are not held where news arrives only a heartbeat later; one with something newer answers at once,
   * and one that knows no leader holds the watch only briefly.
   * @throws ServerError `NOT_PRIMARY` on a node that holds no replica (running), or as said.
   */
  watch(prefix: string, fromRevision: number, waitMs: number): Promise<MetaWatchBatch> {
    const group = this.#requireGroup();
    const leader = group.raft.leaderId;
    const self = this.#options.nodeName;
    if (leader !== undefined && leader !== self && group.kv.revision <= fromRevision) {
      throw new ServerError('NOT_PRIMARY', `${self} follows ${leader} in the metastorage; watch the leader`, {
        extensions: { leader },
      });
    }
    // Only the leader holds a watch long: a follower learns of commits a heartbeat late, and may learn of a
    // leader meanwhile (the next watch is sent on to it).
    const hold =
      group.raft.role === 'leader' ? Math.min(waitMs, DEFAULT_WATCH_WAIT_MS * 10) : FOLLOWER_HOLD_MS;
    return group.watch(prefix, fromRevision, Math.min(waitMs, hold));
  }

  /**
   * A proposal from another node, served by this member's replica.
   * @throws ServerError `NOT_PRIMARY` on a node that holds no replica or does not lead.
   */
  serveProposal(command: Uint8Array): Promise<MetaTxnResult> {
    return this.#requireGroup().propose(command);
  }

  /** Sends a Raft request of this node's replica and hands the answer to the replica running then. */
  #sendRaft(to: string, request: RaftRequest): void {
    this.#options.peers.raft(to, request).then(
      (result) => {
        // The op ties the result to its request; TypeScript cannot follow that through the union.
        this.#group?.raft.handleResult(to, request.op, result as RaftResultOf<typeof request.op>);
      },
      (error: unknown) =>
        this.#options.log.trace(
          { to, op: request.op, err: error },
          'a metastorage Raft request got no answer',
        ),
    );
  }

  #requireGroup(): MetastorageGroup {
    const group = this.#group;
    if (group === undefined) {
      throw new ServerError('NOT_PRIMARY', `${this.#options.nodeName} holds no running metastorage replica`, {
        extensions: { leader: null },
      });
    }
    return group;
  }

  #proposeAt(target: string, command: Uint8Array): Promise<MetaTxnResult> {
    if (target === this.#options.nodeName) {
      // Thrown synchronously by a replica that does not lead: the same retry path as a remote refusal.
      return Promise.resolve().then(() => this.#requireGroup().propose(command));
    }
    return this.#options.peers.propose(target, command);
  }

  /** Waits for the copy to hold `revision`, but not past `deadline` (the change committed either way). */
  async #reached(revision: number, deadline: number): Promise<void> {
    const clock = this.#options.clock;
    while (this.view.revision < revision && this.#running && clock.now() < deadline) {
      await Promise.race([this.view.reached(revision), clock.sleep(FIRST_PAUSE_MS)]);
    }
  }

  /**
   * Whom to watch: the leader when this node knows it (its changes arrive as they apply there), else the
   * members in turn; never itself (a member's own replica feeds its copy). `undefined`: this node leads.
   */
  #watchTarget(turn: number): string | undefined {
    const self = this.#options.nodeName;
    const leader = this.#group?.raft.leaderId ?? this.#leaderHint;
    if (leader === self) return undefined;
    if (leader !== undefined) return leader;
    const others = this.members.filter((m) => m !== self);
    return others[turn % others.length];
  }

  async #watchLoop(life: number): Promise<void> {
    const o = this.#options;
    const waitMs = o.watchWaitMs ?? DEFAULT_WATCH_WAIT_MS;
    let turn = 0;
    let pause = FIRST_PAUSE_MS;
    while (this.#life === life) {
      const member = this.#watchTarget(turn);
      if (member === undefined) {
        await o.clock.sleep(waitMs);
        continue;
      }
      try {
        const result = await o.peers.watch(member, EVERYTHING, this.view.revision, waitMs);
        if (this.#life !== life) return;
        this.view.apply(
          result.reset
            ? {
                kind: 'reset',
                revision: result.revision,
                entries: result.events.flatMap((e) =>
                  e.value === null ? [] : [{ key: e.key, value: e.value, modRevision: e.revision }],
                ),
              }
            : { kind: 'events', revision: result.revision, events: result.events },
        );
        pause = FIRST_PAUSE_MS;
        // Nothing new: this member may be cut off from the majority (stale), so ask another next time.
        if (result.events.length === 0) {
          turn++;
          if (member === this.#leaderHint) this.#leaderHint = undefined;
        }
      } catch (error) {
        if (this.#life !== life) return;
        const leader = leaderOf(error);
        if (leader !== undefined && leader !== member && leader !== o.nodeName) {
          // Sent on to the leader: ask it next, at once.
          this.#leaderHint = leader;
          continue;
        }
        this.#watchFailures++;
        o.log.trace({ member, err: error }, 'a metastorage watch got no answer; trying another member');
        turn++;
        if (member === this.#leaderHint) this.#leaderHint = undefined;
        await o.clock.sleep(pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { readonly code?: unknown }).code;
  if (typeof code !== 'string') return false;
  try {
    return isRetryableCode(code as Parameters<typeof isRetryableCode>[0]);
  } catch {
    return false;
  }
}

function leaderOf(error: unknown): string | undefined {
  const extensions = (error as { readonly extensions?: Record<string, unknown> }).extensions;
  const leader = extensions?.['leader'];
  return typeof leader === 'string' && leader.length > 0 ? leader : undefined;
}
