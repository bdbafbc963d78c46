/**
 * The production hash (32-bit limbs, fast paths, reused buffers) against the slow independent reference in
 * `support/murmur3-reference.ts` (BigInt, byte at a time, rules written from WIRE.md): fixed edge inputs for
 * every column type, then random ones.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { colocationHash, hashValue } from '../src/hash/colocation-hash.js';
import {
  combineHash,
  hash32Byte,
  hash32Bytes,
  hash32Int,
  hash32Long,
  hash32LongBits,
  hash32Short,
  hash32String,
  hash64Bytes,
} from '../src/hash/murmur3.js';
import type { ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import type { InternalValue } from '../src/schema/values.js';
import {
  refColocationHash,
  refFold,
  refHash64,
  refHashBytes,
  refInt8,
  refInt16,
  refInt32,
  refInt64,
  refValueHash,
} from './support/murmur3-reference.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

const column = (type: ColumnType, extra: { precision?: number; scale?: number } = {}): ColumnDef => ({
  name: 'c',
  type,
  ...extra,
});

describe('murmur3 over byte ranges', () => {
  it('equals the reference for every length from 0 to 80 (all block and tail shapes)', () => {
    const data = Uint8Array.from({ length: 80 }, (_, i) => (i * 73 + 11) & 0xff);
    for (let length = 0; length <= 80; length++) {
      const slice = data.subarray(0, length);
      expect(hash64Bytes(data, 0, length)).toBe(refHash64(slice, 0n));
      expect(hash32Bytes(data, 0, length)).toBe(refHashBytes(slice));
    }
  });

  it('equals the reference on random bytes, offsets and zero-extended seeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), int32, (data, a, b, seed) => {
        const offset = a % (data.length + 1);
        const length = b % (data.length - offset + 1);
        const slice = data.subarray(offset, offset + length);
        expect(hash64Bytes(data, offset, length, seed)).toBe(refHash64(slice, BigInt(seed >>> 0)));
        expect(hash32Bytes(data, offset, length, seed)).toBe(refHashBytes(slice, seed));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes an empty range with seed 0 to 0', () => {
    expect(hash64Bytes(new Uint8Array(0))).toBe(0n);
    expect(hash32Bytes(new Uint8Array(10), 3, 0)).toBe(0);
  });
});

describe('murmur3 primitive fast paths', () => {
  it('equal the reference over little-endian bytes with a sign-extended seed', () => {
    fc.assert(
      fc.property(int32, int32, int64, (value, seed, long) => {
        expect(hash32Byte(value, seed)).toBe(refInt8((value << 24) >> 24, seed));
        expect(hash32Short(value, seed)).toBe(refInt16((value << 16) >> 16, seed));
        expect(hash32Int(value, seed)).toBe(refInt32(value, seed));
        expect(hash32Long(long, seed)).toBe(refInt64(long, seed));
        const hi = Number(BigInt.asIntN(32, long >> 32n));
        const lo = Number(BigInt.asIntN(32, long));
        expect(hash32LongBits(hi, lo, seed)).toBe(refInt64(long, seed));
        expect(combineHash(value, seed)).toBe(refInt32(value, seed));
      }),
      { numRuns: 500 },
    );
  });

  it('sign-extends a negative seed where the byte-array API would zero-extend it', () => {
    const one = Buffer.from([1, 0, 0, 0]);
    const signExtended = refFold(refHash64(one, 0xffffffffffffffffn));
    const zeroExtended = refFold(refHash64(one, 0xffffffffn));
    expect(signExtended).not.toBe(zeroExtended);
    expect(hash32Int(1, -1)).toBe(signExtended);
    expect(hash32Bytes(one, 0, 4, -1)).toBe(zeroExtended);
  });
});

describe('murmur3 strings', () => {
  it('equals the reference over UTF-8 for any code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(hash32String(s)).toBe(refHashBytes(Buffer.from(s, 'utf8')));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes lone surrogates as U+FFFD, as TextEncoder and Buffer do', () => {
    const raw = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
      .map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(raw, (s) => {
        expect(hash32String(s)).toBe(refHashBytes(Buffer.from(s, 'utf8')));
      }),
      { numRuns: 300 },
    );
    expect(hash32String('\ud800')).toBe(refHashBytes(Uint8Array.of(0xef, 0xbf, 0xbd)));
  });

  it('keeps hashing correctly after its scratch buffer grows, and past the retained size', () => {
    for (const s of ['a'.repeat(300), 'é'.repeat(300), 'x'.repeat(70_000), '€'.repeat(30_000), 'short']) {
      expect(hash32String(s)).toBe(refHashBytes(Buffer.from(s, 'utf8')));
    }
  });
});

/** Edge values per column type; every one is hashed by both implementations. */
const EDGE_CASES: ReadonlyArray<readonly [ColumnDef, readonly InternalValue[]]> = [
  [column('BOOLEAN'), [true, false, null]],
  [column('INT8'), [0, 1, -1, 127, -128]],
  [column('INT16'), [0, 1, -1, 32767, -32768, 255, -256]],
  [column('INT32'), [0, 1, -1, 2147483647, -2147483648, 65536]],
  [column('INT64'), [0n, 1n, -1n, INT64_MAX, INT64_MIN, 2n ** 32n, -(2n ** 32n)]],
  [column('FLOAT'), [0, -0, 1.5, -1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e-45, 3.4028234663852886e38]],
  [
    column('DOUBLE'),
    [0, -0, Math.PI, Number.NaN, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE],
  ],
  [
    column('DECIMAL', { scale: 2 }),
    [
      { unscaled: 0n, scale: 2 },
      { unscaled: 12345n, scale: 2 },
      { unscaled: -12345n, scale: 2 },
      { unscaled: 12345n, scale: 3 }, // 12.345 -> 12.35 (half up)
      { unscaled: -12345n, scale: 3 }, // -12.345 -> -12.35 (away from zero)
      { unscaled: 12344n, scale: 3 },
      { unscaled: 5n, scale: 0 },
      { unscaled: 127n, scale: 2 },
      { unscaled: 128n, scale: 2 },
      { unscaled: -128n, scale: 2 },
      { unscaled: -129n, scale: 2 },
      { unscaled: INT64_MAX, scale: 2 },
      { unscaled: INT64_MIN, scale: 2 },
      { unscaled: INT64_MAX + 1n, scale: 2 },
      { unscaled: 10n ** 60n + 7n, scale: 2 },
      { unscaled: -(10n ** 60n), scale: 5 },
    ],
  ],
  [
    column('DECIMAL'),
    [
      { unscaled: 5n, scale: 1 },
      { unscaled: -5n, scale: 1 },
      { unscaled: 4n, scale: 1 },
    ],
  ],
  [column('STRING'), ['', 'a', 'key-1', 'ключ', '🔥', 'x'.repeat(17), 'y'.repeat(1000)]],
  [column('BYTES'), [new Uint8Array(0), Uint8Array.of(0x80), Uint8Array.of(0x80, 0xff), new Uint8Array(33)]],
  [
    column('UUID'),
    [
      { msb: 0n, lsb: 0n },
      { msb: -1n, lsb: -1n },
      { msb: INT64_MIN, lsb: INT64_MAX },
    ],
  ],
  [
    column('DATE'),
    [
      { year: 1970, month: 1, day: 1 },
      { year: -16384, month: 12, day: 31 },
      { year: 16383, month: 2, day: 29 },
    ],
  ],
  [
    column('TIME'),
    [
      { hour: 0, minute: 0, second: 0, nano: 0 },
      { hour: 23, minute: 59, second: 59, nano: 999_999_999 },
    ],
  ],
  [column('TIME', { precision: 9 }), [{ hour: 23, minute: 59, second: 59, nano: 999_999_999 }]],
  [column('TIME', { precision: 3 }), [{ hour: 12, minute: 0, second: 1, nano: 123_456_789 }]],
  [
    column('DATETIME'),
    [
      { date: { year: 2024, month: 2, day: 29 }, time: { hour: 1, minute: 2, second: 3, nano: 456_789_123 } },
      { date: { year: -1, month: 1, day: 1 }, time: { hour: 0, minute: 0, second: 0, nano: 0 } },
    ],
  ],
  [
    column('TIMESTAMP'),
    [
      { seconds: 0n, nanos: 0 },
      { seconds: -1n, nanos: 999_999_999 },
      { seconds: 1_700_000_000n, nanos: 123_456_789 },
    ],
  ],
  [column('TIMESTAMP', { precision: 0 }), [{ seconds: 1_700_000_000n, nanos: 999_999_999 }]],
];

