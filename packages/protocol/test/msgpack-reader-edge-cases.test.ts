import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import { readTimestampExt } from '../src/msgpack/timestamp-ext.js';
import * as w from './support/wire-builder.js';

function reader(...parts: w.Bytes[]): MsgPackReader {
  return new MsgPackReader(w.u8(w.cat(...parts)));
}

function failure(read: () => unknown): ProtocolError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('PROTOCOL_ERROR');
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('MsgPackReader', () => {
  it('names the field, the expected kind and what it found', () => {
    const error = failure(() => reader(w.str('x')).readInt32('tableId'));
    expect(error.message).toBe('tableId: expected int, found str (0xa1) at offset 0');
    expect(failure(() => reader(w.int(1)).readString('name')).message).toBe(
      'name: expected str, found int (0x01) at offset 0',
    );
    expect(failure(() => reader(w.nil()).readBinary('tuple')).message).toMatch(/expected bin, found nil/);
    expect(failure(() => reader([0xc1]).readBool('flag')).message).toMatch(/found never-used \(0xc1\)/);
  });

  it('reports the end of the message as its own finding', () => {
    expect(failure(() => reader([]).readInt32('count')).message).toBe(
      'count: expected int, found the end of the message at offset 0',
    );
  });

  it('rejects every truncation of every value kind', () => {
    const values: [w.Bytes, (r: MsgPackReader) => unknown][] = [
      [w.int(300), (r) => r.readInt32('v')],
      [w.int(-70000), (r) => r.readInt32('v')],
      [w.int(2n ** 40n), (r) => r.readInt64('v')],
      [w.int64(-5n), (r) => r.readInt64('v')],
      [w.float64(1.5), (r) => r.readFloat64('v')],
      [w.float32(1.5), (r) => r.readFloat64('v')],
      [w.str('x'.repeat(40)), (r) => r.readString('v')],
      [w.str('x'.repeat(300)), (r) => r.readString('v')],
      [w.bin([1, 2, 3]), (r) => r.readBinary('v')],
      [w.bin(new Array(300).fill(7)), (r) => r.readBinary('v')],
      [w.arr(20), (r) => r.readArrayHeader('v')],
      [w.map(20), (r) => r.readMapHeader('v')],
      [w.uuid('00112233-4455-6677-8899-aabbccddeeff'), (r) => r.readUuid('v')],
      [w.bitmask(3, 30), (r) => r.readBitmask('v')],
    ];
    for (const [bytes, read] of values) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const error = failure(() => read(reader(bytes.slice(0, cut))));
        expect(error.message).toMatch(/^v: /);
      }
    }
  });

  it('reads int32 from any int format and rejects values outside it', () => {
    expect(reader([0xd3, ...w.be(-5, 8)]).readInt32('v')).toBe(-5);
    expect(reader([0xcf, ...w.be(7, 8)]).readInt32('v')).toBe(7);
    expect(reader([0xce, ...w.be(2 ** 31 - 1, 4)]).readInt32('v')).toBe(2 ** 31 - 1);
    expect(failure(() => reader([0xce, ...w.be(2 ** 31, 4)]).readInt32('v')).message).toMatch(
      /outside the int32 range/,
    );
    expect(failure(() => reader(w.int(-(2 ** 31) - 1)).readInt32('v')).message).toMatch(/int32/);
  });

  it('rejects 64-bit values outside the safe integer range as numbers', () => {
    expect(reader(w.int(2 ** 53 - 1)).readSafeInteger('v')).toBe(2 ** 53 - 1);
    expect(failure(() => reader(w.int(2n ** 53n)).readSafeInteger('v')).message).toMatch(/safe integer/);
    expect(failure(() => reader(w.int(-(2n ** 53n))).readSafeInteger('v')).message).toMatch(/safe integer/);
    expect(failure(() => reader([0xcf, ...w.be(2n ** 64n - 1n, 8)]).readSafeInteger('v')).message).toMatch(
      /safe integer/,
    );
  });

  it('rejects a uint64 over 2^63-1 as an int64', () => {
    expect(reader([0xcf, ...w.be(2n ** 63n - 1n, 8)]).readInt64('v')).toBe(2n ** 63n - 1n);
    expect(failure(() => reader([0xcf, ...w.be(2n ** 63n, 8)]).readInt64('v')).message).toMatch(
      /int64 range/,
    );
  });

  it('rejects malformed UTF-8 on the short and the long path', () => {
    expect(failure(() => reader([0xa2, 0xc3, 0x28]).readString('name')).message).toBe(
      'name: str at offset 0 is not valid UTF-8',
    );
    expect(
      failure(() => reader([0xd9, 40, ...new Array(39).fill(0x61), 0xff]).readString('name')).message,
    ).toMatch(/not valid UTF-8/);
    // An encoded surrogate (ED A0 80) is not UTF-8 either.
    expect(failure(() => reader([0xa3, 0xed, 0xa0, 0x80]).readString('name')).message).toMatch(/UTF-8/);
  });

  it('checks ext types and UUID, timestamp payload lengths', () => {
    expect(failure(() => reader(w.bitmask(1)).readUuid('traceId')).message).toBe(
      'traceId: expected ext type 3 (UUID), found ext type 8 at offset 0',
    );
    expect(failure(() => reader(w.ext(3, new Array(8).fill(0))).readUuid('traceId')).message).toMatch(
      /has 8 bytes, expected 16/,
    );
    const r = reader(w.ext(-1, [1, 2, 3]));
    expect(failure(() => readTimestampExt(r, r.readExtHeader('t'), 't')).message).toMatch(
      /expected 4, 8 or 12/,
    );
  });

  it('rejects timestamps with too many nanoseconds or outside the Date range', () => {
    const nanos = reader(w.ext(-1, [...w.be(1_000_000_000, 4), ...w.be(0, 8)]));
    expect(failure(() => readTimestampExt(nanos, nanos.readExtHeader('t'), 't')).message).toMatch(
      /nanoseconds/,
    );
    const far = reader(w.ext(-1, [...w.be(0, 4), ...w.be(2n ** 62n, 8)]));
    expect(failure(() => readTimestampExt(far, far.readExtHeader('t'), 't')).message).toMatch(
      /range of a Date/,
    );
    const edge = reader(w.ext(-1, [...w.be(0, 4), ...w.be(8_640_000_000_000n, 8)]));
    expect(readTimestampExt(edge, edge.readExtHeader('t'), 't')).toBe(8.64e15);
  });

  it('drops sub-millisecond nanoseconds toward the past', () => {
    const r = reader(w.ext(-1, [...w.be(1_999_999, 4), ...w.be(-1, 8)]));
    expect(readTimestampExt(r, r.readExtHeader('t'), 't')).toBe(-999);
  });

  it('reads nil only when it is next', () => {
    const r = reader(w.nil(), w.int(1));
    expect(r.tryReadNil()).toBe(true);
    expect(r.tryReadNil()).toBe(false);
    expect(r.readStringOrNil).toBeDefined();
    expect(r.readInt32('v')).toBe(1);
    expect(reader(w.nil()).readStringOrNil('s')).toBeNull();
    expect(reader(w.nil()).readBinaryOrNil('s')).toBeNull();
    expect(reader(w.nil()).readBitmaskOrNil('s')).toBeNull();
  });

  it('peeks without reading', () => {
    const r = reader(w.str('a'));
    expect(r.peekKind()).toBe('str');
    expect(r.peekFormat()).toBe(0xa1);
    expect(r.offset).toBe(0);
    r.readString('s');
    expect(r.peekKind()).toBeUndefined();
    expect(r.peekFormat()).toBe(-1);
  });

  it('reports trailing bytes', () => {
    const r = reader(w.int(1), w.int(2));
    r.readInt32('a');
    expect(failure(() => r.expectEnd('TABLE_GET request')).message).toBe(
      'TABLE_GET request: 1 trailing byte(s) at offset 1',
    );
  });

  it('rejects a negative count written as an int', () => {
    expect(failure(() => reader(w.int(-1)).readCount('rows')).message).toMatch(/negative/);
  });

  it('works normally after an error and after reset', () => {
    const r = reader(w.str('x'), w.int(5));
    failure(() => r.readInt32('v'));
    expect(r.readString('s')).toBe('x');
    expect(r.readInt32('v')).toBe(5);
    r.reset(w.u8(w.int(9)));
    expect(r.readInt32('v')).toBe(9);
  });

  it('reads from a view with a non-zero byte offset', () => {
    const backing = w.u8([0xff, 0xff, ...w.int(70000), ...w.str('hi')]);
    const r = new MsgPackReader(backing.subarray(2));
    expect(r.readInt32('v')).toBe(70000);
    expect(r.readString('s')).toBe('hi');
  });
});
