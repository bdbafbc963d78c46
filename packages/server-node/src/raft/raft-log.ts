/**
 * A replica's Raft log in memory: the snapshot it starts from (the index and term of the last entry the
 * snapshot covers), the entries after it, and what config and lease entries set along the way. Index 0 is the
 * empty log's "entry" of term 0; real entries start at 1.
 *
 * It keeps the log's shape only: it does not persist (raft-storage.ts does), check terms against a leader, or
 * decide what may be appended or cut (the Raft node does, and checks that nothing committed is ever cut).
 */
import type { RaftConfig, RaftEntry, RaftLease, RaftSnapshotMeta } from '@datastreamer/protocol/internal';
import { IndexedHistory } from './indexed-history.js';

/** A configuration with no members: a replica that has not learnt its group yet. */
export const EMPTY_CONFIG: RaftConfig = { voters: [], learners: [] };

/** An entry with its index. */
export interface IndexedEntry {
  readonly index: number;
  readonly entry: RaftEntry;
}

export class RaftLog {
  #snapshotIndex: number;
  #snapshotTerm: number;
  /** `#entries[i]` is the entry at index `#snapshotIndex + 1 + i`. */
  #entries: RaftEntry[] = [];
  readonly #configs: IndexedHistory<RaftConfig>;
  readonly #leases: IndexedHistory<RaftLease | null>;

  /** A log that starts after `base` (index 0 and `config` for a new group). */
  constructor(base: RaftSnapshotMeta) {
    this.#snapshotIndex = base.index;
    this.#snapshotTerm = base.term;
    this.#configs = new IndexedHistory(base.index, base.config);
    this.#leases = new IndexedHistory(base.index, base.lease);
  }

  get snapshotIndex(): number {
    return this.#snapshotIndex;
  }

  get snapshotTerm(): number {
    return this.#snapshotTerm;
  }

  get lastIndex(): number {
    return this.#snapshotIndex + this.#entries.length;
  }

  get lastTerm(): number {
    return this.#entries.at(-1)?.term ?? this.#snapshotTerm;
  }

  /** The term of the entry at `index`, or `undefined` when the log does not know it (compacted or beyond). */
  termAt(index: number): number | undefined {
    if (index === this.#snapshotIndex) return this.#snapshotTerm;
    return this.entryAt(index)?.term;
  }

  /** The entry at `index`, or `undefined` when it is compacted or beyond the end. */
  entryAt(index: number): RaftEntry | undefined {
    if (index <= this.#snapshotIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1];
  }

  /** Up to `max` entries from `from` (which must be after the snapshot) to the end. */
  entriesFrom(from: number, max: number): RaftEntry[] {
    const start = from - this.#snapshotIndex - 1;
    return this.#entries.slice(start, start + max);
  }

  /** The configuration of the newest config entry (committed or not), or the snapshot's. */
  get config(): RaftConfig {
    return this.#configs.latest().value;
  }

  /** The index of the entry that set the current configuration (the snapshot's index for its config). */
  get configIndex(): number {
    return this.#configs.latest().index;
  }

  /** The configuration in effect at `index`. */
  configAt(index: number): RaftConfig {
    return this.#configs.at(index);
  }

  /** The newest lease in the log (committed or not) and its index, or `undefined` when there is none. */
  latestLease(): { readonly index: number; readonly lease: RaftLease } | undefined {
    const { index, value } = this.#leases.latest();
    return value === null ? undefined : { index, lease: value };
  }

  /** The lease in effect at `index`. */
  leaseAt(index: number): RaftLease | null {
    return this.#leases.at(index);
  }

  /** Appends `entry` at `lastIndex + 1`, and returns that index. */
  append(entry: RaftEntry): number {
    this.#entries.push(entry);
    const index = this.lastIndex;
    if (entry.kind === 'config') this.#configs.set(index, entry.config);
    else if (entry.kind === 'lease') this.#leases.set(index, entry.lease);
    return index;
  }

  /** Removes the entries at `index` and after (`index` must be after the snapshot). */
  truncateFrom(index: number): void {
    this.#entries.length = Math.max(0, index - this.#snapshotIndex - 1);
    this.#configs.truncateFrom(index);
    this.#leases.truncateFrom(index);
  }

  /** Drops the entries up to `index` (at most `lastIndex`), which a snapshot now covers. */
  compactTo(index: number): void {
    if (index <= this.#snapshotIndex) return;
    this.#snapshotTerm = this.termAt(index) ?? this.#snapshotTerm;
    this.#entries = this.#entries.slice(index - this.#snapshotIndex);
    this.#snapshotIndex = index;
    this.#configs.compactTo(index);
    this.#leases.compactTo(index);
  }

  /** Replaces the whole log by the snapshot `meta` (the log had nothing that agrees with it). */
  resetTo(meta: RaftSnapshotMeta): void {
    this.#snapshotIndex = meta.index;
    this.#snapshotTerm = meta.term;
    this.#entries = [];
    this.#configs.reset(meta.index, meta.config);
    this.#leases.reset(meta.index, meta.lease);
  }

  /** The snapshot metadata for a snapshot taken at `index` (after the current snapshot, up to the end). */
  metaAt(index: number): RaftSnapshotMeta {
    return {
      index,
      term: this.termAt(index) ?? this.#snapshotTerm,
      config: this.configAt(index),
      lease: this.leaseAt(index),
    };
  }
}
