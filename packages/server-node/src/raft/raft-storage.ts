/**
 * What one replica of a Raft group keeps on its node's `Disk`, under `<prefix>/`:
 *
 * - `state`: `term: long, votedFor: str | nil`, rewritten whole on every change;
 * - `log`: one record per entry, `index: long, entry` (raft-entry.ts), appended; a conflict truncates the file
 *   at the first record it removes;
 * - `snapshot`: `snapshotMeta, data: bin`, rewritten whole; the log is then rewritten without what it covers.
 *
 * Changes are durable only after `sync`. Because the disk makes a prefix of the issued changes durable, a
 * crash between the snapshot and the log rewrite leaves the new snapshot with the old log: `load` keeps only
 * the log records after the snapshot that agree with it (the record at the snapshot's index has its term),
 * as installing it would have.
 *
 * It does not decide what to write: the Raft node does, in the order Raft needs.
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import {
  type RaftEntry,
  RaftEntryKinds,
  type RaftSnapshotMeta,
  readRaftEntry,
  readRaftSnapshotMeta,
  writeRaftEntry,
  writeRaftSnapshotMeta,
} from '@datastreamer/protocol/internal';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import type { IndexedEntry } from './raft-log.js';

/** A replica's term and vote, which it must never forget once it has answered with them. */
export interface HardState {
  readonly term: number;
  readonly votedFor: string | null;
}

/** A snapshot as stored: what it covers, and the state machine's bytes. */
export interface StoredSnapshot {
  readonly meta: RaftSnapshotMeta;
  readonly data: Uint8Array;
}

/** Everything a replica finds on its disk when it starts. */
export interface LoadedState {
  readonly hardState: HardState;
  readonly snapshot: StoredSnapshot | null;
  /** Consecutive entries after the snapshot (or from index 1 without one). */
  readonly entries: readonly IndexedEntry[];
}

export class RaftStorage {
  readonly #disk: Disk;
  readonly #statePath: string;
  readonly #logPath: string;
  readonly #snapshotPath: string;
  readonly #writer = new MsgPackWriter();
  /** The index of the first record in the log file, and the file offset where each record starts. */
  #firstIndex = 1;
  #offsets: number[] = [];
  #logSize = 0;

  constructor(disk: Disk, prefix: string) {
    this.#disk = disk;
    this.#statePath = `${prefix}/state`;
    this.#logPath = `${prefix}/log`;
    this.#snapshotPath = `${prefix}/snapshot`;
  }

