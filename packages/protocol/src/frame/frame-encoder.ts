/**
 * Frame encoding in place: `beginFrame` reserves the 4-byte length prefix in the writer, the caller writes
 * the body right after it, and `endFrame` patches the prefix with the body's length. No body is copied into
 * a second buffer to be prefixed.
 *
 * It does not write the connection preamble (see `preamble()`), and it does not know what a body holds.
 */
import { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { checkMaxFrameSize, FRAME_HEADER_SIZE, frameTooLarge } from './frame-limits.js';

/**
 * Reserves the length prefix of a frame at the writer's current end and returns its offset, to pass to
 * {@link endFrame}.
 */
export function beginFrame(writer: MsgPackWriter): number {
  return writer.reserve(FRAME_HEADER_SIZE);
}

/**
 * Patches the length prefix reserved at `start` with the length of everything written after it.
 *
 * @param maxFrameSize the peer's limit (default 16 MiB); a larger body is refused here rather than by the
 *   peer, which would have to drop the connection.
 * @throws {ProtocolError} `FRAME_TOO_LARGE` when the body is over `maxFrameSize`.
 */
export function endFrame(writer: MsgPackWriter, start: number, maxFrameSize?: number): void {
  const limit = checkMaxFrameSize(maxFrameSize);
  const bodyLength = writer.length - start - FRAME_HEADER_SIZE;
  if (bodyLength > limit) throw frameTooLarge(bodyLength, limit);
  writer.patchUint32(start, bodyLength);
}

/** Writes one message's body into a writer (a request or a response codec). */
export type BodyWriter<M> = (writer: MsgPackWriter, message: M) => void;

/**
 * Appends `message` as a whole frame: length prefix, then the body `writeBody` writes.
 * @throws {ProtocolError} what `writeBody` throws, or `FRAME_TOO_LARGE`; the writer is then back where it was.
 */
export function writeFrame<M>(
  writer: MsgPackWriter,
  message: M,
  writeBody: BodyWriter<M>,
  maxFrameSize?: number,
): void {
  const start = beginFrame(writer);
  try {
    writeBody(writer, message);
    endFrame(writer, start, maxFrameSize);
  } catch (error) {
    writer.rewind(start);
    throw error;
  }
}

const shared = new MsgPackWriter({ initialCapacity: 4096 });
let sharedBusy = false;

/**
 * Encodes `message` as a frame into new bytes (the caller owns them). A shared buffer is reused between
 * calls, so only the result is allocated.
 * @throws {ProtocolError} as {@link writeFrame}.
 */
export function encodeFrame<M>(message: M, writeBody: BodyWriter<M>, maxFrameSize?: number): Uint8Array {
  // A getter inside a receiver payload could call back in here; give such a nested call its own writer.
  const writer = sharedBusy ? new MsgPackWriter() : shared;
  const owner = !sharedBusy;
  sharedBusy = true;
  try {
    writer.reset();
    writeFrame(writer, message, writeBody, maxFrameSize);
    return writer.toBytes();
  } finally {
    if (owner) sharedBusy = false;
  }
}
