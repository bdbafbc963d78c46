/**
 * Requests on the wire: `opCode: int, requestId: long`, then the op's payload (see each op's codec).
 *
 * Encoding writes a request body, or a whole frame in place (length prefix patched after the body), and
 * writes it whole or not at all: if a field is refused halfway, the writer is rewound to where the request
 * began. Decoding is strict: a wrong type, a truncated body, trailing bytes or an unknown op code is a
 * `MessageDecodeError` (a `PROTOCOL_ERROR`) that carries the request id and op code when they could be read,
 * so the server can answer the right request and keep serving the connection.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { encodeFrame, writeFrame } from '../frame/frame-encoder.js';
import { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { MessageDecodeError } from './message-decode-error.js';
import type { Request } from './message-types.js';
import { codecOf } from './op-codec-table.js';
import { OpCodes, opNameFromCode } from './op-codes.js';

/**
 * Writes the body of `request` (no length prefix).
 * @throws {ProtocolError} `INVALID_ARGUMENT` for a field out of its wire range, `VALUE_NOT_ENCODABLE` for a
 *   receiver argument or payload the value codec refuses; the writer is then back where it was.
 */
export function writeRequest(writer: MsgPackWriter, request: Request): void {
  const start = writer.length;
  try {
    writer.writeInt32(OpCodes[request.op]);
    writer.writeInt(request.requestId, 'requestId');
    codecOf(request.op).writeRequest(writer, request);
  } catch (error) {
    writer.rewind(start);
    throw error;
  }
}

/**
 * Appends `request` as a frame: length prefix, then the body.
 * @param maxFrameSize the peer's maximum frame size (default 16 MiB).
 * @throws {ProtocolError} as {@link writeRequest}, or `FRAME_TOO_LARGE`; the writer is then back where it was.
 */
export function writeRequestFrame(writer: MsgPackWriter, request: Request, maxFrameSize?: number): void {
  writeFrame(writer, request, writeRequest, maxFrameSize);
}

/**
 * Encodes `request` as a frame into new bytes (the caller owns them); only the result is allocated.
 * @throws {ProtocolError} as {@link writeRequestFrame}.
 */
export function encodeRequestFrame(request: Request, maxFrameSize?: number): Uint8Array {
  return encodeFrame(request, writeRequest, maxFrameSize);
}

const reader = new MsgPackReader();
const NO_BYTES = new Uint8Array(0);

/**
 * Decodes a request body (a frame's content).
 * @throws {MessageDecodeError} `PROTOCOL_ERROR` for malformed bodies; `unknownOp` is set for an op code this
 *   version does not know; `requestId` and `opCode` are set when they could be read.
 */
export function decodeRequest(body: Uint8Array): Request {
  reader.reset(body);
  try {
    return readRequest();
  } finally {
    // Let go of the body: the shared reader must not keep a frame alive until the next message.
    reader.reset(NO_BYTES);
  }
}

function readRequest(): Request {
  let opCode: number | undefined;
  let requestId: number | undefined;
  try {
    opCode = reader.readInt32('opCode');
    requestId = reader.readSafeInteger('requestId');
  } catch (error) {
    throw wrap(error, 'request header', opCode, requestId);
  }
  const op = opNameFromCode(opCode);
  if (op === undefined) {
    throw new MessageDecodeError(`unknown op code ${opCode} (request ${requestId})`, {
      opCode,
      requestId,
      unknownOp: true,
    });
  }
  try {
    const request = codecOf(op).readRequest(reader, requestId);
    reader.expectEnd(`${op} request`);
    return request;
  } catch (error) {
    throw wrap(error, `${op} request ${requestId}`, opCode, requestId);
  }
}

function wrap(
  error: unknown,
  context: string,
  opCode: number | undefined,
  requestId: number | undefined,
): unknown {
  if (!(error instanceof ProtocolError)) return error;
  return new MessageDecodeError(`${context}: ${error.message}`, {
    cause: error,
    ...(opCode === undefined ? {} : { opCode }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}
