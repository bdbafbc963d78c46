import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { denormalizeValue, normalizeValue } from '../src/schema/value-check.js';
import { dateFieldsArb, dateText } from './support/tuple-arbitraries.js';

const c = (def: Omit<ColumnDef, 'name'>): ColumnDef => ({ name: 'C', ...def });

/** normalize then denormalize: what a user gets back for `value`. */
function roundTrip(column: ColumnDef, value: unknown): unknown {
  return denormalizeValue(column, normalizeValue(column, value));
}

describe('normalizeValue and denormalizeValue', () => {
  it('keeps BOOLEAN, INT8..INT32, DOUBLE and STRING as they are; turns -0 into 0 for integers', () => {
    expect(normalizeValue(c({ type: 'BOOLEAN' }), true)).toBe(true);
    expect(normalizeValue(c({ type: 'INT8' }), -128)).toBe(-128);
    expect(Object.is(normalizeValue(c({ type: 'INT32' }), -0), 0)).toBe(true);
    expect(Object.is(normalizeValue(c({ type: 'DOUBLE' }), -0), -0)).toBe(true);
    expect(normalizeValue(c({ type: 'DOUBLE' }), Number.NaN)).toBeNaN();
    expect(normalizeValue(c({ type: 'STRING' }), 'a😀')).toBe('a😀');
  });

  it('rounds FLOAT to 32 bits', () => {
    expect(normalizeValue(c({ type: 'FLOAT' }), 0.1)).toBe(Math.fround(0.1));
    expect(normalizeValue(c({ type: 'FLOAT' }), 1e300)).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes INT64 as a bigint or a safe-integer number and gives a bigint', () => {
    expect(normalizeValue(c({ type: 'INT64' }), 42)).toBe(42n);
    expect(normalizeValue(c({ type: 'INT64' }), Number.MIN_SAFE_INTEGER)).toBe(-9007199254740991n);
    expect(roundTrip(c({ type: 'INT64' }), -(2n ** 63n))).toBe(-(2n ** 63n));
  });

  it('brings DECIMAL to the column scale with HALF_UP rounding', () => {
    const d = c({ type: 'DECIMAL', precision: 10, scale: 2 });
    expect(normalizeValue(d, '-12.5')).toEqual({ unscaled: -1250n, scale: 2 });
    expect(normalizeValue(d, '1.005')).toEqual({ unscaled: 101n, scale: 2 });
    expect(normalizeValue(d, '1.0049999')).toEqual({ unscaled: 100n, scale: 2 });
    expect(normalizeValue(d, '-1.005')).toEqual({ unscaled: -101n, scale: 2 });
    expect(normalizeValue(d, '-0.004')).toEqual({ unscaled: 0n, scale: 2 });
    expect(normalizeValue(d, '0.005')).toEqual({ unscaled: 1n, scale: 2 });
    expect(normalizeValue(d, '.5')).toEqual({ unscaled: 50n, scale: 2 });
    expect(normalizeValue(d, '5.')).toEqual({ unscaled: 500n, scale: 2 });
    expect(normalizeValue(d, '+1.5E2')).toEqual({ unscaled: 15000n, scale: 2 });
    expect(normalizeValue(d, '1234e-5')).toEqual({ unscaled: 1n, scale: 2 });
    expect(normalizeValue(d, '1e-999999999')).toEqual({ unscaled: 0n, scale: 2 });
    expect(normalizeValue(d, '00000000000000012.30')).toEqual({ unscaled: 1230n, scale: 2 });
    expect(normalizeValue(d, 0.1)).toEqual({ unscaled: 10n, scale: 2 });
    expect(normalizeValue(d, 1.005)).toEqual({ unscaled: 101n, scale: 2 });
    expect(normalizeValue(d, -7n)).toEqual({ unscaled: -700n, scale: 2 });
    expect(normalizeValue(d, '99999999.994')).toEqual({ unscaled: 9999999999n, scale: 2 });
  });

  it('defaults DECIMAL to scale 0 and precision 32767', () => {
    const d = c({ type: 'DECIMAL' });
    expect(normalizeValue(d, '2.5')).toEqual({ unscaled: 3n, scale: 0 });
    expect(normalizeValue(d, `1e32766`)).toEqual({ unscaled: 10n ** 32766n, scale: 0 });
    expect(() => normalizeValue(d, '1e32767')).toThrow(/at most 32767 digits/);
  });

  it('gives DECIMAL back as plain text with exactly the column scale', () => {
    const d = c({ type: 'DECIMAL', precision: 10, scale: 2 });
    expect(roundTrip(d, '-12.5')).toBe('-12.50');
    expect(roundTrip(d, '0.05')).toBe('0.05');
    expect(roundTrip(d, '-0.05')).toBe('-0.05');
    expect(roundTrip(d, 0)).toBe('0.00');
    expect(roundTrip(d, '1e3')).toBe('1000.00');
    expect(roundTrip(c({ type: 'DECIMAL', scale: 0 }), '-12')).toBe('-12');
    expect(roundTrip(c({ type: 'DECIMAL', precision: 3, scale: 3 }), '0.5')).toBe('0.500');
  });

  it('splits a UUID into signed halves and gives it back in lower case', () => {
    const u = c({ type: 'UUID' });
    expect(normalizeValue(u, '00112233-4455-6677-8899-AABBCCDDEEFF')).toEqual({
      msb: 0x0011223344556677n,
      lsb: -0x7766554433221101n,
    });
    expect(roundTrip(u, 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    fc.assert(
      fc.property(fc.uuid(), (text) => {
        expect(roundTrip(u, text)).toBe(text);
      }),
    );
  });

  it('reads DATE text and the UTC day of a Date, and writes ISO text with six-digit years outside 0..9999', () => {
    const d = c({ type: 'DATE' });
    expect(normalizeValue(d, '2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(normalizeValue(d, new Date('2024-03-01T23:59:59.999Z'))).toEqual({ year: 2024, month: 3, day: 1 });
    expect(roundTrip(d, '-000001-12-31')).toBe('-000001-12-31');
    expect(roundTrip(d, '+012345-06-07')).toBe('+012345-06-07');
    expect(roundTrip(d, '0000-02-29')).toBe('0000-02-29');
    expect(roundTrip(d, '-016384-01-01')).toBe('-016384-01-01');
    fc.assert(
      fc.property(dateFieldsArb, (fields) => {
        expect(roundTrip(d, dateText(fields))).toBe(dateText(fields));
      }),
    );
  });

  it('truncates TIME nanoseconds to the column precision (default 0) and trims the fraction on output', () => {
    expect(normalizeValue(c({ type: 'TIME' }), '12:34:56.789')).toEqual({
      hour: 12,
      minute: 34,
      second: 56,
      nano: 0,
    });
    expect(normalizeValue(c({ type: 'TIME', precision: 3 }), '12:34:56.789999')).toEqual({
      hour: 12,
      minute: 34,
      second: 56,
      nano: 789_000_000,
    });
    expect(roundTrip(c({ type: 'TIME', precision: 9 }), '01:02:03.000000010')).toBe('01:02:03.00000001');
    expect(roundTrip(c({ type: 'TIME', precision: 9 }), '01:02:03.500')).toBe('01:02:03.5');
    expect(roundTrip(c({ type: 'TIME', precision: 9 }), '23:59:59.000')).toBe('23:59:59');
  });

  it('reads DATETIME text and the UTC fields of a Date, truncating to the precision (default 6)', () => {
    expect(normalizeValue(c({ type: 'DATETIME' }), '2024-01-02T03:04:05.123456789')).toEqual({
      date: { year: 2024, month: 1, day: 2 },
      time: { hour: 3, minute: 4, second: 5, nano: 123_456_000 },
    });
    expect(roundTrip(c({ type: 'DATETIME', precision: 0 }), new Date('2024-01-02T03:04:05.678Z'))).toBe(
      '2024-01-02T03:04:05',
    );
    expect(roundTrip(c({ type: 'DATETIME' }), new Date('2024-01-02T03:04:05.678Z'))).toBe(
      '2024-01-02T03:04:05.678',
    );
  });

  it('turns a TIMESTAMP Date into floor seconds and nanoseconds, truncated to the precision (default 6)', () => {
    const t = c({ type: 'TIMESTAMP' });
    expect(normalizeValue(t, new Date(1_700_000_000_123))).toEqual({
      seconds: 1_700_000_000n,
      nanos: 123_000_000,
    });
    expect(normalizeValue(t, new Date(-1))).toEqual({ seconds: -1n, nanos: 999_000_000 });
    expect(normalizeValue(c({ type: 'TIMESTAMP', precision: 1 }), new Date(-1))).toEqual({
      seconds: -1n,
      nanos: 900_000_000,
    });
    expect(roundTrip(c({ type: 'TIMESTAMP', precision: 0 }), new Date(1999))).toEqual(new Date(1000));
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(roundTrip(t, date)).toEqual(date);
      }),
    );
  });

  it('refuses to turn an instant outside the Date range into a Date', () => {
    expect(() =>
      denormalizeValue(c({ type: 'TIMESTAMP' }), { seconds: 9_000_000_000_000n, nanos: 0 }),
    ).toThrow(/outside what a Date can hold/);
  });

  it('reports an internal value of the wrong kind as an INTERNAL error', () => {
    expect(() => denormalizeValue(c({ type: 'INT64' }), 5)).toThrow(/does not fit column "C" \(INT64\)/);
    expect(() => denormalizeValue(c({ type: 'DATE' }), 'x')).toThrow(/does not fit/);
  });

  it('keeps null as null', () => {
    expect(denormalizeValue(c({ type: 'UUID', nullable: true }), null)).toBeNull();
  });
});
