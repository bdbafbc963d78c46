import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { appendColumnValue } from '../src/tuple/column-value-codec.js';
import { toHex } from './support/reference-tuple-encoder.js';

function errorOf(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('BinaryTupleBuilder', () => {
  it('refuses values the format cannot represent, with VALUE_NOT_ENCODABLE', () => {
    const b = new BinaryTupleBuilder();
    const cases: [() => unknown, RegExp][] = [
      [() => b.appendInt(2 ** 31), /not a 32-bit integer/],
      [() => b.appendInt(1.5), /not a 32-bit integer/],
      [() => b.appendInt64(2n ** 63n), /outside the int64 range/],
      [() => b.appendDecimal({ unscaled: 1n, scale: 40000 }, 40000), /scale 40000 does not fit in 16 bits/],
      [() => b.appendDate({ year: 16384, month: 1, day: 1 }), /year 16384/],
      [() => b.appendDate({ year: 2023, month: 2, day: 29 }), /day 29/],
      [() => b.appendTime({ hour: 24, minute: 0, second: 0, nano: 0 }), /hour 24/],
      [() => b.appendTime({ hour: 0, minute: 0, second: 0, nano: 1e9 }), /nanosecond/],
      [() => b.appendTimestamp({ seconds: 0n, nanos: -1 }), /nanoseconds/],
      [() => b.appendTimestamp({ seconds: 2n ** 64n, nanos: 0 }), /outside int64/],
      [
        () => appendColumnValue(b, { name: 'X', type: 'UUID' }, 'not internal'),
        /does not fit column "X" \(UUID\)/,
      ],
      [() => appendColumnValue(b, { name: 'X', type: 'INT64' }, 5), /does not fit column "X" \(INT64\)/],
    ];
    for (const [run, message] of cases) {
      const error = errorOf(run);
      expect(error.code).toBe('VALUE_NOT_ENCODABLE');
      expect(error.message).toMatch(message);
    }
  });

  it('strips trailing zeros only while the scale fits in 16 bits', () => {
    // 1 followed by 40000 zeros at scale 32767 strips to scale -7233: allowed.
    const big = { unscaled: 10n ** 40000n, scale: 32767 };
    const tuple = new BinaryTupleBuilder().appendDecimal(big, 32767).build();
    expect(toHex(tuple)).toBe('00 03 BF E3 01');
    // Stripping 1E+5 at scale -32766 would go below -32768: the value is kept as it is.
    const kept = new BinaryTupleBuilder().appendDecimal({ unscaled: 100000n, scale: -32766 }, 0).build();
    expect(toHex(kept)).toBe('00 05 02 80 01 86 A0');
    expect(toHex(new BinaryTupleBuilder().appendDecimal({ unscaled: 100n, scale: -32767 }, 0).build())).toBe(
      '00 03 01 80 64',
    );
  });

  it('writes into a caller buffer at an offset, and refuses one too small', () => {
    const b = new BinaryTupleBuilder().appendInt(33).appendInt(-71);
    expect(b.byteLength).toBe(5);
    const target = new Uint8Array(8).fill(0xee);
    expect(b.buildInto(target, 2)).toBe(5);
    expect(toHex(target)).toBe('EE EE 00 01 02 21 B9 EE');
    expect(errorOf(() => b.buildInto(new Uint8Array(6), 2)).message).toMatch(/does not fit at offset 2/);
    expect(toHex(b.build())).toBe('00 01 02 21 B9');
  });

  it('keeps working after a refused value once reset', () => {
    const b = new BinaryTupleBuilder();
    b.appendInt(1);
    expect(() => b.appendInt(0.5)).toThrow(ProtocolError);
    expect(toHex(b.reset().appendInt(33).appendInt(-71).build())).toBe('00 01 02 21 B9');
  });
});
