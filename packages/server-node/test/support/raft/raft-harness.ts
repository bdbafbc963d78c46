/**
 * A deterministic Raft test bench: replicas of one group on a manual clock run event by event, a simulated network between them
 * (random delays, drops, directed cuts), a simulated disk per replica, and crash / restart / destroy. One
 * seed drives everything. Every message goes through the protocol's codecs, and after every step the
 * safety checker looks at every live replica.
 *
 * Messages may be reordered (delays are drawn per message): Raft must cope, and the harness is harsher than
 * an ordered connection. A reply goes back to the incarnation that sent the request only (a restarted
 * replica never gets answers meant for its previous life).
 */
import {
  createRng,
  decodeRequest,
  decodeResponse,
  encodeRequestFrame,
  encodeResponseFrame,
  type OkResponse,
  type Request,
  type SeededRng,
} from '@datastreamer/protocol';
import type { Disk } from '../../../src/disk/disk.js';
import { MemoryDisk } from '../../../src/disk/memory-disk.js';
import { RaftNode } from '../../../src/raft/raft-node.js';
import type { RaftNodeOptions } from '../../../src/raft/raft-options.js';
import { RaftSafetyChecker } from '../../../src/raft/raft-safety-checker.js';
import type { RaftOp, RaftRequest, RaftResultOf } from '../../../src/raft/raft-types.js';
import { ManualClock } from '../manual-clock.js';
import { command, LogStateMachine } from './log-state-machine.js';

/** Raft options the harness passes to every replica unless a test overrides them. */
export const HARNESS_RAFT = {
  electionTimeoutMs: { min: 150, max: 300 },
  heartbeatIntervalMs: 30,
  maxEntriesPerAppend: 8,
  maxInflightAppends: 4,
  snapshotChunkBytes: 64,
  snapshotEveryEntries: 0,
} as const;

export interface RaftHarnessOptions {
  readonly seed: bigint;
  /** The founding voters. */
  readonly members: readonly string[];
  readonly raft?: Partial<Omit<RaftNodeOptions, 'id' | 'clock' | 'rng' | 'disk' | 'stateMachine' | 'send'>>;
  /** Per-message delay, uniform in [min, max]. Default 1..10. */
  readonly delayMs?: { readonly min: number; readonly max: number };
  /** Default 1..5. */
  readonly syncLatencyMs?: { readonly min: number; readonly max: number };
  /** Round-trip every message through the wire codecs. Default true. */
  readonly wire?: boolean;
  /** What the replicas see of their disk (a test may plant a faulty one). Default: the disk itself. */
  readonly wrapDisk?: (disk: MemoryDisk) => Disk;
}

interface Replica {
  readonly id: string;
  readonly disk: MemoryDisk;
  raft: RaftNode | undefined;
  sm: LogStateMachine;
  incarnation: number;
  readonly initialConfig: RaftNodeOptions['initialConfig'];
}

/** A proposal the harness made, and whether its proposer saw it applied at its index and term. */
export interface TrackedProposal {
  readonly text: string;
  readonly index: number;
  readonly term: number;
  readonly proposer: string;
  acknowledged: boolean;
}

export class RaftHarness {
  readonly clock = new ManualClock(0);
  readonly checker: RaftSafetyChecker;
  readonly trace: string[] = [];
  readonly proposals: TrackedProposal[] = [];
  readonly #rng: SeededRng;
  readonly #net: SeededRng;
  readonly #options: RaftHarnessOptions;
  readonly #replicas = new Map<string, Replica>();
  readonly #cuts = new Set<string>();
  #dropRate = 0;
  #requestId = 0;
  stats = { sent: 0, delivered: 0, dropped: 0, snapshotChunks: 0 };

  constructor(options: RaftHarnessOptions) {
    this.#options = options;
    this.#rng = createRng(options.seed);
    this.#net = this.#rng.child('net');
    const min = options.raft?.electionTimeoutMs?.min ?? HARNESS_RAFT.electionTimeoutMs.min;
    this.checker = new RaftSafetyChecker({ clock: this.clock, leaseWindowMs: min });
    const config = { voters: [...options.members], learners: [] };
    for (const id of options.members) this.#create(id, config);
  }

