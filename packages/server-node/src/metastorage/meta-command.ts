/**
 * The metastorage's command: one transaction over its keys (etcd's Txn, cut down to what the cluster needs).
 * Every compare must hold (a key's `modRevision`, 0 for "absent") for its puts and deletes to apply, all at
 * one new revision; otherwise nothing changes. Each command carries the proposer's `id`: the state machine
 * remembers recent ids with their results, so a proposal sent again after an unanswered attempt (its
 * outcome unknown) is answered with the first attempt's result instead of applying twice.
 *
 * It also holds the bytes of a command, a result and a watch event (MessagePack, through the protocol's
 * writer and reader); it does not apply anything (meta-kv.ts does).
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';

/** Holds when `key`'s last change was at `modRevision` (0: the key does not exist). */
export interface MetaCompare {
  readonly key: string;
  readonly modRevision: number;
}

export interface MetaPut {
  readonly key: string;
  readonly value: Uint8Array;
}

export interface MetaTxn {
  /** Unique per proposal (the proposing node's name and a counter, say). */
  readonly id: string;
  readonly compares: readonly MetaCompare[];
  readonly puts: readonly MetaPut[];
  readonly deletes: readonly string[];
}

export interface MetaTxnResult {
  /** Whether every compare held (and the changes applied). */
  readonly succeeded: boolean;
  /** The store's revision after the command: the new one when it changed something. */
  readonly revision: number;
}

/** One change of one key, at one revision (`value: null`: deleted). */
export interface MetaEvent {
  readonly revision: number;
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** The command's bytes, as they go into the metastorage group's log. */
export function encodeMetaTxn(txn: MetaTxn): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeString(txn.id);
  writer.writeArrayHeader(txn.compares.length);
  for (const compare of txn.compares) {
    writer.writeString(compare.key);
    writer.writeInt(compare.modRevision, 'modRevision');
  }
  writer.writeArrayHeader(txn.puts.length);
  for (const put of txn.puts) {
    writer.writeString(put.key);
    writer.writeBinary(put.value);
  }
  writer.writeArrayHeader(txn.deletes.length);
  for (const key of txn.deletes) writer.writeString(key);
  return writer.toBytes();
}

/**
 * Reads a command's bytes.
 * @throws ServerError `PROTOCOL_ERROR` for bytes that are not one.
 */
export function decodeMetaTxn(bytes: Uint8Array): MetaTxn {
  try {
    const reader = new MsgPackReader(bytes);
    const id = reader.readString('id');
    const compares: MetaCompare[] = [];
    for (let i = reader.readArrayHeader('compares'); i > 0; i--) {
      compares.push({ key: reader.readString('key'), modRevision: reader.readSafeInteger('modRevision') });
    }
    const puts: MetaPut[] = [];
    for (let i = reader.readArrayHeader('puts'); i > 0; i--) {
      puts.push({ key: reader.readString('key'), value: reader.readBinary('value').slice() });
    }
    const deletes: string[] = [];
    for (let i = reader.readArrayHeader('deletes'); i > 0; i--) deletes.push(reader.readString('key'));
    reader.expectEnd('metastorage command');
    return { id, compares, puts, deletes };
  } catch (cause) {
    throw new ServerError('PROTOCOL_ERROR', `not a metastorage command: ${(cause as Error).message}`, {
      cause,
    });
  }
}