  /**
   * Reads what the disk holds and takes over its log file (rewriting it when a crash left records that the
   * snapshot covers or contradicts).
   * @throws ServerError `INTERNAL` when a file does not decode (the disk model never tears a write).
   */
  load(): LoadedState {
    const hardState = this.#decode(this.#statePath, (reader) => {
      const term = reader.readSafeInteger('term');
      const votedFor = reader.readStringOrNil('votedFor');
      return { term, votedFor };
    }) ?? { term: 0, votedFor: null };
    const snapshot =
      this.#decode(this.#snapshotPath, (reader) => ({
        meta: readRaftSnapshotMeta(reader),
        data: reader.readBinary('data').slice(),
      })) ?? null;
    const offsets: number[] = [];
    const logBytes = this.#disk.size(this.#logPath);
    const records =
      this.#decode(this.#logPath, (reader) => {
        const out: IndexedEntry[] = [];
        while (reader.remaining > 0) {
          offsets.push(reader.offset);
          const index = reader.readSafeInteger('index');
          out.push({ index, entry: readRaftEntry(reader) });
        }
        return out;
      }) ?? [];
    const entries = snapshot === null ? records : agreeingSuffix(records, snapshot.meta);
    if (entries.length === records.length) {
      this.#firstIndex = entries[0]?.index ?? 1;
      this.#offsets = offsets;
      this.#logSize = logBytes;
    } else {
      this.rewriteLog(
        (snapshot?.meta.index ?? 0) + 1,
        entries.map((e) => e.entry),
      );
    }
    return { hardState, snapshot, entries };
  }

  saveHardState(state: HardState): void {
    const writer = this.#writer;
    writer.reset();
    writer.writeInt(state.term, 'term');
    if (state.votedFor === null) writer.writeNil();
    else writer.writeString(state.votedFor);
    this.#disk.write(this.#statePath, writer.view());
  }

  /**
   * Appends `entries`, the first at `index` (the log file must end just before it), as one change of the
   * disk. A command's bytes (immutable, as every entry is) go to the disk as they are, not copied: only the
   * records' heads are written out.
   */
  append(index: number, entries: readonly RaftEntry[]): void {
    if (entries.length === 0) return;
    if (this.#offsets.length === 0) this.#firstIndex = index;
    const writer = this.#writer;
    const parts: Uint8Array[] = [];
    writer.reset();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as RaftEntry;
      this.#offsets.push(this.#logSize);
      writer.writeInt(index + i, 'index');
      if (entry.kind === 'command') {
        // The head (index, term, kind, the bin's length) is written here; the command's bytes follow it.
        writeRaftEntryHead(writer, entry);
        parts.push(writer.toBytes(), entry.command);
        this.#logSize += writer.length + entry.command.length;
        writer.reset();
      } else {
        writeRaftEntry(writer, entry);
        parts.push(writer.toBytes());
        this.#logSize += writer.length;
        writer.reset();
      }
    }
    this.#disk.appendOwned(this.#logPath, parts);
  }

  /** Removes the records at `index` and after. */
  truncateFrom(index: number): void {
    const keep = Math.max(0, index - this.#firstIndex);
    if (keep >= this.#offsets.length) return;
    this.#logSize = this.#offsets[keep] as number;
    this.#offsets.length = keep;
    this.#disk.truncate(this.#logPath, this.#logSize);
  }

  /** Replaces the log file by `entries`, the first at `firstIndex`. */
  rewriteLog(firstIndex: number, entries: readonly RaftEntry[]): void {
    this.#firstIndex = firstIndex;
    this.#offsets = [];
    this.#logSize = 0;
    this.#disk.write(this.#logPath, new Uint8Array(0));
    this.append(firstIndex, entries);
  }

  /**
   * Stores `snapshot`, then rewrites the log as `kept` (the entries after the snapshot's index that stay).
   * In that order: a crash in between leaves the snapshot with the old log, which `load` reconciles.
   */
  saveSnapshot(snapshot: StoredSnapshot, kept: readonly RaftEntry[]): void {
    const writer = this.#writer;
    writer.reset();
    writeRaftSnapshotMeta(writer, snapshot.meta);
    writer.writeBinary(snapshot.data);
    this.#disk.write(this.#snapshotPath, writer.view());
    this.rewriteLog(snapshot.meta.index + 1, kept);
  }

  /** Calls `onDurable` once every change issued so far is durable (see `Disk.sync`). */
  sync(onDurable: () => void): void {
    this.#disk.sync(onDurable);
  }

  #decode<T>(path: string, read: (reader: MsgPackReader) => T): T | undefined {
    const bytes = this.#disk.read(path);
    if (bytes === undefined) return undefined;
    try {
      const reader = new MsgPackReader(bytes);
      const value = read(reader);
      reader.expectEnd(path);
      return value;
    } catch (cause) {
      throw new ServerError('INTERNAL', `Raft storage: ${path} does not decode`, { cause });
    }
  }
}

/**
 * Writes a command entry as `writeRaftEntry` does, up to and including its bin's header: what precedes the
 * command's bytes in the record.
 */
function writeRaftEntryHead(writer: MsgPackWriter, entry: RaftEntry & { readonly kind: 'command' }): void {
  writer.writeInt(entry.term, 'term');
  writer.writeInt32(RaftEntryKinds.command);
  writer.writeBinaryHeader(entry.command.length);
}

/** The records after `meta.index`, if the record at `meta.index` agrees with the snapshot; else none. */
function agreeingSuffix(records: readonly IndexedEntry[], meta: RaftSnapshotMeta): IndexedEntry[] {
  const at = records.findIndex((r) => r.index === meta.index);
  if (at >= 0) return (records[at] as IndexedEntry).entry.term === meta.term ? records.slice(at + 1) : [];
  // No record at the snapshot's index: the log was already rewritten after it (or holds nothing after it).
  const first = records[0];
  return first !== undefined && first.index === meta.index + 1 ? [...records] : [];
}
