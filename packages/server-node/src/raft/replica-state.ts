/**
 * What a replica keeps whatever its role: its term and vote, its log, its latest snapshot, its commit and
 * apply positions, and the state machine they feed. Every change to the log or the term goes to the storage
 * in the same step, so that an answer sent after `whenDurable` never promises more than the disk holds.
 *
 * It does not decide what to append, cut, or commit (the roles do), but it refuses to cut a committed entry:
 * that would break Raft's safety, so it throws rather than go on.
 */
import type { Buggify } from '@datastreamer/protocol';
import type { RaftConfig, RaftEntry, RaftSnapshotMeta } from '@datastreamer/protocol/internal';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import { GroupCommit } from './group-commit.js';
import { EMPTY_CONFIG, RaftLog } from './raft-log.js';
import { RaftStorage, type StoredSnapshot } from './raft-storage.js';
import type { RaftNodeView, RaftProbe, RaftStateMachine } from './raft-types.js';

export interface ReplicaStateOptions {
  readonly disk: Disk;
  readonly storagePrefix: string;
  readonly initialConfig: RaftConfig | undefined;
  readonly stateMachine: RaftStateMachine;
  readonly probe: RaftProbe | undefined;
  /** The replica as probes see it. */
  readonly view: RaftNodeView;
  /** Snapshot every this many applied entries (0: never by itself). */
  readonly snapshotEvery: number;
  /** Fault points: `raft.snapshot-now` snapshots right after an entry applies. */
  readonly buggify: Buggify;
}

export class ReplicaState {
  readonly log: RaftLog;
  readonly #storage: RaftStorage;
  readonly #commit: GroupCommit;
  readonly #stateMachine: RaftStateMachine;
  readonly #probe: RaftProbe | undefined;
  readonly #view: RaftNodeView;
  readonly #snapshotEvery: number;
  readonly #buggify: Buggify;
  #term: number;
  #votedFor: string | null;
  #commitIndex: number;
  #lastApplied: number;
  #snapshot: StoredSnapshot | null;

  /** Loads what the disk holds and rebuilds the state machine from the snapshot, if there is one. */
  constructor(options: ReplicaStateOptions) {
    this.#storage = new RaftStorage(options.disk, options.storagePrefix);
    this.#commit = new GroupCommit(this.#storage);
    this.#stateMachine = options.stateMachine;
    this.#probe = options.probe;
    this.#view = options.view;
    this.#snapshotEvery = options.snapshotEvery;
    this.#buggify = options.buggify;
    const loaded = this.#storage.load();
    const base = loaded.snapshot?.meta ?? {
      index: 0,
      term: 0,
      config: options.initialConfig ?? EMPTY_CONFIG,
      lease: null,
    };
    this.log = new RaftLog(base);
    for (const { entry } of loaded.entries) this.log.append(entry);
    this.#term = loaded.hardState.term;
    this.#votedFor = loaded.hardState.votedFor;
    this.#snapshot = loaded.snapshot;
    if (loaded.snapshot !== null) this.#stateMachine.restore(loaded.snapshot.data);
    // What the snapshot covers was committed; what follows is learnt again from a leader.
    this.#commitIndex = base.index;
    this.#lastApplied = base.index;
  }

  get term(): number {
    return this.#term;
  }

  get votedFor(): string | null {
    return this.#votedFor;
  }

  get commitIndex(): number {
    return this.#commitIndex;
  }

  get lastApplied(): number {
    return this.#lastApplied;
  }

  /** The latest snapshot on this replica's disk (what a leader sends to a member that fell behind). */
  get snapshot(): StoredSnapshot | null {
    return this.#snapshot;
  }

