/**
 * Responses on the wire: `requestId: long, flags: int, observableTimestamp: long`, then, when flag 1 is set,
 * `assignmentVersion: long`, then the error structure (flag 4) or the op's result payload.
 *
 * A response does not say which op it answers: the reader names the op of the pending request with that
 * id. Flags 2 (notification) and 8 (server op) exist in Ignite 3 but not in this protocol, and are refused.
 * Decoding is strict like requests'; a `MessageDecodeError` carries the request id when it could be read,
 * so the client can fail that request.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { readErrorStructure, writeErrorStructure } from '../frame/error-structure.js';
import { encodeFrame, writeFrame } from '../frame/frame-encoder.js';
import { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { MessageDecodeError } from './message-decode-error.js';
import type { OkResponse, Response } from './message-types.js';
import { codecOf } from './op-codec-table.js';
import type { OpName } from './op-codes.js';

/** Response flag bits (Ignite 3's values). */
export const ResponseFlags = {
  /** The node's partition assignment is newer than the client's; an assignment version follows. */
  ASSIGNMENT_CHANGED: 1,
  /** Ignite 3: a notification, not an answer. Not used by this protocol. */
  NOTIFICATION: 2,
  /** The request failed; the error structure follows instead of a result. */
  ERROR: 4,
  /** Ignite 3: a request from server to client. Not used by this protocol. */
  SERVER_OP: 8,
} as const;

const KNOWN_FLAGS = ResponseFlags.ASSIGNMENT_CHANGED | ResponseFlags.ERROR;

/**
 * Writes the body of `response` (no length prefix): the header, then its error or result.
 * @throws {ProtocolError} `INVALID_ARGUMENT` for a field out of its wire range, `VALUE_NOT_ENCODABLE` for a
 *   receiver result the value codec refuses; the writer is then back where it was.
 */
export function writeResponse(writer: MsgPackWriter, response: Response): void {
  const start = writer.length;
  try {
    const assignmentVersion = response.assignmentVersion;
    let flags = 0;
    if (assignmentVersion !== undefined) flags |= ResponseFlags.ASSIGNMENT_CHANGED;
    if (response.kind === 'error') flags |= ResponseFlags.ERROR;
    writer.writeInt(response.requestId, 'requestId');
    writer.writeInt32(flags);
    writer.writeBigInt(response.observableTimestamp, 'observableTimestamp');
    if (assignmentVersion !== undefined) writer.writeInt(assignmentVersion, 'assignmentVersion');
    if (response.kind === 'error') writeErrorStructure(writer, response);
    else codecOf(response.op).writeResult(writer, response.result);
  } catch (error) {
    writer.rewind(start);
    throw error;
  }
}

/**
 * Appends `response` as a frame: length prefix, then the body.
 * @param maxFrameSize the peer's maximum frame size (default 16 MiB).
 * @throws {ProtocolError} as {@link writeResponse}, or `FRAME_TOO_LARGE`; the writer is then back where it was.
 */
export function writeResponseFrame(writer: MsgPackWriter, response: Response, maxFrameSize?: number): void {
  writeFrame(writer, response, writeResponse, maxFrameSize);
}

/**
 * Encodes `response` as a frame into new bytes (the caller owns them); only the result is allocated.
 * @throws {ProtocolError} as {@link writeResponseFrame}.
 */
export function encodeResponseFrame(response: Response, maxFrameSize?: number): Uint8Array {
  return encodeFrame(response, writeResponse, maxFrameSize);
}

const reader = new MsgPackReader();
const NO_BYTES = new Uint8Array(0);

/**
 * Decodes a response body.
 *
 * @param opOf the op of the pending request with this id, or `undefined` when there is none; asked only
 *   for successful responses (an error response needs no op).
 * @throws {MessageDecodeError} `PROTOCOL_ERROR` for malformed bodies, unknown flags, or a successful
 *   response to a request id `opOf` does not know; `requestId` is set when it could be read.
 */
export function decodeResponse(body: Uint8Array, opOf: (requestId: number) => OpName | undefined): Response {
  reader.reset(body);
  try {
    return readResponse(opOf);
  } finally {
    // Let go of the body: the shared reader must not keep a frame alive until the next message.
    reader.reset(NO_BYTES);
  }
}

function readResponse(opOf: (requestId: number) => OpName | undefined): Response {
  let requestId: number | undefined;
  try {
    requestId = reader.readSafeInteger('requestId');
    const flagsAt = reader.offset;
    const flags = reader.readInt32('flags');
    if ((flags & ~KNOWN_FLAGS) !== 0) {
      throw reader.error(`flags: unsupported response flags ${flags} at offset ${flagsAt} (known: 1, 4)`);
    }
    const observableTimestamp = reader.readInt64('observableTimestamp');
    const assignmentVersion =
      (flags & ResponseFlags.ASSIGNMENT_CHANGED) !== 0
        ? reader.readSafeInteger('assignmentVersion')
        : undefined;
    const header = {
      requestId,
      observableTimestamp,
      ...(assignmentVersion === undefined ? {} : { assignmentVersion }),
    };
    if ((flags & ResponseFlags.ERROR) !== 0) {
      const structure = readErrorStructure(reader);
      reader.expectEnd('error response');
      return { kind: 'error', ...header, ...structure };
    }
    const op = opOf(requestId);
    if (op === undefined) throw reader.error(`no pending request has id ${requestId}`);
    const result = codecOf(op).readResult(reader);
    reader.expectEnd(`${op} response`);
    // The table ties `result` to `op`; TypeScript cannot follow that through the union.
    return { kind: 'ok', op, ...header, result } as OkResponse;
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    const context = requestId === undefined ? 'response' : `response ${requestId}`;
    throw new MessageDecodeError(`${context}: ${error.message}`, {
      cause: error,
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
}
