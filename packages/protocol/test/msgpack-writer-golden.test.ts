import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { bitmaskOf } from '../src/msgpack/bitmask.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { writeTimestampExt } from '../src/msgpack/timestamp-ext.js';
import * as w from './support/wire-builder.js';

function written(fill: (writer: MsgPackWriter) => void): string {
  const writer = new MsgPackWriter({ initialCapacity: 1 });
  fill(writer);
  return w.hex(writer.toBytes());
}

const INT_BOUNDARIES = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  Number.MIN_SAFE_INTEGER,
];

describe('MsgPackWriter', () => {
  it('writes integers in the most compact form at every width boundary', () => {
    for (const value of INT_BOUNDARIES) {
      expect(
        written((wr) => wr.writeInt(value)),
        String(value),
      ).toBe(w.hex(w.int(value)));
    }
  });

  it('writes int32 fields compactly across the whole int32 range', () => {
    for (const value of [0, 127, 128, -33, 2 ** 31 - 1, -(2 ** 31)]) {
      expect(
        written((wr) => wr.writeInt32(value)),
        String(value),
      ).toBe(w.hex(w.int(value)));
    }
  });

  it('writes the literal bytes Ignite writes for a few integers', () => {
    expect(written((wr) => wr.writeInt(300))).toBe('cd 01 2c');
    expect(written((wr) => wr.writeInt(-1))).toBe('ff');
    expect(written((wr) => wr.writeInt(-33))).toBe('d0 df');
    expect(written((wr) => wr.writeInt(2 ** 32))).toBe('cf 00 00 00 01 00 00 00 00');
    expect(written((wr) => wr.writeInt(-(2 ** 31) - 1))).toBe('d3 ff ff ff ff 7f ff ff ff');
  });

  it('writes bigints compactly and full-width past the safe range', () => {
    const values = [0n, 1n, -1n, 300n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
    for (const value of values) {
      expect(
        written((wr) => wr.writeBigInt(value)),
        String(value),
      ).toBe(w.hex(w.int(value)));
    }
  });

  it('writes fixed int64 always as nine bytes', () => {
    expect(written((wr) => wr.writeInt64Fixed(1n))).toBe('d3 00 00 00 00 00 00 00 01');
    expect(written((wr) => wr.writeInt64Fixed(-2n))).toBe(w.hex(w.int64(-2n)));
  });

  it('writes numbers as ints only inside -2^31..2^32-1 and never -0 as an int', () => {
    expect(written((wr) => wr.writeNumber(5))).toBe('05');
    expect(written((wr) => wr.writeNumber(2 ** 32 - 1))).toBe(w.hex(w.int(2 ** 32 - 1)));
    expect(written((wr) => wr.writeNumber(2 ** 32))).toBe(w.hex(w.float64(2 ** 32)));
    expect(written((wr) => wr.writeNumber(-(2 ** 31) - 1))).toBe(w.hex(w.float64(-(2 ** 31) - 1)));
    expect(written((wr) => wr.writeNumber(-0))).toBe(w.hex(w.float64(-0)));
    expect(written((wr) => wr.writeNumber(1.5))).toBe('cb 3f f8 00 00 00 00 00 00');
    expect(written((wr) => wr.writeNumber(Number.NaN))).toBe(w.hex(w.float64(Number.NaN)));
  });

  it('writes strings with the smallest header at every header boundary', () => {
    for (const length of [0, 1, 31, 32, 255, 256, 65535, 65536]) {
      const text = 'x'.repeat(length);
      expect(
        written((wr) => wr.writeString(text)),
        String(length),
      ).toBe(w.hex(w.str(text)));
    }
  });

  it('writes multi-byte UTF-8 and surrogate pairs, short and long', () => {
    for (const text of ['é', '日本', '😀', 'a😀b', '€'.repeat(11), '😀'.repeat(40), 'ß'.repeat(200)]) {
      expect(
        written((wr) => wr.writeString(text)),
        text,
      ).toBe(w.hex(w.str(text)));
    }
  });

  it('writes a lone surrogate as U+FFFD on both the short and the long path', () => {
    expect(written((wr) => wr.writeString('a\ud800'))).toBe('a4 61 ef bf bd');
    const long = `${'a'.repeat(40)}\udc00`;
    expect(written((wr) => wr.writeString(long))).toBe(w.hex(w.str(`${'a'.repeat(40)}\ufffd`)));
  });

  it('writes bin, array and map headers at their boundaries', () => {
    for (const n of [0, 15, 16, 255, 256, 65535, 65536]) {
      expect(written((wr) => wr.writeBinaryHeader(n))).toBe(w.hex(w.binHeader(n)));
      expect(written((wr) => wr.writeArrayHeader(n))).toBe(w.hex(w.arr(n)));
      expect(written((wr) => wr.writeMapHeader(n))).toBe(w.hex(w.map(n)));
    }
    expect(written((wr) => wr.writeBinary(Uint8Array.of(1, 2)))).toBe('c4 02 01 02');
  });

  it('writes ext headers as fixext for 1, 2, 4, 8, 16 bytes and ext8/16/32 otherwise', () => {
    for (const n of [0, 1, 2, 3, 4, 8, 16, 17, 255, 256, 65536]) {
      const payload = new Uint8Array(n);
      expect(
        written((wr) => {
          wr.writeExtHeader(8, n);
          wr.writeRaw(payload);
        }),
        String(n),
      ).toBe(w.hex(w.ext(8, payload)));
    }
  });

  it('writes a UUID in Ignite order: each 64-bit half little-endian', () => {
    expect(written((wr) => wr.writeUuid('00112233-4455-6677-8899-AABBCCDDEEFF'))).toBe(
      'd8 03 77 66 55 44 33 22 11 00 ff ee dd cc bb aa 99 88',
    );
  });

  it('writes a bitmask with trailing zero bytes trimmed', () => {
    expect(written((wr) => wr.writeBitmask(bitmaskOf([0, 9])))).toBe('d5 08 01 02');
    expect(written((wr) => wr.writeBitmask(Uint8Array.of(4, 0, 0)))).toBe('d4 08 04');
    expect(written((wr) => wr.writeBitmask(new Uint8Array(3)))).toBe('c7 00 08');
    expect(written((wr) => wr.writeBitmask(bitmaskOf([17])))).toBe(w.hex(w.bitmask(17)));
  });

  it('writes timestamps as timestamp 32, 64 or 96', () => {
    const cases = [
      0,
      1_700_000_000_000,
      1_700_000_000_005,
      2 ** 33 * 1000,
      2 ** 34 * 1000,
      -1,
      -86_400_000,
      8.64e15,
    ];
    for (const millis of cases) {
      expect(
        written((wr) => writeTimestampExt(wr, millis)),
        String(millis),
      ).toBe(w.hex(w.timestamp(millis)));
    }
  });

  it('rejects a non-integer, an unsafe integer, an int64 overflow and a bad UUID with INVALID_ARGUMENT', () => {
    const writer = new MsgPackWriter();
    const attempts: (() => void)[] = [
      () => writer.writeInt(1.5, 'tableId'),
      () => writer.writeInt(2 ** 53, 'tableId'),
      () => writer.writeInt(Number.NaN, 'tableId'),
      () => writer.writeInt32(2 ** 31, 'tableId'),
      () => writer.writeInt32(-(2 ** 31) - 1, 'tableId'),
      () => writer.writeInt32(0.5, 'tableId'),
      () => writer.writeBigInt(2n ** 63n, 'ts'),
      () => writer.writeInt64Fixed(-(2n ** 63n) - 1n, 'ts'),
      () => writer.writeUuid('not-a-uuid', 'traceId'),
      () => writer.writeUuid('00112233-4455-6677-8899-aabbccddeefg', 'traceId'),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(ProtocolError);
      try {
        attempt();
      } catch (error) {
        expect((error as ProtocolError).code).toBe('INVALID_ARGUMENT');
        expect((error as ProtocolError).message).toMatch(/^(tableId|ts|traceId): /);
      }
    }
    expect(writer.length).toBe(0);
  });

  it('starts over after reset and reuses its buffer', () => {
    const writer = new MsgPackWriter({ initialCapacity: 4 });
    writer.writeString('a long enough string to grow the buffer');
    writer.reset();
    writer.writeInt(7);
    expect(w.hex(writer.view())).toBe('07');
    expect(writer.length).toBe(1);
  });

  it('gives a view that later writes overwrite and a copy that they do not', () => {
    const writer = new MsgPackWriter();
    writer.writeInt(1);
    const view = writer.view();
    const copy = writer.toBytes();
    writer.reset();
    writer.writeInt(2);
    expect(view[0]).toBe(2);
    expect(copy[0]).toBe(1);
  });

  it('patches reserved bytes in place', () => {
    const writer = new MsgPackWriter({ initialCapacity: 2 });
    const at = writer.reserve(4);
    writer.writeString('abc');
    writer.patchUint32(at, writer.length - 4);
    expect(w.hex(writer.view())).toBe('00 00 00 04 a3 61 62 63');
  });

  it('rejects a bad initial capacity', () => {
    expect(() => new MsgPackWriter({ initialCapacity: 0 })).toThrow(/initialCapacity/);
  });
});