describe('hashValue', () => {
  it('equals the reference on edge values of every column type', () => {
    for (const [col, values] of EDGE_CASES) {
      for (const value of values)
        expect(hashValue(col, value), `${col.type} ${String(value)}`).toBe(refValueHash(col, value));
    }
  });

  const precision = fc.integer({ min: 0, max: 9 });
  const date = fc.record({
    year: fc.integer({ min: -16384, max: 16383 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  });
  const time = fc.record({
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    nano: fc.integer({ min: 0, max: 999_999_999 }),
  });
  /** A column of each type with a value of its internal form. */
  const typedValue: Record<ColumnType, fc.Arbitrary<readonly [ColumnDef, InternalValue]>> = {
    BOOLEAN: fc.boolean().map((v) => [column('BOOLEAN'), v] as const),
    INT8: fc.integer({ min: -128, max: 127 }).map((v) => [column('INT8'), v] as const),
    INT16: fc.integer({ min: -32768, max: 32767 }).map((v) => [column('INT16'), v] as const),
    INT32: int32.map((v) => [column('INT32'), v] as const),
    INT64: int64.map((v) => [column('INT64'), v] as const),
    FLOAT: fc.float().map((v) => [column('FLOAT'), v] as const),
    DOUBLE: fc.double().map((v) => [column('DOUBLE'), v] as const),
    DECIMAL: fc
      .tuple(
        fc.integer({ min: 0, max: 20 }),
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: 0, max: 25 }),
      )
      .map(
        ([scale, unscaled, valueScale]) =>
          [column('DECIMAL', { scale }), { unscaled, scale: valueScale }] as const,
      ),
    STRING: fc.string({ unit: 'binary', maxLength: 40 }).map((v) => [column('STRING'), v] as const),
    BYTES: fc.uint8Array({ maxLength: 40 }).map((v) => [column('BYTES'), v] as const),
    UUID: fc.record({ msb: int64, lsb: int64 }).map((v) => [column('UUID'), v] as const),
    DATE: date.map((v) => [column('DATE'), v] as const),
    TIME: fc.tuple(precision, time).map(([p, v]) => [column('TIME', { precision: p }), v] as const),
    DATETIME: fc
      .tuple(precision, date, time)
      .map(([p, d, t]) => [column('DATETIME', { precision: p }), { date: d, time: t }] as const),
    TIMESTAMP: fc
      .tuple(
        precision,
        fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
        fc.integer({ min: 0, max: 999_999_999 }),
      )
      .map(([p, seconds, nanos]) => [column('TIMESTAMP', { precision: p }), { seconds, nanos }] as const),
  };

  for (const [type, arbitrary] of Object.entries(typedValue)) {
    it(`equals the reference on random ${type} values`, () => {
      fc.assert(
        fc.property(fc.option(arbitrary, { freq: 20 }), (pair) => {
          const [col, value] = pair ?? [column(type as ColumnType), null];
          expect(hashValue(col, value)).toBe(refValueHash(col, value));
        }),
        { numRuns: 300 },
      );
    });
  }

  it("hashes every NaN as Java's canonical NaN, whatever its payload", () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, 0x7ff8000000000123n);
    const doubleNaN = view.getFloat64(0);
    view.setUint32(0, 0xffc00123);
    const floatNaN = view.getFloat32(0);
    expect(hashValue(column('DOUBLE'), doubleNaN)).toBe(hashValue(column('DOUBLE'), Number.NaN));
    expect(hashValue(column('DOUBLE'), doubleNaN)).toBe(refInt64(0x7ff8000000000000n));
    expect(hashValue(column('FLOAT'), floatNaN)).toBe(hashValue(column('FLOAT'), Number.NaN));
    expect(hashValue(column('FLOAT'), floatNaN)).toBe(refInt32(0x7fc00000));
  });

  it('truncates temporal nanos to the column precision before hashing', () => {
    const t = { hour: 1, minute: 2, second: 3, nano: 123_456_789 };
    const truncated = { ...t, nano: 123_000_000 };
    expect(hashValue(column('TIME', { precision: 3 }), t)).toBe(
      hashValue(column('TIME', { precision: 9 }), truncated),
    );
    expect(hashValue(column('TIME', { precision: 4 }), t)).not.toBe(
      hashValue(column('TIME', { precision: 3 }), t),
    );
  });
});

describe('colocationHash', () => {
  it('equals the reference on random multi-column keys', () => {
    const key = fc.array(
      fc.oneof(
        int32.map((v) => [column('INT32'), v] as const),
        int64.map((v) => [column('INT64'), v] as const),
        fc.string({ maxLength: 20 }).map((v) => [column('STRING'), v] as const),
        fc.record({ msb: int64, lsb: int64 }).map((v) => [column('UUID'), v] as const),
        fc.constant([column('STRING'), null] as const),
      ),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(key, (pairs) => {
        const columns = pairs.map(([c]) => c);
        const values = pairs.map(([, v]) => v);
        expect(colocationHash(columns, values)).toBe(refColocationHash(columns, values));
      }),
      { numRuns: 300 },
    );
  });

  it('passes a one-column key through the combining step', () => {
    const col = column('INT32');
    expect(colocationHash([col], [7])).toBe(combineHash(0, hashValue(col, 7)));
    expect(colocationHash([col], [7])).not.toBe(hashValue(col, 7));
  });
});
