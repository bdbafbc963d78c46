/**
 * Codecs of the Raft ops between the replicas of a group (node to node). Every request starts with
 * `group: str, from: str, term: long`: the group it is for, the sending replica, and the sender's term.
 *
 * | op | request payload after the envelope | result payload |
 * |---|---|---|
 * | RAFT_VOTE (230) | `lastLogIndex: long, lastLogTerm: long, preVote: bool` | `term: long, granted: bool, preVote: bool` |
 * | RAFT_APPEND (231) | `leaderTime: long, prevLogIndex: long, prevLogTerm: long, leaderCommit: long, count: int, entry*` | `term: long, success: bool, index: long, leaderTime: long` |
 * | RAFT_SNAPSHOT (232) | `leaderTime: long, snapshotMeta, offset: long, data: bin, done: bool` | `term: long, snapshotIndex: long, nextOffset: long, done: bool, leaderTime: long` |
 *
 * `entry` and `snapshotMeta` are in raft-entry.ts. `leaderTime` is the leader's clock when it sent the
 * request, echoed in the result, so the leader knows how recently a majority heard from it (its lease) without
 * comparing clocks. A pre-vote request carries the term the candidate would campaign in; its result says
 * `preVote` so a late pre-vote grant is never counted as a vote. An append result's `index` is the last index
 * the follower now holds in agreement with the leader (success) or where the leader should resume (refusal).
 * A snapshot travels in chunks: `offset` is where `data` starts, `done` marks the last chunk; the result's
 * `nextOffset` is the offset the follower wants next and `done` says it installed the snapshot.
 *
 * Terms, indexes, offsets and times are non-negative safe integers; a negative one fails decoding.
 */
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import type { OpCodec, RequestBase } from './op-codec.js';
import {
  type RaftEntry,
  type RaftSnapshotMeta,
  readRaftEntry,
  readRaftNumber,
  readRaftSnapshotMeta,
  writeRaftEntry,
  writeRaftNumber,
  writeRaftSnapshotMeta,
} from './raft-entry.js';

/** Fields every Raft request has. */
export interface RaftEnvelope {
  /** The Raft group (for example one partition's replicas). */
  readonly group: string;
  /** The replica that sent the request. */
  readonly from: string;
  /** The sender's current term (for a pre-vote: the term it would campaign in). */
  readonly term: number;
}

export interface RaftVoteArgs extends RaftEnvelope {
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** A pre-vote: would the receiver vote, without it changing its term or vote. */
  readonly preVote: boolean;
}

export interface RaftVoteResult {
  readonly term: number;
  readonly granted: boolean;
  readonly preVote: boolean;
}

export interface RaftAppendArgs extends RaftEnvelope {
  readonly leaderTime: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly leaderCommit: number;
  /** Consecutive entries from `prevLogIndex + 1` (none: a heartbeat). */
  readonly entries: readonly RaftEntry[];
}

export interface RaftAppendResult {
  readonly term: number;
  readonly success: boolean;
  readonly index: number;
  readonly leaderTime: number;
}

export interface RaftSnapshotArgs extends RaftEnvelope {
  readonly leaderTime: number;
  readonly meta: RaftSnapshotMeta;
  /** Where `data` starts in the snapshot's bytes. */
  readonly offset: number;
  readonly data: Uint8Array;
  /** The last chunk. */
  readonly done: boolean;
}

export interface RaftSnapshotResult {
  readonly term: number;
  /** The snapshot this answers (its `meta.index`). */
  readonly snapshotIndex: number;
  /** The offset the follower expects next. */
  readonly nextOffset: number;
  /** The follower has installed the snapshot (or already had everything it covers). */
  readonly done: boolean;
  readonly leaderTime: number;
}

export interface RaftVoteRequest extends RequestBase<'RAFT_VOTE'>, RaftVoteArgs {}
export interface RaftAppendRequest extends RequestBase<'RAFT_APPEND'>, RaftAppendArgs {}
export interface RaftSnapshotRequest extends RequestBase<'RAFT_SNAPSHOT'>, RaftSnapshotArgs {}

function writeEnvelope(writer: MsgPackWriter, envelope: RaftEnvelope): void {
  writer.writeString(envelope.group);
  writer.writeString(envelope.from);
  writeRaftNumber(writer, envelope.term, 'term');
}

function readEnvelope(reader: MsgPackReader): RaftEnvelope {
  const group = reader.readString('group');
  const from = reader.readString('from');
  const term = readRaftNumber(reader, 'term');
  return { group, from, term };
}

