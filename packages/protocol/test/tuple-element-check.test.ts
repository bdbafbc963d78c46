import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../src/msgpack/utf8.js';
import { COLUMN_TYPE_NAMES } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { storedValueProblem } from '../src/schema/value-fit.js';
import type { InternalValue } from '../src/schema/values.js';
import { BinaryTupleReader } from '../src/tuple/binary-tuple-reader.js';
import { readColumnValue } from '../src/tuple/column-value-codec.js';
import { elementProblem, planElementChecks } from '../src/tuple/element-check.js';
import { encoded, tupleOf } from './support/one-column-tuples.js';
import { columnArb, inputValueArb } from './support/tuple-arbitraries.js';

/** What the reader and the value checks say of `element` as a value of `column`: `undefined` when it fits. */
function readerVerdict(column: ColumnDef, element: Uint8Array): string | undefined {
  let value: InternalValue;
  try {
    value = readColumnValue(new BinaryTupleReader(tupleOf(element), 1), 0, column);
  } catch (error) {
    return (error as Error).message;
  }
  return storedValueProblem(column, value);
}

function checkOf(column: ColumnDef, element: Uint8Array): string | null {
  return elementProblem(planElementChecks([column]), 0, element, 0, element.length);
}

/** A valid element of a column of `type`, then changed: a byte replaced, bits flipped, cut or grown. */
const mutatedElementArb = fc
  .constantFrom(...COLUMN_TYPE_NAMES)
  .chain((type) => columnArb(type, 'C'))
  .chain((column) =>
    fc.tuple(
      fc.constant(column),
      inputValueArb(column).map((value) => encoded(column, value)),
      fc.oneof(
        fc.record({ kind: fc.constant('none' as const) }),
        fc.record({
          kind: fc.constant('byte' as const),
          at: fc.nat(),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant('cut' as const), keep: fc.nat() }),
        fc.record({
          kind: fc.constant('grow' as const),
          extra: fc.uint8Array({ minLength: 1, maxLength: 6 }),
        }),
        fc.record({
          kind: fc.constant('random' as const),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 14 }),
        }),
      ),
    ),
  )
  .map(([column, element, change]) => {
    let bytes = element.slice();
    switch (change.kind) {
      case 'byte':
        bytes[change.at % bytes.length] = change.byte;
        break;
      case 'flip':
        bytes[change.at % bytes.length] = (bytes[change.at % bytes.length] as number) ^ (1 << change.bit);
        break;
      case 'cut':
        bytes = bytes.slice(0, 1 + (change.keep % bytes.length));
        break;
      case 'grow':
        bytes = Uint8Array.from([...bytes, ...change.extra]);
        break;
      case 'random':
        bytes = change.bytes;
        break;
      case 'none':
        break;
    }
    return { column, bytes };
  })
  .filter(({ bytes }) => bytes.length > 0 && bytes.length <= 255);