  /** Records a new term and vote (written at once, durable with the next sync). */
  setHardState(term: number, votedFor: string | null): void {
    if (term === this.#term && votedFor === this.#votedFor) return;
    this.#term = term;
    this.#votedFor = votedFor;
    this.#storage.saveHardState({ term, votedFor });
  }

  /** Appends `entries` after the last entry; returns the index of the first. */
  append(entries: readonly RaftEntry[]): number {
    const first = this.log.lastIndex + 1;
    if (entries.length === 0) return first;
    for (const entry of entries) this.log.append(entry);
    this.#storage.append(first, entries);
    this.#probe?.appended(this.#view, first, entries);
    return first;
  }

  /**
   * Removes the entries at `index` and after (a conflict with the leader's log).
   * @throws ServerError `INTERNAL` if that would remove a committed entry.
   */
  truncateFrom(index: number): void {
    if (index <= this.#commitIndex) {
      throw new ServerError(
        'INTERNAL',
        `Raft safety: replica ${this.#view.id} of ${this.#view.group} was asked to remove entry ${index}, ` +
          `at or below its commit index ${this.#commitIndex}`,
      );
    }
    this.log.truncateFrom(index);
    this.#storage.truncateFrom(index);
  }

  /** Raises the commit index to `index` (if higher) and applies what it commits, in order. */
  commitTo(index: number): void {
    const target = Math.min(index, this.log.lastIndex);
    if (target <= this.#commitIndex) return;
    this.#commitIndex = target;
    this.#probe?.committed(this.#view, target);
    while (this.#lastApplied < this.#commitIndex) {
      const at = this.#lastApplied + 1;
      const entry = this.log.entryAt(at);
      if (entry === undefined) break;
      this.#lastApplied = at;
      if (entry.kind === 'command') {
        this.#stateMachine.apply({ index: at, term: entry.term, command: entry.command });
      }
      this.#probe?.applied(this.#view, at, entry);
    }
    const due = this.#snapshotEvery > 0 && this.#lastApplied - this.log.snapshotIndex >= this.#snapshotEvery;
    if (due || (this.#lastApplied > this.log.snapshotIndex && this.#buggify('raft.snapshot-now'))) {
      this.takeSnapshot();
    }
  }

  /**
   * Snapshots the state machine at the last applied entry and drops the log entries it covers. Returns
   * false when there is nothing new to cover.
   */
  takeSnapshot(): boolean {
    const index = this.#lastApplied;
    if (index <= this.log.snapshotIndex) return false;
    const snapshot = { meta: this.log.metaAt(index), data: this.#stateMachine.snapshot() };
    const kept = this.log.entriesFrom(index + 1, Number.POSITIVE_INFINITY);
    this.log.compactTo(index);
    this.#storage.saveSnapshot(snapshot, kept);
    this.#snapshot = snapshot;
    this.#probe?.snapshotInstalled(this.#view, snapshot.meta);
    return true;
  }

  /**
   * Replaces the state by a snapshot a leader sent. The log keeps the entries after the snapshot if the
   * entry at its index agrees with it; otherwise the whole log goes. A snapshot that covers nothing past
   * the commit index is ignored: everything it holds is already here.
   */
  installSnapshot(meta: RaftSnapshotMeta, data: Uint8Array): void {
    if (meta.index <= this.#commitIndex) return;
    let kept: RaftEntry[] = [];
    if (this.log.termAt(meta.index) === meta.term) {
      kept = this.log.entriesFrom(meta.index + 1, Number.POSITIVE_INFINITY);
      this.log.compactTo(meta.index);
    } else {
      this.log.resetTo(meta);
    }
    this.#storage.saveSnapshot({ meta, data }, kept);
    this.#snapshot = { meta, data };
    this.#stateMachine.restore(data);
    this.#commitIndex = meta.index;
    this.#lastApplied = meta.index;
    this.#probe?.snapshotInstalled(this.#view, meta);
  }

  /** Runs `work` once everything written so far is durable (see group-commit.ts). */
  whenDurable(work: () => void): void {
    this.#commit.whenDurable(work);
  }
}
