/**
 * `FrameDecoder`: turns the bytes of one direction of a connection, in chunks split anywhere, into whole
 * frame bodies. It checks the preamble (`IGNI`) first unless told not to, then reads frames: a 4-byte
 * big-endian length and that many body bytes.
 *
 * Limits and memory: a length prefix over `maxFrameSize` is a `FRAME_TOO_LARGE` error as soon as its 4 bytes
 * are in, before any body byte is buffered. A frame being received is held as views of the chunks it arrived
 * in, so memory follows the bytes that actually arrived, never the declared length; the one copy is made
 * when the last byte arrives. A frame that lies wholly inside one chunk is returned as a view of that chunk
 * (no copy), so callers must not modify a chunk after handing it over (transports hand over fresh chunks).
 *
 * Errors are terminal: a byte stream has no point to resynchronise at after a bad length or a bad
 * preamble, so the decoder keeps its first error and throws that same error on every later call. The owner
 * closes the connection.
 *
 * It does not decode frame bodies (see the message codecs) and does not do the handshake.
 */

import { ProtocolError } from '../errors/protocol-error.js';
import { type Buggify, neverBuggify } from '../runtime/buggify.js';
import { checkMaxFrameSize, FRAME_HEADER_SIZE, frameTooLarge } from './frame-limits.js';
import { PREAMBLE_BYTES } from './preamble.js';

export interface FrameDecoderOptions {
  /** Largest frame body accepted, in bytes (the length prefix not counted). Default 16 MiB. */
  readonly maxFrameSize?: number;
  /** Whether the stream starts with the `IGNI` preamble. Default `true`. */
  readonly expectPreamble?: boolean;
  /** Fault points (simulation only): `frame.byte-at-a-time` splits a chunk into single bytes. */
  readonly buggify?: Buggify;
}

/**
 * Incremental frame decoder for one direction of one connection.
 *
 * @example
 * const decoder = new FrameDecoder({ maxFrameSize: 1 << 20 });
 * connection.setListener({
 *   data: (chunk) => { for (const body of decoder.decode(chunk)) handle(body); },
 *   close: () => {},
 * });
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  #preambleLeft: number;
  /** Length-prefix bytes seen of the frame in progress (0..3) and their value so far. */
  #headerBytes = 0;
  #headerValue = 0;
  /** Body length of the frame in progress, or -1 between frames. */
  #bodyLength = -1;
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  #failure: ProtocolError | undefined;
  readonly #buggify: Buggify;

  /** @throws {ProtocolError} `INVALID_ARGUMENT` for a `maxFrameSize` outside 0..2^31-1. */
  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameSize = checkMaxFrameSize(options.maxFrameSize);
    this.#preambleLeft = options.expectPreamble === false ? 0 : PREAMBLE_BYTES.length;
    this.#buggify = options.buggify ?? neverBuggify;
  }

  /** The error that stopped the decoder, if any. */
  get failure(): ProtocolError | undefined {
    return this.#failure;
  }

  /** Bytes held of a frame not complete yet (preamble and length-prefix bytes included). */
  get bufferedBytes(): number {
    return this.#preambleSeen() + this.#headerBytes + this.#partsLength;
  }

  /** Whether the decoder is between frames with nothing held (a clean place for the stream to end). */
  get atFrameBoundary(): boolean {
    return (
      this.#failure === undefined &&
      this.#preambleSeen() === 0 &&
      this.#headerBytes === 0 &&
      this.#bodyLength < 0
    );
  }

  /** Bytes of a preamble that started but is not complete. */
  #preambleSeen(): number {
    return this.#preambleLeft === 0 ? 0 : PREAMBLE_BYTES.length - this.#preambleLeft;
  }

  /**
   * Feeds the next chunk and returns the frame bodies it completed, in order (often none, or several).
   * @throws {ProtocolError} `PROTOCOL_ERROR` for a bad preamble, `FRAME_TOO_LARGE` for a length over the
   *   maximum; after either, every call throws the same error.
   */
  decode(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure !== undefined) throw this.#failure;
    if (chunk.length > 1 && this.#buggify('frame.byte-at-a-time')) {
      const frames: Uint8Array[] = [];
      for (let i = 0; i < chunk.length; i++) frames.push(...this.#decode(chunk.subarray(i, i + 1)));
      return frames;
    }
    return this.#decode(chunk);
  }

  #decode(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const length = chunk.length;
    let pos = 0;
    while (this.#preambleLeft > 0 && pos < length) {
      const index = PREAMBLE_BYTES.length - this.#preambleLeft;
      const byte = chunk[pos] as number;
      if (byte !== PREAMBLE_BYTES[index]) {
        throw this.#fail(
          new ProtocolError(
            'PROTOCOL_ERROR',
            `bad preamble: expected 49 47 4e 49 ("IGNI"), got 0x${byte.toString(16).padStart(2, '0')} at byte ${index}`,
          ),
        );
      }
      this.#preambleLeft--;
      pos++;
    }
    while (pos < length) {
      if (this.#bodyLength < 0) {
        let bodyLength: number;
        if (this.#headerBytes === 0 && length - pos >= FRAME_HEADER_SIZE) {
          bodyLength =
            (chunk[pos] as number) * 0x1000000 +
            (((chunk[pos + 1] as number) << 16) |
              ((chunk[pos + 2] as number) << 8) |
              (chunk[pos + 3] as number));
          pos += FRAME_HEADER_SIZE;
        } else {
          // The prefix is split across chunks: gather it a byte at a time.
          this.#headerValue = this.#headerValue * 256 + (chunk[pos] as number);
          this.#headerBytes++;
          pos++;
          if (this.#headerBytes < FRAME_HEADER_SIZE) continue;
          bodyLength = this.#headerValue;
          this.#headerBytes = 0;
          this.#headerValue = 0;
        }
        if (bodyLength > this.maxFrameSize) throw this.#fail(frameTooLarge(bodyLength, this.maxFrameSize));
        if (length - pos >= bodyLength) {
          frames.push(chunk.subarray(pos, pos + bodyLength));
          pos += bodyLength;
          continue;
        }
        this.#bodyLength = bodyLength;
      }
      const take = Math.min(this.#bodyLength - this.#partsLength, length - pos);
      this.#parts.push(chunk.subarray(pos, pos + take));
      this.#partsLength += take;
      pos += take;
      if (this.#partsLength === this.#bodyLength) frames.push(this.#completeBody());
    }
    return frames;
  }

  #completeBody(): Uint8Array {
    const parts = this.#parts;
    let body: Uint8Array;
    if (parts.length === 1) {
      body = parts[0] as Uint8Array;
    } else {
      body = new Uint8Array(this.#bodyLength);
      let at = 0;
      for (const part of parts) {
        body.set(part, at);
        at += part.length;
      }
    }
    this.#parts = [];
    this.#partsLength = 0;
    this.#bodyLength = -1;
    return body;
  }

  #fail(error: ProtocolError): ProtocolError {
    this.#failure = error;
    this.#parts = [];
    this.#partsLength = 0;
    return error;
  }
}
