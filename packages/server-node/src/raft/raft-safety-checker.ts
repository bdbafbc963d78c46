/**
 * Raft's safety properties, asserted while a group runs (after TigerBeetle's state checker): hand it to every
 * replica as their `probe`, call `observe` after each simulated step, and it throws a `RaftSafetyViolation`
 * the moment one breaks:
 *
 * - election safety: at most one leader per term;
 * - log matching: two entries with the same index and term hold the same thing and follow entries of the
 *   same term (so, by induction, the logs agree up to there);
 * - leader completeness: an entry committed anywhere is in the log of every later leader (or under its
 *   snapshot);
 * - state machine safety: no two replicas apply different entries at one index (nor a snapshot that
 *   contradicts a committed entry);
 * - lease safety (with `leaseWindowMs`): no leader is elected before every earlier leader's last majority
 *   contact plus the window, so a lease of that length never overlaps the next leader's;
 * - and, per replica and step: applied <= committed <= last index.
 *
 * It remembers every entry it saw (test-sized runs only), and judges nothing about liveness.
 */
import type { Clock } from '@datastreamer/protocol';
import type { RaftEntry, RaftSnapshotMeta } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { RaftNodeView, RaftProbe } from './raft-types.js';

export const RaftSafetyRules = {
  electionSafety: 'electionSafety',
  logMatching: 'logMatching',
  leaderCompleteness: 'leaderCompleteness',
  stateMachineSafety: 'stateMachineSafety',
  leaseSafety: 'leaseSafety',
  progress: 'progress',
} as const;

export type RaftSafetyRule = keyof typeof RaftSafetyRules;

/** A broken Raft safety property: a bug, never an operational error (code `INTERNAL`). */
export class RaftSafetyViolation extends ServerError {
  override readonly name: string = 'RaftSafetyViolation';
  readonly rule: RaftSafetyRule;

  constructor(rule: RaftSafetyRule, message: string) {
    super('INTERNAL', `Raft ${rule} violated: ${message}`);
    this.rule = rule;
  }
}

export interface RaftSafetyCheckerOptions {
  /** The clock the replicas run on (for lease safety). */
  readonly clock: Clock;
  /**
   * Check lease safety with this window: the replicas' minimum election timeout (the longest lease they
   * support). Default: not checked.
   */
  readonly leaseWindowMs?: number;
}

/** A short, stable text of what an entry holds, to compare entries seen on different replicas. */
export function entryDigest(entry: RaftEntry): string {
  switch (entry.kind) {
    case 'command': {
      let hash = 0x811c9dc5;
      for (const byte of entry.command) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
      return `command:${entry.command.length}:${hash.toString(16)}`;
    }
    case 'noop':
      return 'noop';
    case 'config':
      return `config:${entry.config.voters.join(',')}/${entry.config.learners.join(',')}`;
    case 'lease':
      return `lease:${entry.lease.holder}:${entry.lease.startMs}:${entry.lease.expiresAtMs}`;
  }
}

interface Seen {
  readonly digest: string;
  /** The term of the entry before it, when the replica knew it. */
  readonly prevTerm: number | undefined;
  readonly node: string;
}

interface Committed {
  readonly term: number;
  readonly digest: string;
  readonly node: string;
}

export class RaftSafetyChecker implements RaftProbe {
  readonly #clock: Clock;
  readonly #leaseWindowMs: number | undefined;
  readonly #leaders = new Map<number, string>();
  readonly #entries = new Map<string, Seen>();
  readonly #committed = new Map<number, Committed>();
  readonly #applied = new Map<number, { digest: string; node: string }>();
  /** Per leadership (`term`), the latest majority contact observed. */
  readonly #contacts = new Map<number, { leader: string; at: number }>();
  /** Per replica incarnation, the commit index the checker has recorded up to. */
  readonly #commitSeen = new WeakMap<RaftNodeView, number>();
  #maxCommitted = 0;

  constructor(options: RaftSafetyCheckerOptions) {
    this.#clock = options.clock;
    this.#leaseWindowMs = options.leaseWindowMs;
  }

  /** Leaders seen, by term. */
  get leaders(): ReadonlyMap<number, string> {
    return this.#leaders;
  }

  /** The highest index known committed. */
  get maxCommitted(): number {
    return this.#maxCommitted;
  }