  /** The live replica `id` (throws when it is down). */
  node(id: string): RaftNode {
    const raft = this.#replica(id).raft;
    if (raft === undefined) throw new Error(`replica ${id} is down`);
    return raft;
  }

  sm(id: string): LogStateMachine {
    return this.#replica(id).sm;
  }

  disk(id: string): MemoryDisk {
    return this.#replica(id).disk;
  }

  /** Live replicas. */
  live(): RaftNode[] {
    return [...this.#replicas.values()].flatMap((r) => (r.raft === undefined ? [] : [r.raft]));
  }

  ids(): string[] {
    return [...this.#replicas.keys()];
  }

  /** Starts a replica outside the group (it waits to be added as a learner). */
  addReplica(id: string): RaftNode {
    this.#create(id, undefined);
    return this.node(id);
  }

  /** The live leader of the highest term, if any. */
  leader(): RaftNode | undefined {
    let best: RaftNode | undefined;
    for (const node of this.live())
      if (node.role === 'leader' && (best === undefined || node.term > best.term)) best = node;
    return best;
  }

  /** Proposes `text` on the current leader; returns the tracked proposal, or undefined without a leader. */
  propose(text: string): TrackedProposal | undefined {
    const leader = this.leader();
    if (leader === undefined) return undefined;
    const { index, term } = leader.propose(command(text));
    const proposal = { text, index, term, proposer: leader.id, acknowledged: false };
    this.proposals.push(proposal);
    return proposal;
  }

  crash(id: string): void {
    const replica = this.#replica(id);
    replica.raft?.stop();
    replica.raft = undefined;
    replica.disk.crash();
    this.trace.push(`${this.clock.now()} crash ${id}`);
  }

  restart(id: string): RaftNode {
    const replica = this.#replica(id);
    if (replica.raft !== undefined) throw new Error(`replica ${id} is up`);
    this.#start(replica);
    this.trace.push(`${this.clock.now()} restart ${id}`);
    return this.node(id);
  }

  /** Cuts the link from `from` to `to` (one direction). */
  cut(from: string, to: string): void {
    this.#cuts.add(`${from}>${to}`);
  }

  /** Cuts `id` off from every other replica, both ways. */
  isolate(id: string): void {
    for (const other of this.ids()) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  /** Splits the replicas into `groups` that cannot reach each other. */
  partition(groups: readonly (readonly string[])[]): void {
    for (const a of groups)
      for (const b of groups) {
        if (a === b) continue;
        for (const from of a) for (const to of b) this.cut(from, to);
      }
  }

  /** Restores every link and stops dropping. */
  heal(): void {
    this.#cuts.clear();
    this.#dropRate = 0;
  }

  setDropRate(rate: number): void {
    this.#dropRate = rate;
  }

  /** Runs one event; returns false when nothing is scheduled. */
  step(): boolean {
    const ran = this.clock.step();
    if (ran) this.checker.observe(this.live());
    return ran;
  }

  /** Runs every event due in the next `ms`. */
  runFor(ms: number): void {
    const until = this.clock.now() + ms;
    while (this.clock.step(until)) this.checker.observe(this.live());
    this.clock.advanceTo(until);
  }

  /** Runs until `done()` holds; throws after `maxMs` of simulated time. */
  runUntil(done: () => boolean, maxMs = 10_000, what = 'the condition'): void {
    const until = this.clock.now() + maxMs;
    while (!done()) {
      if (!this.clock.step(until)) throw new Error(`${what} did not hold within ${maxMs} ms`);
      this.checker.observe(this.live());
    }
  }

  /** Runs until there is a leader, and returns it. */
  electLeader(maxMs = 5_000): RaftNode {
    this.runUntil(() => this.leader() !== undefined, maxMs, 'a leader');
    return this.leader() as RaftNode;
  }

  #replica(id: string): Replica {
    const replica = this.#replicas.get(id);
    if (replica === undefined) throw new Error(`no replica ${id}`);
    return replica;
  }

  #create(id: string, initialConfig: RaftNodeOptions['initialConfig']): void {
    const latency = this.#options.syncLatencyMs ?? { min: 1, max: 5 };
    const disk = new MemoryDisk({
      clock: this.clock,
      syncLatencyMs: latency,
      rng: this.#rng.child(`disk-${id}`),
      name: `${id} disk`,
    });
    const replica: Replica = {
      id,
      disk,
      raft: undefined,
      sm: new LogStateMachine(),
      incarnation: 0,
      initialConfig,
    };
    this.#replicas.set(id, replica);
    this.#start(replica);
  }

  #start(replica: Replica): void {
    replica.incarnation++;
    const incarnation = replica.incarnation;
    replica.sm = new LogStateMachine();
    const sm = replica.sm;
    const id = replica.id;
    sm.onApply = (index, term) => {
      for (const p of this.proposals)
        if (p.proposer === id && p.index === index && p.term === term) p.acknowledged = true;
    };
    replica.raft = new RaftNode({
      ...HARNESS_RAFT,
      ...this.#options.raft,
      ...(replica.initialConfig === undefined ? {} : { initialConfig: replica.initialConfig }),
      id,
      group: 'g',
      clock: this.clock,
      rng: this.#rng.child(`raft-${id}-${incarnation}`),
      disk: this.#options.wrapDisk?.(replica.disk) ?? replica.disk,
      stateMachine: sm,
      send: (to, request) => this.#send(id, incarnation, to, request),
      probe: this.checker,
      onRoleChange: (change) =>
        this.trace.push(`${this.clock.now()} ${id} ${change.role} t${change.term} leader=${change.leaderId}`),
    });
  }

