/**
 * The entries of a Raft log as they travel (in RAFT_APPEND) and as a node stores them: each entry has the
 * term it was created in and one of four kinds. Also the group configuration and the lease record that some
 * entries (and every snapshot) carry.
 *
 * | kind | id | payload after `term: long, kind: int` |
 * |---|---|---|
 * | command | 0 | `command: bin` (opaque to Raft: the state machine's own encoding) |
 * | noop | 1 | (none; a new leader's first entry) |
 * | config | 2 | `config` |
 * | lease | 3 | `lease` |
 *
 * `config` is `voters: count + str*, learners: count + str*`; `lease` is `holder: str, startMs: long,
 * expiresAtMs: long`. An entry's index is not written: it follows from its position (the entries of one
 * append are consecutive, and the disk record puts the index in front).
 *
 * A snapshot's metadata (`RaftSnapshotMeta`, in RAFT_SNAPSHOT and on disk) is `index: long, term: long,
 * config, lease: nil | lease`: the last entry the snapshot covers, and the configuration and latest lease as
 * of that entry.
 *
 * It does not decide what a configuration or a lease means: the Raft core in server-node does.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';

/** The members of a Raft group: voters elect and count toward commits; learners only receive the log. */
export interface RaftConfig {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

/** A time-bounded lease recorded in a group's log: `holder` may act as primary in [startMs, expiresAtMs). */
export interface RaftLease {
  readonly holder: string;
  /** Milliseconds on the cluster clock (a long on the wire; a safe integer here). */
  readonly startMs: number;
  readonly expiresAtMs: number;
}

/** Entry kinds with their wire ids. */
export const RaftEntryKinds = {
  command: 0,
  noop: 1,
  config: 2,
  lease: 3,
} as const;

export type RaftEntryKind = keyof typeof RaftEntryKinds;

/** One log entry: the term that created it and what it holds. */
export type RaftEntry =
  | { readonly kind: 'command'; readonly term: number; readonly command: Uint8Array }
  | { readonly kind: 'noop'; readonly term: number }
  | { readonly kind: 'config'; readonly term: number; readonly config: RaftConfig }
  | { readonly kind: 'lease'; readonly term: number; readonly lease: RaftLease };

const kindById = new Map<number, RaftEntryKind>(
  (Object.keys(RaftEntryKinds) as RaftEntryKind[]).map((kind) => [RaftEntryKinds[kind], kind]),
);

/**
 * Reads a term, an index, or a time: a safe integer that is never negative.
 * @throws {ProtocolError} `PROTOCOL_ERROR` naming `field` for a negative value or a non-integer.
 */
export function readRaftNumber(reader: MsgPackReader, field: string): number {
  const at = reader.offset;
  const value = reader.readSafeInteger(field);
  if (value < 0) throw reader.error(`${field}: ${value} at offset ${at} is negative`);
  return value;
}

/**
 * Writes a term, an index, or a time as a long.
 * @throws {ProtocolError} `INVALID_ARGUMENT` naming `field` unless `value` is a non-negative safe integer.
 */
export function writeRaftNumber(writer: MsgPackWriter, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `${field}: expected a non-negative safe integer, got ${value}`,
    );
  }
  writer.writeInt(value, field);
}

function writeNames(writer: MsgPackWriter, names: readonly string[]): void {
  writer.writeInt32(names.length);
  for (const name of names) writer.writeString(name);
}

function readNames(reader: MsgPackReader, field: string): string[] {
  const count = reader.readCount(field, 1);
  const names: string[] = new Array(count);
  for (let i = 0; i < count; i++) names[i] = reader.readString(field);
  return names;
}

/** Writes `voters: count + str*, learners: count + str*`. */
export function writeRaftConfig(writer: MsgPackWriter, config: RaftConfig): void {
  writeNames(writer, config.voters);
  writeNames(writer, config.learners);
}

export function readRaftConfig(reader: MsgPackReader): RaftConfig {
  const voters = readNames(reader, 'voters');
  const learners = readNames(reader, 'learners');
  return { voters, learners };
}

/** Writes `holder: str, startMs: long, expiresAtMs: long`. */
export function writeRaftLease(writer: MsgPackWriter, lease: RaftLease): void {
  writer.writeString(lease.holder);
  writeRaftNumber(writer, lease.startMs, 'startMs');
  writeRaftNumber(writer, lease.expiresAtMs, 'expiresAtMs');
}

export function readRaftLease(reader: MsgPackReader): RaftLease {
  const holder = reader.readString('holder');
  const startMs = readRaftNumber(reader, 'startMs');
  const expiresAtMs = readRaftNumber(reader, 'expiresAtMs');
  return { holder, startMs, expiresAtMs };
}

/**
 * Writes `term: long, kind: int`, then the kind's payload.
 * @throws {ProtocolError} `INVALID_ARGUMENT` for a term or lease time that is not a safe integer.
 */
export function writeRaftEntry(writer: MsgPackWriter, entry: RaftEntry): void {
  writeRaftNumber(writer, entry.term, 'term');
  writer.writeInt32(RaftEntryKinds[entry.kind]);
  switch (entry.kind) {
    case 'command':
      writer.writeBinary(entry.command);
      return;
    case 'noop':
      return;
    case 'config':
      writeRaftConfig(writer, entry.config);
      return;
    case 'lease':
      writeRaftLease(writer, entry.lease);
      return;
  }
}

/**
 * Reads one entry; a command's bytes are a view of the input.
 * @throws {ProtocolError} `PROTOCOL_ERROR` for an unknown kind, a negative term, or a malformed payload.
 */
export function readRaftEntry(reader: MsgPackReader): RaftEntry {
  const term = readRaftNumber(reader, 'term');
  const at = reader.offset;
  const id = reader.readInt32('kind');
  const kind = kindById.get(id);
  switch (kind) {
    case 'command':
      return { kind, term, command: reader.readBinary('command') };
    case 'noop':
      return { kind, term };
    case 'config':
      return { kind, term, config: readRaftConfig(reader) };
    case 'lease':
      return { kind, term, lease: readRaftLease(reader) };
    case undefined:
      throw reader.error(`kind: unknown Raft entry kind ${id} at offset ${at}`);
  }
}

/** What a snapshot covers: every entry up to `index` (whose term is `term`), folded into the state. */
export interface RaftSnapshotMeta {
  readonly index: number;
  readonly term: number;
  /** The configuration in effect at `index`. */
  readonly config: RaftConfig;
  /** The latest lease recorded at or before `index`, if any. */
  readonly lease: RaftLease | null;
}

/** Writes `index: long, term: long, config, lease: nil | lease`. */
export function writeRaftSnapshotMeta(writer: MsgPackWriter, meta: RaftSnapshotMeta): void {
  writeRaftNumber(writer, meta.index, 'index');
  writeRaftNumber(writer, meta.term, 'term');
  writeRaftConfig(writer, meta.config);
  if (meta.lease === null) writer.writeNil();
  else writeRaftLease(writer, meta.lease);
}

export function readRaftSnapshotMeta(reader: MsgPackReader): RaftSnapshotMeta {
  const index = readRaftNumber(reader, 'index');
  const term = readRaftNumber(reader, 'term');
  const config = readRaftConfig(reader);
  const lease = reader.tryReadNil() ? null : readRaftLease(reader);
  return { index, term, config, lease };
}