  appended(node: RaftNodeView, firstIndex: number, entries: readonly RaftEntry[]): void {
    let prevTerm = node.termAt(firstIndex - 1);
    entries.forEach((entry, k) => {
      const index = firstIndex + k;
      const key = `${index}:${entry.term}`;
      const digest = entryDigest(entry);
      const seen = this.#entries.get(key);
      if (seen === undefined) {
        this.#entries.set(key, { digest, prevTerm, node: node.id });
      } else if (
        seen.digest !== digest ||
        (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm)
      ) {
        throw new RaftSafetyViolation(
          'logMatching',
          `entry ${index} of term ${entry.term} is ${digest} after term ${prevTerm} on ${node.id}, but ` +
            `${seen.digest} after term ${seen.prevTerm} on ${seen.node}`,
        );
      }
      prevTerm = entry.term;
    });
  }

  committed(node: RaftNodeView, commitIndex: number): void {
    const from = Math.max(this.#commitSeen.get(node) ?? 0, node.snapshotIndex) + 1;
    for (let index = from; index <= commitIndex; index++) {
      const entry = node.entryAt(index);
      if (entry === undefined) continue;
      this.#recordCommitted(node.id, index, entry.term, entryDigest(entry));
    }
    this.#commitSeen.set(node, commitIndex);
    this.#maxCommitted = Math.max(this.#maxCommitted, commitIndex);
  }

  applied(node: RaftNodeView, index: number, entry: RaftEntry): void {
    const digest = entryDigest(entry);
    const seen = this.#applied.get(index);
    if (seen === undefined) this.#applied.set(index, { digest, node: node.id });
    else if (seen.digest !== digest) {
      throw new RaftSafetyViolation(
        'stateMachineSafety',
        `${node.id} applied ${digest} at ${index}, ${seen.node} applied ${seen.digest}`,
      );
    }
    this.#recordCommitted(node.id, index, entry.term, digest);
  }

  becameLeader(node: RaftNodeView): void {
    const term = node.term;
    const other = this.#leaders.get(term);
    if (other !== undefined && other !== node.id) {
      throw new RaftSafetyViolation('electionSafety', `${other} and ${node.id} both lead term ${term}`);
    }
    this.#leaders.set(term, node.id);
    for (const [index, committed] of this.#committed) {
      if (index <= node.snapshotIndex) continue;
      if (node.termAt(index) !== committed.term) {
        throw new RaftSafetyViolation(
          'leaderCompleteness',
          `${node.id} leads term ${term} without entry ${index} (term ${committed.term}, committed on ` +
            `${committed.node}); its log has term ${node.termAt(index)} there`,
        );
      }
    }
    if (this.#leaseWindowMs === undefined) return;
    const now = this.#clock.now();
    for (const [earlier, contact] of this.#contacts) {
      if (earlier < term && now < contact.at + this.#leaseWindowMs) {
        throw new RaftSafetyViolation(
          'leaseSafety',
          `${node.id} leads term ${term} at ${now}, but ${contact.leader} (term ${earlier}) heard from a ` +
            `majority at ${contact.at}, so its lease runs until ${contact.at + this.#leaseWindowMs}`,
        );
      }
    }
  }

  snapshotInstalled(node: RaftNodeView, meta: RaftSnapshotMeta): void {
    const committed = this.#committed.get(meta.index);
    if (committed !== undefined && committed.term !== meta.term) {
      throw new RaftSafetyViolation(
        'stateMachineSafety',
        `${node.id} holds a snapshot at ${meta.index} of term ${meta.term}, but the entry committed there ` +
          `has term ${committed.term}`,
      );
    }
  }

  /** Checks every live replica after a step, and notes each leader's latest majority contact. */
  observe(nodes: Iterable<RaftNodeView>): void {
    for (const node of nodes) {
      if (!(node.lastApplied <= node.commitIndex && node.commitIndex <= node.lastIndex)) {
        throw new RaftSafetyViolation(
          'progress',
          `${node.id}: applied ${node.lastApplied}, committed ${node.commitIndex}, last index ${node.lastIndex}`,
        );
      }
      if (node.role !== 'leader') continue;
      const at = node.quorumContactAt();
      if (at === undefined) continue;
      const contact = this.#contacts.get(node.term);
      if (contact === undefined || at > contact.at) this.#contacts.set(node.term, { leader: node.id, at });
    }
  }

  #recordCommitted(node: string, index: number, term: number, digest: string): void {
    const seen = this.#committed.get(index);
    if (seen === undefined) this.#committed.set(index, { term, digest, node });
    else if (seen.term !== term || seen.digest !== digest) {
      throw new RaftSafetyViolation(
        'stateMachineSafety',
        `entry ${index} committed as ${digest} (term ${term}) on ${node}, but as ${seen.digest} ` +
          `(term ${seen.term}) on ${seen.node}`,
      );
    }
  }
}
