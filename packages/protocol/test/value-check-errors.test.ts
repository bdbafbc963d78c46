import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../src/errors/protocol-error.js';
import type { ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { normalizeValue } from '../src/schema/value-check.js';

function errorOf(column: ColumnDef, value: unknown): InvalidValueError {
  try {
    normalizeValue(column, value);
  } catch (error) {
    if (error instanceof InvalidValueError) return error;
    throw error;
  }
  throw new Error(`${column.type} accepted ${String(value)}`);
}

/** Bad values per type, each with a fragment its message must contain. */
const BAD: Record<ColumnType, [unknown, string][]> = {
  BOOLEAN: [
    [1, 'expects a boolean, got 1'],
    ['true', 'got "true"'],
  ],
  INT8: [
    [128, 'expects an integer number in -128..127, got 128'],
    [-129, 'got -129'],
    [1.5, 'got 1.5'],
    [1n, 'got 1n'],
    ['1', 'got "1"'],
    [Number.NaN, 'got NaN'],
  ],
  INT16: [
    [32768, 'in -32768..32767, got 32768'],
    [-32769, 'got -32769'],
  ],
  INT32: [
    [3.5, 'column "C" (INT32) expects an integer number in -2147483648..2147483647, got 3.5'],
    [2147483648, 'got 2147483648'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
  ],
  INT64: [
    [2n ** 63n, 'expects a bigint in -9223372036854775808..9223372036854775807, or a safe-integer number'],
    [-(2n ** 63n) - 1n, 'got -9223372036854775809n'],
    [2 ** 53, 'got 9007199254740992'],
    [0.5, 'got 0.5'],
    ['1', 'got "1"'],
  ],
  FLOAT: [
    ['1.5', 'expects a number, got "1.5"'],
    [1n, 'got 1n'],
  ],
  DOUBLE: [
    [null, 'is not nullable, got null'],
    [new Date(0), 'expects a number, got Date 1970-01-01T00:00:00.000Z'],
  ],
  DECIMAL: [
    ['12.3.4', "expects decimal notation such as '-12.50' or '1e3', got \"12.3.4\""],
    ['', 'got ""'],
    ['.', 'got "."'],
    ['1e', 'got "1e"'],
    [' 1', 'got " 1"'],
    [Number.NaN, 'expects a decimal string, a finite number or a bigint, got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    [true, 'got true'],
    // DECIMAL(5, 2): at most 3 digits before the point.
    ['1000', 'expects at most 5 digits with 2 after the point (at most 3 before it), got "1000"'],
    ['999.995', 'got "999.995"'],
    [1000n, 'got 1000n'],
    [-1000.5, 'got -1000.5'],
    ['1e999999999999', 'got "1e999999999999"'],
  ],
  STRING: [
    [42, 'expects a string, got 42'],
    ['a\ud800b', 'expects text without lone UTF-16 surrogates'],
    ['\udc00', 'lone UTF-16 surrogates'],
  ],
  BYTES: [
    [[1, 2], 'expects a Uint8Array, got an array of 2'],
    ['AQI=', 'got "AQI="'],
    [new ArrayBuffer(2), 'got an ArrayBuffer'],
  ],
  UUID: [
    ['not-a-uuid', 'expects a UUID string xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, got "not-a-uuid"'],
    ['00112233445566778899aabbccddeeff', 'got "00112233445566778899aabbccddeeff"'],
    ['{00112233-4455-6677-8899-aabbccddeeff}', 'got'],
    ['00112233-4455-6677-8899-aabbccddeefg', 'got'],
    [123n, 'got 123n'],
  ],
  DATE: [
    [
      '2023-02-29',
      'expects a valid date, got "2023-02-29": day 29 is outside 1..28 for month 2 of year 2023',
    ],
    ['2024-13-01', 'month 13 is outside 1..12'],
    ['2024-00-10', 'month 0 is outside 1..12'],
    ['2024-04-31', 'day 31 is outside 1..30'],
    ['+016384-01-01', 'year 16384 is outside -16384..16383'],
    ['-016385-01-01', 'year -16385 is outside'],
    ['-000000-01-01', 'expects a date string YYYY-MM-DD or a Date'],
    ['2024-1-01', 'got "2024-1-01"'],
    ['20240101', 'got "20240101"'],
    [new Date(Number.NaN), 'got an invalid Date'],
    [new Date(Date.UTC(20000, 0, 1)), 'year 20000 is outside'],
    [20240101, 'got 20240101'],
  ],
  TIME: [
    ['24:00:00', 'expects a valid time of day, got "24:00:00": hour 24 is outside 0..23'],
    ['12:60:00', 'minute 60 is outside 0..59'],
    ['12:00:60', 'second 60 is outside 0..59'],
    ['12:00', 'expects a time string HH:MM:SS[.fffffffff], got "12:00"'],
    ['12:00:00.1234567890', 'got "12:00:00.1234567890"'],
    ['12:00:00.', 'got "12:00:00."'],
    [new Date(0), 'got Date'],
  ],
  DATETIME: [
    ['2024-02-30T00:00:00', 'day 30 is outside 1..29'],
    ['2024-02-01T25:00:00', 'hour 25 is outside 0..23'],
    ['2024-02-01 10:00:00', 'expects a date-time string YYYY-MM-DDTHH:MM:SS[.fffffffff] or a Date'],
    ['2024-02-01', 'got "2024-02-01"'],
    [new Date(Number.NaN), 'got an invalid Date'],
  ],
  TIMESTAMP: [
    ['2024-01-01T00:00:00Z', 'expects a Date, got "2024-01-01T00:00:00Z"'],
    [1_700_000_000_000, 'got 1700000000000'],
    [new Date(Number.NaN), 'expects a valid Date, got an invalid Date'],
  ],
};

describe('normalizeValue errors', () => {
  for (const [type, cases] of Object.entries(BAD) as [ColumnType, [unknown, string][]][]) {
    it(`rejects bad ${type} values with an InvalidValueError naming the column`, () => {
      const column: ColumnDef =
        type === 'DECIMAL' ? { name: 'C', type, precision: 5, scale: 2 } : { name: 'C', type };
      for (const [value, fragment] of cases) {
        const error = errorOf(column, value);
        expect(error.column).toBe('C');
        expect(error.code).toBe('INVALID_ROW');
        expect(error.retryable).toBe(false);
        expect(error.message).toContain(`column "C" (${type})`);
        expect(error.message).toContain(fragment);
      }
    });
  }

  it('rejects null and undefined for a column that is not nullable, for every type', () => {
    for (const type of Object.keys(BAD) as ColumnType[]) {
      for (const value of [null, undefined]) {
        const error = errorOf({ name: 'UserId', type }, value);
        expect(error.message).toBe(`column "UserId" (${type}) is not nullable, got ${String(value)}`);
      }
      expect(normalizeValue({ name: 'UserId', type, nullable: true }, undefined)).toBeNull();
    }
  });

  it('rejects a column definition whose precision or scale is out of range', () => {
    expect(errorOf({ name: 'D', type: 'DECIMAL', scale: -1 }, '1').message).toContain('has scale -1');
    expect(errorOf({ name: 'D', type: 'DECIMAL', precision: 0 }, '1').message).toContain('has precision 0');
    expect(errorOf({ name: 'T', type: 'TIME', precision: 10 }, '00:00:00').message).toContain(
      'has precision 10',
    );
  });

  it('describes long strings without copying them whole into the message', () => {
    const error = errorOf({ name: 'C', type: 'INT32' }, 'x'.repeat(10_000));
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('(10000 characters)');
  });
});
