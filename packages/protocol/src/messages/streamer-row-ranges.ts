/**
 * `StreamerRowRanges`: the rows of a decoded STREAMER_BATCH_SEND as ranges of the received message, with no
 * object per row. One batch costs one reference to the message bytes and one array of four offsets per row
 * (`noValueSet` start and end, tuple start and end), filled by {@link StreamerRowRanges.read} in the same pass
 * that checks the rows' MessagePack; a node then reads each row's bytes straight from the message. The
 * offsets are a plain array, not a typed one: past 64 bytes a typed array gets a backing store outside V8's
 * heap, which costs more to make and to collect than the array, once per batch.
 *
 * The rows of a batch are contiguous in the message, so writing a decoded batch again (a node forwarding it
 * with BATCH_FORWARD) copies that section as one block: the rows go out exactly as they came in.
 *
 * It does not check what is inside a tuple or a mask (the node does, against the schema), and it keeps the
 * message alive as long as it is referenced, as views of it would.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { StreamerRow } from './streamer-messages.js';

/** Slots per row in the bounds array: noValueSet start and end, tuple start and end. */
const SLOTS = 4;

/** The rows of a decoded streamer batch, read by index as byte ranges of {@link StreamerRowRanges.bytes}. */
export class StreamerRowRanges {
  /** The message the rows were read from; every range below is an offset into it. */
  readonly bytes: Uint8Array;
  /** Rows in the batch. */
  readonly count: number;
  readonly #bounds: number[];
  /** Where the first row's `noValueSet` starts and the last row's tuple ends: the rows as encoded. */
  readonly #start: number;
  readonly #end: number;

  private constructor(bytes: Uint8Array, count: number, bounds: number[], start: number, end: number) {
    this.bytes = bytes;
    this.count = count;
    this.#bounds = bounds;
    this.#start = start;
    this.#end = end;
  }

  /**
   * Reads `count` rows (`noValueSet: BITMASK, tuple: bin` each) at the reader's position, checking each
   * value as `readBitmask('noValueSet')` and `readBinary('tuple')` would, and leaves the reader past them.
   * The caller has checked `count` against the bytes left, so it never sizes an oversized allocation.
   *
   * @throws {ProtocolError} `PROTOCOL_ERROR` naming the field and offset of the first malformed value.
   */
  static read(reader: MsgPackReader, count: number): StreamerRowRanges {
    const bounds = new Array<number>(count * SLOTS);
    const start = reader.offset;
    for (let i = 0, at = 0; i < count; i++, at += SLOTS) {
      const maskLength = reader.skipBitmask('noValueSet');
      const maskEnd = reader.offset;
      const tupleLength = reader.skipBinary('tuple');
      const tupleEnd = reader.offset;
      bounds[at] = maskEnd - maskLength;
      bounds[at + 1] = maskEnd;
      bounds[at + 2] = tupleEnd - tupleLength;
      bounds[at + 3] = tupleEnd;
    }
    return new StreamerRowRanges(reader.bytes, count, bounds, start, reader.offset);
  }

  /** Offset in `bytes` of row `index`'s `noValueSet` (0 <= index < count, unchecked: a hot-path read). */
  maskStart(index: number): number {
    return this.#bounds[index * SLOTS] as number;
  }

  /** Offset in `bytes` just past row `index`'s `noValueSet`. */
  maskEnd(index: number): number {
    return this.#bounds[index * SLOTS + 1] as number;
  }

  /** Offset in `bytes` of row `index`'s tuple. */
  tupleStart(index: number): number {
    return this.#bounds[index * SLOTS + 2] as number;
  }

  /** Offset in `bytes` just past row `index`'s tuple. */
  tupleEnd(index: number): number {
    return this.#bounds[index * SLOTS + 3] as number;
  }

  /**
   * Row `index`'s `noValueSet` as a view of `bytes` (one object per call: for tests and tools).
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `index` is not a row of the batch.
   */
  noValueSet(index: number): Uint8Array {
    this.#check(index);
    return this.bytes.subarray(this.maskStart(index), this.maskEnd(index));
  }

  /**
   * Row `index`'s tuple as a view of `bytes` (one object per call: for tests and tools).
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `index` is not a row of the batch.
   */
  tuple(index: number): Uint8Array {
    this.#check(index);
    return this.bytes.subarray(this.tupleStart(index), this.tupleEnd(index));
  }

  /** The rows exactly as they were encoded (every `noValueSet` and tuple, count not included), as a view. */
  encoded(): Uint8Array {
    return this.bytes.subarray(this.#start, this.#end);
  }

  /** The rows as `StreamerRow` objects holding views of `bytes`: an object per row, for tests and tools. */
  toArray(): StreamerRow[] {
    const rows: StreamerRow[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) rows[i] = { noValueSet: this.noValueSet(i), tuple: this.tuple(i) };
    return rows;
  }

  #check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `row ${index}: the batch has ${this.count} row(s), indexes 0..${this.count - 1}`,
      );
    }
  }
}

/**
 * A batch's rows: what a client passes (any `StreamerRow` objects, e.g. its buffered entries) or what the
 * decoder returns (ranges of the received message). Writers accept both.
 */
export type StreamerRows = readonly StreamerRow[] | StreamerRowRanges;

/** The number of rows in `rows`, either form. */
export function streamerRowCount(rows: StreamerRows): number {
  return rows instanceof StreamerRowRanges ? rows.count : rows.length;
}

/**
 * `rows` as `StreamerRow` objects: the array itself, or one object with views per row of a decoded batch.
 * For tests, tools and other code off the hot path.
 */
export function streamerRowArray(rows: StreamerRows): readonly StreamerRow[] {
  return rows instanceof StreamerRowRanges ? rows.toArray() : rows;
}
