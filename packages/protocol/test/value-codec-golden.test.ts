import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import * as w from './support/wire-builder.js';

/** A value and the bytes the value codec must write for it (from the independent builder). */
const GOLDEN: [string, unknown, w.Bytes][] = [
  ['null', null, w.nil()],
  ['true', true, w.bool(true)],
  ['false', false, w.bool(false)],
  ['small int', 7, w.int(7)],
  ['negative int', -300, w.int(-300)],
  ['uint32 max', 2 ** 32 - 1, w.int(2 ** 32 - 1)],
  ['int past uint32 as float64', 2 ** 32, w.float64(2 ** 32)],
  ['int past int32 as float64', -(2 ** 31) - 1, w.float64(-(2 ** 31) - 1)],
  ['fraction', 0.1, w.float64(0.1)],
  ['-0', -0, w.float64(-0)],
  ['bigint 1n', 1n, w.int64(1n)],
  ['bigint min', -(2n ** 63n), w.int64(-(2n ** 63n))],
  ['string', 'héllo', w.str('héllo')],
  ['bytes', Uint8Array.of(0, 255), w.bin([0, 255])],
  ['date, whole seconds', new Date(1_700_000_000_000), w.timestamp(1_700_000_000_000)],
  ['date with millis', new Date(1_700_000_000_123), w.timestamp(1_700_000_000_123)],
  ['date before 1970', new Date(-1), w.timestamp(-1)],
  ['array', [1, 'a', null], w.cat(w.arr(3), w.int(1), w.str('a'), w.nil())],
  [
    'object',
    { trackId: 42, tags: ['rock'] },
    w.cat(w.map(2), w.str('trackId'), w.int(42), w.str('tags'), w.arr(1), w.str('rock')),
  ],
  ['empty object', {}, w.map(0)],
];

describe('value codec bytes', () => {
  for (const [name, value, bytes] of GOLDEN) {
    it(`writes ${name} as the documented bytes and reads them back`, () => {
      expect(w.hex(encodeValue(value))).toBe(w.hex(bytes));
      expect(w.hex(encodeValue(decodeValue(w.u8(bytes))))).toBe(w.hex(bytes));
    });
  }

  it('writes a date in the three timestamp sizes', () => {
    expect(w.hex(encodeValue(new Date(0)))).toBe('d6 ff 00 00 00 00');
    expect(w.hex(encodeValue(new Date(1)))).toBe('d7 ff 00 3d 09 00 00 00 00 00');
    expect(w.hex(encodeValue(new Date(-1000)))).toBe('c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff');
  });

  it('reads ints of every width as numbers and int64 / uint64 as bigints', () => {
    expect(decodeValue(w.u8([0xd2, ...w.be(-5, 4)]))).toBe(-5);
    expect(decodeValue(w.u8([0xce, ...w.be(4e9, 4)]))).toBe(4e9);
    expect(decodeValue(w.u8([0xd3, ...w.be(3, 8)]))).toBe(3n);
    expect(decodeValue(w.u8([0xcf, ...w.be(3, 8)]))).toBe(3n);
    expect(decodeValue(w.u8(w.float32(1.5)))).toBe(1.5);
  });
});
