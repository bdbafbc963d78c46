/**
 * The sizes that bound a frame: the length prefix and the maximum body size, with the check of a configured
 * maximum. Both the frame decoder (before it buffers anything) and the frame encoder (before it sends) use
 * them, so neither side produces or accepts what the other would refuse.
 */
import { ProtocolError } from '../errors/protocol-error.js';

/** Bytes of the big-endian length prefix in front of every frame body. */
export const FRAME_HEADER_SIZE = 4;

/** Default maximum size of a frame body (the prefix not counted): 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** The largest maximum that can be configured: 2^31 - 1 bytes. */
export const MAX_FRAME_SIZE_LIMIT = 0x7fffffff;

/**
 * Returns `value`, or the default when it is `undefined`, after checking it.
 * @throws {ProtocolError} `INVALID_ARGUMENT` unless it is an integer in 0..2^31-1.
 */
export function checkMaxFrameSize(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FRAME_SIZE;
  if (!Number.isInteger(value) || value < 0 || value > MAX_FRAME_SIZE_LIMIT) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `maxFrameSize: expected an integer in 0..${MAX_FRAME_SIZE_LIMIT}, got ${String(value)}`,
    );
  }
  return value;
}

/** The error for a frame body of `length` bytes over `maxFrameSize`. */
export function frameTooLarge(length: number, maxFrameSize: number): ProtocolError {
  return new ProtocolError(
    'FRAME_TOO_LARGE',
    `frame of ${length} bytes is over the maximum frame size of ${maxFrameSize} bytes`,
  );
}
