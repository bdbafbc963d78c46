/**
 * Codecs of the metastorage ops (node to node): a proposal to the metastorage group's leader, and a watch of
 * its committed changes.
 *
 * | op | request payload | result payload |
 * |---|---|---|
 * | META_PROPOSE (250) | `command: bin` | `succeeded: bool, revision: long` |
 * | META_WATCH (251) | `prefix: str, fromRevision: long, waitMs: int` | `revision: long, reset: bool, count: int, (revision: long, key: str, value: bin \| nil)*` |
 *
 * A command is opaque here (a transaction of compares, puts and deletes, encoded by the server). A watch
 * result lists the changes under `prefix` after `fromRevision`, oldest first (`value` nil: deleted); with
 * `reset`, the watcher was too far behind and the list is the whole content under `prefix` instead, each
 * entry at the revision of its last change. `revision` is the store's revision the answer reflects. The
 * answering member may hold the request up to `waitMs` for a change to come.
 *
 * Revisions are non-negative safe integers; a negative one fails decoding.
 */
import type { OpCodec, RequestBase } from './op-codec.js';
import { readRaftNumber, writeRaftNumber } from './raft-entry.js';

export interface MetaProposeRequest extends RequestBase<'META_PROPOSE'> {
  readonly command: Uint8Array;
}

export interface MetaProposeResult {
  /** Whether the command's compares held (and its changes applied). */
  readonly succeeded: boolean;
  /** The store's revision after the command. */
  readonly revision: number;
}

export interface MetaWatchRequest extends RequestBase<'META_WATCH'> {
  readonly prefix: string;
  /** The revision the watcher holds everything up to. */
  readonly fromRevision: number;
  /** How long the member may wait for a change before answering with none. */
  readonly waitMs: number;
}

/** One key's change (or, in a reset, one entry), at `revision`. */
export interface MetaWatchEvent {
  readonly revision: number;
  readonly key: string;
  /** `null`: the key was deleted. */
  readonly value: Uint8Array | null;
}

export interface MetaWatchResult {
  readonly revision: number;
  /** The events are the whole content under the prefix, not the changes after `fromRevision`. */
  readonly reset: boolean;
  readonly events: readonly MetaWatchEvent[];
}

/** The smallest event on the wire: a fixint revision, an empty string, a nil. */
const MIN_EVENT_BYTES = 3;

export const metaProposeCodec: OpCodec<MetaProposeRequest, MetaProposeResult> = {
  writeRequest(writer, request) {
    writer.writeBinary(request.command);
  },
  readRequest(reader, requestId) {
    return { op: 'META_PROPOSE', requestId, command: reader.readBinary('command') };
  },
  writeResult(writer, result) {
    writer.writeBool(result.succeeded);
    writeRaftNumber(writer, result.revision, 'revision');
  },
  readResult(reader) {
    const succeeded = reader.readBool('succeeded');
    return { succeeded, revision: readRaftNumber(reader, 'revision') };
  },
};

export const metaWatchCodec: OpCodec<MetaWatchRequest, MetaWatchResult> = {
  writeRequest(writer, request) {
    writer.writeString(request.prefix);
    writeRaftNumber(writer, request.fromRevision, 'fromRevision');
    writer.writeInt32(request.waitMs, 'waitMs');
  },
  readRequest(reader, requestId) {
    const prefix = reader.readString('prefix');
    const fromRevision = readRaftNumber(reader, 'fromRevision');
    const at = reader.offset;
    const waitMs = reader.readInt32('waitMs');
    if (waitMs < 0) throw reader.error(`waitMs: ${waitMs} at offset ${at} is negative`);
    return { op: 'META_WATCH', requestId, prefix, fromRevision, waitMs };
  },
  writeResult(writer, result) {
    writeRaftNumber(writer, result.revision, 'revision');
    writer.writeBool(result.reset);
    writer.writeInt32(result.events.length);
    for (const event of result.events) {
      writeRaftNumber(writer, event.revision, 'event.revision');
      writer.writeString(event.key);
      if (event.value === null) writer.writeNil();
      else writer.writeBinary(event.value);
    }
  },
  readResult(reader) {
    const revision = readRaftNumber(reader, 'revision');
    const reset = reader.readBool('reset');
    const count = reader.readCount('events', MIN_EVENT_BYTES);
    const events: MetaWatchEvent[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const eventRevision = readRaftNumber(reader, 'event.revision');
      const key = reader.readString('event.key');
      events[i] = { revision: eventRevision, key, value: reader.readBinaryOrNil('event.value') };
    }
    return { revision, reset, events };
  },
};