  #lost(from: string, to: string): boolean {
    return this.#cuts.has(`${from}>${to}`) || (this.#dropRate > 0 && this.#net.chance(this.#dropRate));
  }

  #delay(): number {
    const { min, max } = this.#options.delayMs ?? { min: 1, max: 10 };
    return this.#net.int(min, max);
  }

  #send(from: string, incarnation: number, to: string, request: RaftRequest): void {
    this.stats.sent++;
    if (request.op === 'RAFT_SNAPSHOT') this.stats.snapshotChunks++;
    if (this.#lost(from, to)) {
      this.stats.dropped++;
      return;
    }
    const requestId = ++this.#requestId;
    const delivered = this.#wireRequest({ ...request, requestId });
    this.clock.setTimer(this.#delay(), () => {
      const target = this.#replicas.get(to)?.raft;
      if (target === undefined) return;
      this.stats.delivered++;
      this.trace.push(`${this.clock.now()} ${from}>${to} ${request.op} t${request.term}`);
      target.handleRequest(delivered, (result) =>
        this.#reply(to, from, incarnation, request.op, requestId, result),
      );
    });
  }

  #reply<K extends RaftOp>(
    from: string,
    to: string,
    incarnation: number,
    op: K,
    requestId: number,
    result: RaftResultOf<K>,
  ): void {
    if (this.#lost(from, to)) {
      this.stats.dropped++;
      return;
    }
    const delivered = this.#wireResult(op, requestId, result);
    this.clock.setTimer(this.#delay(), () => {
      const replica = this.#replicas.get(to);
      if (replica?.raft === undefined || replica.incarnation !== incarnation) return;
      this.trace.push(`${this.clock.now()} ${from}>${to} ${op} result t${result.term}`);
      replica.raft.handleResult(from, op, delivered);
    });
  }

  #wireRequest(request: RaftRequest & { readonly requestId: number }): RaftRequest {
    if (this.#options.wire === false) return request;
    const decoded: Request = decodeRequest(encodeRequestFrame(request).subarray(4));
    if (decoded.op !== 'RAFT_VOTE' && decoded.op !== 'RAFT_APPEND' && decoded.op !== 'RAFT_SNAPSHOT') {
      throw new Error(`a ${request.op} request decoded as ${decoded.op}`);
    }
    return decoded;
  }

  #wireResult<K extends RaftOp>(op: K, requestId: number, result: RaftResultOf<K>): RaftResultOf<K> {
    if (this.#options.wire === false) return result;
    const frame = encodeResponseFrame({
      kind: 'ok',
      op,
      requestId,
      observableTimestamp: 0n,
      result,
    } as OkResponse);
    const decoded = decodeResponse(frame.subarray(4), () => op);
    if (decoded.kind !== 'ok' || decoded.op !== op)
      throw new Error(`a ${op} result decoded as something else`);
    return decoded.result as RaftResultOf<K>;
  }
}