describe('elementProblem', () => {
  it('accepts an element exactly when the tuple reader decodes it and the value fits its column', () => {
    fc.assert(
      fc.property(mutatedElementArb, ({ column, bytes }) => {
        const verdict = readerVerdict(column, bytes);
        const problem = checkOf(column, bytes);
        if ((problem === null) !== (verdict === undefined)) {
          const facets = `precision ${column.precision}, scale ${column.scale}`;
          expect.fail(
            `${column.type} (${facets}) [${bytes.join(',')}]: check: ${problem}; reader: ${verdict}`,
          );
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('accepts every value a client writes', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...COLUMN_TYPE_NAMES)
          .chain((type) => columnArb(type, 'C'))
          .chain((column) => fc.tuple(fc.constant(column), inputValueArb(column))),
        ([column, value]) => {
          const bytes = encoded(column, value);
          expect(elementProblem(planElementChecks([column]), 0, bytes, 0, bytes.length)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['BOOLEAN', { name: 'B', type: 'BOOLEAN' }, [2], /BOOLEAN holds 2, expected 0 or 1/],
    [
      'STRING',
      { name: 'S', type: 'STRING' },
      [0x61, 0xc3, 0x28],
      /STRING is not valid UTF-8 \(byte 1 of 3\)/,
    ],
    ['DATE', { name: 'D', type: 'DATE' }, [0xa1, 0xfb, 0x0f], /DATE is not a valid date: month 13/],
    ['TIME', { name: 'T', type: 'TIME' }, [0, 0, 0xc0, 0x07], /TIME is not a valid time: hour 31/],
    [
      'TIMESTAMP',
      { name: 'At', type: 'TIMESTAMP', precision: 9 },
      [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f],
      /TIMESTAMP has 2147483647 nanoseconds, outside 0\.\.999999999/,
    ],
    [
      'DECIMAL(5,2)',
      { name: 'Price', type: 'DECIMAL', precision: 5, scale: 2 },
      // scale 2, unscaled 1234567 (0x12D687): 12345.67 has 7 digits.
      [2, 0, 0x12, 0xd6, 0x87],
      /DECIMAL has more than the column's precision of 5 digits/,
    ],
    ['UUID', { name: 'U', type: 'UUID' }, [1, 2, 3], /UUID cannot be 3 bytes long/],
    [
      'TIMESTAMP precision',
      { name: 'At', type: 'TIMESTAMP', precision: 3 },
      [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
      /finer than the column's precision of 3 fractional digits/,
    ],
  ] as const)('refuses a corrupted %s and says what is wrong', (_name, column, bytes, message) => {
    const element = Uint8Array.from(bytes);
    expect(checkOf(column as ColumnDef, element)).toMatch(message);
    expect(readerVerdict(column as ColumnDef, element)).toBeDefined();
  });

  it('refuses a DECIMAL whose scale would make a reader compute a huge power of ten, at once', () => {
    const column: ColumnDef = { name: 'D', type: 'DECIMAL', precision: 10, scale: 2 };
    // Scale -32768, unscaled 1: 10^32768, far past 10 digits.
    expect(checkOf(column, Uint8Array.of(0x00, 0x80, 1))).toMatch(/precision of 10 digits/);
    // Scale 32767, unscaled 7 (8 bytes, sign bytes in front): digits below the scale.
    expect(checkOf(column, Uint8Array.of(0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 7))).toMatch(
      /below the column's scale/,
    );
    // A long two's complement number: refused by its size before it is read.
    const long = new Uint8Array(2 + 4000).fill(0x7f);
    long[0] = 2;
    long[1] = 0;
    expect(checkOf(column, long)).toMatch(/precision of 10 digits/);
  });

  it('reads a value that is a range of a larger buffer in place', () => {
    const column: ColumnDef = { name: 'S', type: 'STRING' };
    const checks = planElementChecks([column]);
    const buffer = Uint8Array.of(0xff, 0x68, 0x69, 0xff);
    expect(elementProblem(checks, 0, buffer, 1, 3)).toBeNull();
    expect(elementProblem(checks, 0, buffer, 1, 4)).toMatch(/UTF-8 \(byte 2 of 3\)/);
  });
});

describe('firstInvalidUtf8', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decodes = (bytes: Uint8Array): boolean => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with a fatal TextDecoder on any bytes', () => {
    const byteArb = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0xc0, max: 0xff }),
    );
    fc.assert(
      fc.property(fc.array(byteArb, { maxLength: 12 }), (list) => {
        const bytes = Uint8Array.from(list);
        expect(firstInvalidUtf8(bytes, 0, bytes.length) === -1).toBe(decodes(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every well-formed string and points at the first bad byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(firstInvalidUtf8(bytes, 0, bytes.length)).toBe(-1);
      }),
    );
    const cases: [number[], number][] = [
      [[0xc0, 0x80], 0], // overlong
      [[0x41, 0xe0, 0x80, 0x80], 1], // overlong 3-byte
      [[0xed, 0xa0, 0x80], 0], // a surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
      [[0x41, 0x42, 0xe2, 0x82], 2], // truncated
      [[0xf5, 0x80, 0x80, 0x80], 0],
    ];
    for (const [bytes, at] of cases)
      expect(firstInvalidUtf8(Uint8Array.from(bytes), 0, bytes.length)).toBe(at);
  });
});
