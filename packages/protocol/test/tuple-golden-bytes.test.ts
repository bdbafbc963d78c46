import { describe, expect, it } from 'vitest';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { hex, ref, refTuple, toHex } from './support/reference-tuple-encoder.js';

/** The production builder's bytes for one element. */
function one(append: (b: BinaryTupleBuilder) => void): string {
  const builder = new BinaryTupleBuilder();
  append(builder);
  return toHex(builder.build());
}

/** Hand-written expectation, normalised for comparison. */
function h(text: string): string {
  return toHex(hex(text));
}

/** The reference encoder's tuple for one element. */
function r(element: number[]): string {
  return toHex(refTuple([element]));
}

describe('BinaryTupleBuilder golden bytes', () => {
  it('writes integers in the smallest width, zero as one byte', () => {
    const cases: [number, string][] = [
      [0, '00 01 00'],
      [1, '00 01 01'],
      [-1, '00 01 FF'],
      [127, '00 01 7F'],
      [-128, '00 01 80'],
      [128, '00 02 80 00'],
      [-129, '00 02 7F FF'],
      [32767, '00 02 FF 7F'],
      [-32768, '00 02 00 80'],
      [32768, '00 04 00 80 00 00'],
      [-32769, '00 04 FF 7F FF FF'],
      [2147483647, '00 04 FF FF FF 7F'],
      [-2147483648, '00 04 00 00 00 80'],
    ];
    for (const [value, bytes] of cases) {
      expect(
        one((b) => b.appendInt(value)),
        String(value),
      ).toBe(h(bytes));
      expect(
        one((b) => b.appendInt64(BigInt(value))),
        `${value}n`,
      ).toBe(h(bytes));
      expect(r(ref.int(value)), `reference ${value}`).toBe(h(bytes));
    }
  });

  it('writes INT64 beyond 32 bits in 8 bytes', () => {
    const cases: [bigint, string][] = [
      [300n, '00 02 2C 01'],
      [2147483648n, '00 08 00 00 00 80 00 00 00 00'],
      [-2147483649n, '00 08 FF FF FF 7F FF FF FF FF'],
      [9223372036854775807n, '00 08 FF FF FF FF FF FF FF 7F'],
      [-9223372036854775808n, '00 08 00 00 00 00 00 00 00 80'],
    ];
    for (const [value, bytes] of cases) {
      expect(
        one((b) => b.appendInt64(value)),
        String(value),
      ).toBe(h(bytes));
      expect(r(ref.int(value))).toBe(h(bytes));
    }
  });

  it('writes BOOLEAN as one byte', () => {
    expect(one((b) => b.appendBoolean(true))).toBe(h('00 01 01'));
    expect(one((b) => b.appendBoolean(false))).toBe(h('00 01 00'));
  });

  it('writes FLOAT always in 4 bytes', () => {
    expect(one((b) => b.appendFloat(1.5))).toBe(h('00 04 00 00 C0 3F'));
    expect(one((b) => b.appendFloat(0))).toBe(h('00 04 00 00 00 00'));
    expect(one((b) => b.appendFloat(Number.NaN))).toBe(h('00 04 00 00 C0 7F'));
    expect(r(ref.float(1.5))).toBe(h('00 04 00 00 C0 3F'));
  });

  it('writes DOUBLE in 4 bytes when it round-trips through a float, else in 8, NaN in 8', () => {
    expect(one((b) => b.appendDouble(1.5))).toBe(h('00 04 00 00 C0 3F'));
    expect(one((b) => b.appendDouble(0))).toBe(h('00 04 00 00 00 00'));
    expect(one((b) => b.appendDouble(-0))).toBe(h('00 04 00 00 00 80'));
    expect(one((b) => b.appendDouble(Number.POSITIVE_INFINITY))).toBe(h('00 04 00 00 80 7F'));
    expect(one((b) => b.appendDouble(0.1))).toBe(h('00 08 9A 99 99 99 99 99 B9 3F'));
    expect(one((b) => b.appendDouble(1e300))).toBe(h('00 08 9C 75 00 88 3C E4 37 7E'));
    expect(one((b) => b.appendDouble(Number.NaN))).toBe(h('00 08 00 00 00 00 00 00 F8 7F'));
    for (const value of [
      1.5,
      0,
      -0,
      0.1,
      1e300,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      3.4028234663852886e38,
    ]) {
      expect(
        one((b) => b.appendDouble(value)),
        String(value),
      ).toBe(r(ref.double(value)));
    }
  });

  it('writes DECIMAL with a 2-byte scale, trailing zeros stripped, unscaled big-endian', () => {
    const cases: [bigint, number, number, string][] = [
      // unscaled, scale, column scale, bytes
      [100n, 0, 0, '00 03 FE FF 01'],
      [1250n, 2, 2, '00 03 01 00 7D'],
      [0n, 2, 2, '00 03 00 00 00'],
      [128n, 0, 0, '00 04 00 00 00 80'],
      [-128n, 0, 0, '00 03 00 00 80'],
      [-129n, 0, 0, '00 04 00 00 FF 7F'],
      [-5n, 1, 3, '00 03 01 00 FB'],
      // Rounded HALF_UP to the column scale first: 1.235 -> 1.24, -1.235 -> -1.24, 1.995 -> 2.00 -> 2.
      [1235n, 3, 2, '00 03 02 00 7C'],
      [-1235n, 3, 2, '00 03 02 00 84'],
      [1234n, 3, 2, '00 03 02 00 7B'],
      [1995n, 3, 2, '00 03 00 00 02'],
      // A negative scale after stripping: 1.2E+7.
      [12000000n, 0, 0, '00 03 FA FF 0C'],
    ];
    for (const [unscaled, scale, columnScale, bytes] of cases) {
      const label = `${unscaled}e-${scale} at scale ${columnScale}`;
      expect(
        one((b) => b.appendDecimal({ unscaled, scale }, columnScale)),
        label,
      ).toBe(h(bytes));
      expect(r(ref.decimal(unscaled, scale, columnScale)), `reference ${label}`).toBe(h(bytes));
    }
  });

  it('writes long DECIMAL unscaled values as Java BigInteger.toByteArray does', () => {
    for (const unscaled of [
      2n ** 63n + 1n,
      -(2n ** 100n) - 7n,
      10n ** 40n + 1n,
      -(10n ** 38n) + 3n,
      2n ** 31n - 1n,
    ]) {
      expect(
        one((b) => b.appendDecimal({ unscaled, scale: 3 }, 3)),
        String(unscaled),
      ).toBe(r(ref.decimal(unscaled, 3, 3)));
    }
    expect(one((b) => b.appendDecimal({ unscaled: 2n ** 63n + 1n, scale: 0 }, 0))).toBe(
      h('00 0B 00 00 00 80 00 00 00 00 00 00 01'),
    );
  });

  it('writes STRING as UTF-8 and the empty string as 80', () => {
    expect(one((b) => b.appendString('key'))).toBe(h('00 03 6B 65 79'));
    expect(one((b) => b.appendString(''))).toBe(h('00 01 80'));
    expect(one((b) => b.appendString('é€😀'))).toBe(h('00 09 C3 A9 E2 82 AC F0 9F 98 80'));
    const long = 'ø'.repeat(40);
    expect(one((b) => b.appendString(long))).toBe(r(ref.string(long)));
  });

  it('writes BYTES raw, with an 80 in front when empty or starting with 80', () => {
    expect(one((b) => b.appendBytes(hex('01 02')))).toBe(h('00 02 01 02'));
    expect(one((b) => b.appendBytes(new Uint8Array(0)))).toBe(h('00 01 80'));
    expect(one((b) => b.appendBytes(hex('80')))).toBe(h('00 02 80 80'));
    expect(one((b) => b.appendBytes(hex('80 FF')))).toBe(h('00 03 80 80 FF'));
    expect(one((b) => b.appendBytes(hex('FF 80')))).toBe(h('00 02 FF 80'));
    expect(r(ref.bytes([0x80, 0xff]))).toBe(h('00 03 80 80 FF'));
  });

  it('writes UUID as the most significant half little-endian, then the least', () => {
    const uuid = { msb: 0x0011223344556677n, lsb: BigInt.asIntN(64, 0x8899aabbccddeeffn) };
    const expected = '00 10 77 66 55 44 33 22 11 00 FF EE DD CC BB AA 99 88';
    expect(one((b) => b.appendUuid(uuid))).toBe(h(expected));
    expect(r(ref.uuid('00112233-4455-6677-8899-aabbccddeeff'))).toBe(h(expected));
  });

  it('writes DATE in 3 bytes, negative years included', () => {
    const cases: [number, number, number, string][] = [
      [2024, 2, 29, '00 03 5D D0 0F'],
      [-1, 12, 31, '00 03 9F FF FF'],
      [-16384, 1, 1, '00 03 21 00 80'],
      [16383, 12, 31, '00 03 9F FF 7F'],
    ];
    for (const [year, month, day, bytes] of cases) {
      expect(
        one((b) => b.appendDate({ year, month, day })),
        `${year}-${month}-${day}`,
      ).toBe(h(bytes));
      expect(r(ref.date(year, month, day))).toBe(h(bytes));
    }
  });

  it('writes TIME in 4, 5 or 6 bytes by the precision its nanoseconds need', () => {
    const cases: [number, string][] = [
      [0, '00 04 00 E0 22 03'],
      [789_000_000, '00 04 15 E3 22 03'],
      [789_012_000, '00 05 14 0A 8C 8B 0C'],
      [789_012_345, '00 06 79 5F 07 2F 2E 32'],
    ];
    for (const [nano, bytes] of cases) {
      expect(
        one((b) => b.appendTime({ hour: 12, minute: 34, second: 56, nano })),
        String(nano),
      ).toBe(h(bytes));
      expect(r(ref.time(12, 34, 56, nano))).toBe(h(bytes));
    }
    expect(one((b) => b.appendTime({ hour: 23, minute: 59, second: 59, nano: 999_999_999 }))).toBe(
      h('00 06 FF C9 9A FB BE 5F'),
    );
  });

  it('writes DATETIME as DATE then TIME: 7, 8 or 9 bytes', () => {
    for (const nano of [0, 5_000_000, 5_000, 5]) {
      const value = {
        date: { year: -1, month: 12, day: 31 },
        time: { hour: 23, minute: 59, second: 59, nano },
      };
      expect(one((b) => b.appendDateTime(value))).toBe(r(ref.dateTime(-1, 12, 31, 23, 59, 59, nano)));
    }
    expect(
      one((b) =>
        b.appendDateTime({
          date: { year: 2024, month: 2, day: 29 },
          time: { hour: 12, minute: 34, second: 56, nano: 0 },
        }),
      ),
    ).toBe(h('00 07 5D D0 0F 00 E0 22 03'));
  });

  it('writes TIMESTAMP as seconds, plus nanoseconds only when not zero', () => {
    expect(one((b) => b.appendTimestamp({ seconds: 1_700_000_000n, nanos: 0 }))).toBe(
      h('00 08 00 F1 53 65 00 00 00 00'),
    );
    expect(one((b) => b.appendTimestamp({ seconds: 1_700_000_000n, nanos: 123_456_789 }))).toBe(
      h('00 0C 00 F1 53 65 00 00 00 00 15 CD 5B 07'),
    );
    expect(one((b) => b.appendTimestamp({ seconds: -1n, nanos: 999_000_000 }))).toBe(
      h('00 0C FF FF FF FF FF FF FF FF C0 87 8B 3B'),
    );
    expect(r(ref.timestamp(-1n, 999_000_000))).toBe(h('00 0C FF FF FF FF FF FF FF FF C0 87 8B 3B'));
  });

  it('writes NULL as a zero-length element', () => {
    const builder = new BinaryTupleBuilder();
    builder.appendInt(1).appendNull().appendString('');
    expect(toHex(builder.build())).toBe(h('00 01 01 02 01 80'));
    expect(toHex(new BinaryTupleBuilder().appendNull().build())).toBe(h('00 00'));
    expect(toHex(new BinaryTupleBuilder().build())).toBe(h('00'));
  });

  it('uses 1-byte offsets up to a 255-byte value area', () => {
    const bytes = new Uint8Array(255).fill(7);
    const tuple = new BinaryTupleBuilder().appendBytes(bytes).build();
    expect(toHex(tuple.subarray(0, 3))).toBe(h('00 FF 07'));
    expect(tuple.length).toBe(2 + 255);
  });

  it('uses 2-byte offsets from 256 up to 65535 bytes', () => {
    const small = new BinaryTupleBuilder().appendInt(5).appendBytes(new Uint8Array(255).fill(7)).build();
    expect(toHex(small.subarray(0, 6))).toBe(h('01 01 00 00 01 05'));
    expect(small.length).toBe(1 + 4 + 256);
    const large = new BinaryTupleBuilder().appendBytes(new Uint8Array(65535).fill(1)).build();
    expect(toHex(large.subarray(0, 3))).toBe(h('01 FF FF'));
  });

  it('uses 4-byte offsets past 65535 bytes', () => {
    const value = new Uint8Array(65536).fill(1);
    const tuple = new BinaryTupleBuilder().appendNull().appendBytes(value).build();
    expect(toHex(tuple.subarray(0, 9))).toBe(h('02 00 00 00 00 00 00 01 00'));
    expect(tuple.length).toBe(1 + 8 + 65536);
    expect(toHex(tuple)).toBe(toHex(refTuple([[], [...value]])));
  });

  it('writes a mixed tuple exactly as the reference encoder', () => {
    const builder = new BinaryTupleBuilder(16);
    builder
      .appendInt64(-70000n)
      .appendString('naïve')
      .appendNull()
      .appendDecimal({ unscaled: -1250n, scale: 2 }, 2)
      .appendBytes(hex('80'))
      .appendTimestamp({ seconds: 86_400n, nanos: 1_000 });
    const expected = refTuple([
      ref.int(-70000n),
      ref.string('naïve'),
      ref.null(),
      ref.decimal(-1250n, 2, 2),
      ref.bytes([0x80]),
      ref.timestamp(86_400n, 1_000),
    ]);
    expect(toHex(builder.build())).toBe(toHex(expected));
  });

  it('starts afresh after reset and keeps working after growing', () => {
    const builder = new BinaryTupleBuilder(16);
    builder.appendString('x'.repeat(1000)).appendInt(1);
    builder.build();
    builder.reset().appendInt(33).appendInt(-71);
    expect(builder.elementCount).toBe(2);
    expect(toHex(builder.build())).toBe(h('00 01 02 21 B9'));
    // build() does not consume: the same bytes again.
    expect(toHex(builder.build())).toBe(h('00 01 02 21 B9'));
  });
});