export const raftVoteCodec: OpCodec<RaftVoteRequest, RaftVoteResult> = {
  writeRequest(writer, request) {
    writeEnvelope(writer, request);
    writeRaftNumber(writer, request.lastLogIndex, 'lastLogIndex');
    writeRaftNumber(writer, request.lastLogTerm, 'lastLogTerm');
    writer.writeBool(request.preVote);
  },
  readRequest(reader, requestId) {
    const envelope = readEnvelope(reader);
    const lastLogIndex = readRaftNumber(reader, 'lastLogIndex');
    const lastLogTerm = readRaftNumber(reader, 'lastLogTerm');
    const preVote = reader.readBool('preVote');
    return { op: 'RAFT_VOTE', requestId, ...envelope, lastLogIndex, lastLogTerm, preVote };
  },
  writeResult(writer, result) {
    writeRaftNumber(writer, result.term, 'term');
    writer.writeBool(result.granted);
    writer.writeBool(result.preVote);
  },
  readResult(reader) {
    const term = readRaftNumber(reader, 'term');
    const granted = reader.readBool('granted');
    const preVote = reader.readBool('preVote');
    return { term, granted, preVote };
  },
};

/** The smallest entry on the wire: a fixint term and a fixint kind (a noop). */
const MIN_ENTRY_BYTES = 2;

export const raftAppendCodec: OpCodec<RaftAppendRequest, RaftAppendResult> = {
  writeRequest(writer, request) {
    writeEnvelope(writer, request);
    writeRaftNumber(writer, request.leaderTime, 'leaderTime');
    writeRaftNumber(writer, request.prevLogIndex, 'prevLogIndex');
    writeRaftNumber(writer, request.prevLogTerm, 'prevLogTerm');
    writeRaftNumber(writer, request.leaderCommit, 'leaderCommit');
    writer.writeInt32(request.entries.length);
    for (const entry of request.entries) writeRaftEntry(writer, entry);
  },
  readRequest(reader, requestId) {
    const envelope = readEnvelope(reader);
    const leaderTime = readRaftNumber(reader, 'leaderTime');
    const prevLogIndex = readRaftNumber(reader, 'prevLogIndex');
    const prevLogTerm = readRaftNumber(reader, 'prevLogTerm');
    const leaderCommit = readRaftNumber(reader, 'leaderCommit');
    const count = reader.readCount('entries', MIN_ENTRY_BYTES);
    const entries: RaftEntry[] = new Array(count);
    for (let i = 0; i < count; i++) entries[i] = readRaftEntry(reader);
    return {
      op: 'RAFT_APPEND',
      requestId,
      ...envelope,
      leaderTime,
      prevLogIndex,
      prevLogTerm,
      leaderCommit,
      entries,
    };
  },
  writeResult(writer, result) {
    writeRaftNumber(writer, result.term, 'term');
    writer.writeBool(result.success);
    writeRaftNumber(writer, result.index, 'index');
    writeRaftNumber(writer, result.leaderTime, 'leaderTime');
  },
  readResult(reader) {
    const term = readRaftNumber(reader, 'term');
    const success = reader.readBool('success');
    const index = readRaftNumber(reader, 'index');
    const leaderTime = readRaftNumber(reader, 'leaderTime');
    return { term, success, index, leaderTime };
  },
};

export const raftSnapshotCodec: OpCodec<RaftSnapshotRequest, RaftSnapshotResult> = {
  writeRequest(writer, request) {
    writeEnvelope(writer, request);
    writeRaftNumber(writer, request.leaderTime, 'leaderTime');
    writeRaftSnapshotMeta(writer, request.meta);
    writeRaftNumber(writer, request.offset, 'offset');
    writer.writeBinary(request.data);
    writer.writeBool(request.done);
  },
  readRequest(reader, requestId) {
    const envelope = readEnvelope(reader);
    const leaderTime = readRaftNumber(reader, 'leaderTime');
    const meta = readRaftSnapshotMeta(reader);
    const offset = readRaftNumber(reader, 'offset');
    const data = reader.readBinary('data');
    const done = reader.readBool('done');
    return { op: 'RAFT_SNAPSHOT', requestId, ...envelope, leaderTime, meta, offset, data, done };
  },
  writeResult(writer, result) {
    writeRaftNumber(writer, result.term, 'term');
    writeRaftNumber(writer, result.snapshotIndex, 'snapshotIndex');
    writeRaftNumber(writer, result.nextOffset, 'nextOffset');
    writer.writeBool(result.done);
    writeRaftNumber(writer, result.leaderTime, 'leaderTime');
  },
  readResult(reader) {
    const term = readRaftNumber(reader, 'term');
    const snapshotIndex = readRaftNumber(reader, 'snapshotIndex');
    const nextOffset = readRaftNumber(reader, 'nextOffset');
    const done = reader.readBool('done');
    const leaderTime = readRaftNumber(reader, 'leaderTime');
    return { term, snapshotIndex, nextOffset, done, leaderTime };
  },
};
