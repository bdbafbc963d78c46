/**
 * The shape every op's codec has: its request payload and its result payload, each written and read.
 * Envelopes (op code, request id, response header) are written by the request and response codecs, not
 * here; an op codec sees only its payload.
 */
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import type { OpName } from './op-codes.js';

/** Fields every request has. */
export interface RequestBase<Op extends OpName> {
  readonly op: Op;
  /** A long on the wire; a safe integer here (a per-connection counter never gets near 2^53). */
  readonly requestId: number;
}

/** Writes and reads one op's request payload and result payload. */
export interface OpCodec<Req, Res> {
  writeRequest(writer: MsgPackWriter, request: Req): void;
  /** Reads the payload; the envelope (op code, request id) was read already. */
  readRequest(reader: MsgPackReader, requestId: number): Req;
  writeResult(writer: MsgPackWriter, result: Res): void;
  readResult(reader: MsgPackReader): Res;
}

/** The result half of an op whose response has no payload. */
export const NO_RESULT = {
  writeResult(): void {},
  readResult(): null {
    return null;
  },
} as const;
