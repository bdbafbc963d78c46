import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { refElements, toHex } from './support/reference-tuple-encoder.js';

/** One element to append: a byte string (as BYTES, never empty or starting with 0x80) or a NULL. */
const elementArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 6,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 200, max: 700 }))
      .map((length) => Uint8Array.from({ length }, (_, i) => (i * 7 + length) % 0x7f)),
  },
);

/** A tuple's elements: few or many, small or (rarely) past 64 KiB so every offset-entry size shows up. */
const tupleArb = fc.oneof(
  { weight: 8, arbitrary: fc.array(elementArb, { maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 3 })
      .map((count) => [...Array.from({ length: count }, () => null), new Uint8Array(70_000).fill(1)]),
  },
);

function append(builder: BinaryTupleBuilder, elements: readonly (Uint8Array | null)[]): void {
  for (const element of elements) {
    if (element === null) builder.appendNull();
    else builder.appendBytes(element);
  }
}

/** Byte equality without turning a 70 KB tuple into hex unless it differs. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) !== 0) expect(toHex(actual)).toBe(toHex(expected));
}

function fresh(elements: readonly (Uint8Array | null)[]): Uint8Array {
  const builder = new BinaryTupleBuilder(16);
  append(builder, elements);
  return builder.build();
}

const INT64_EDGES = [0, 127, 128, 32767, 32768, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];

const safeIntegerArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...INT64_EDGES), fc.integer({ min: -1, max: 1 }), fc.boolean())
    .map(([edge, delta, negative]) => {
      const value = (negative ? -edge : edge) + delta;
      return Number.isSafeInteger(value) ? value : 0;
    }),
  fc.maxSafeInteger(),
  fc.integer(),
);

describe('BinaryTupleBuilder reuse', () => {
  it('builds each tuple of a sequence as a fresh builder would, whatever came before it', () => {
    fc.assert(
      fc.property(fc.array(tupleArb, { minLength: 1, maxLength: 8 }), (tuples) => {
        const builder = new BinaryTupleBuilder(16);
        for (const elements of tuples) {
          builder.reset();
          append(builder, elements);
          const expected = fresh(elements);
          expect(builder.elementCount).toBe(elements.length);
          expect(builder.byteLength).toBe(expected.length);
          const built = builder.build();
          expectBytes(built, expected);
          // The tuple is the caller's: building again or writing the next tuple does not change it.
          expectBytes(builder.build(), expected);
          const framed = new Uint8Array(expected.length + 5).fill(0xee);
          expect(builder.buildInto(framed, 3)).toBe(expected.length);
          expectBytes(framed.subarray(3, 3 + expected.length), expected);
          expect([framed[0], framed[1], framed[2], framed[expected.length + 3]]).toEqual([
            0xee, 0xee, 0xee, 0xee,
          ]);
          const copy = built.slice();
          builder.reset();
          append(builder, [new Uint8Array([9, 9, 9])]);
          builder.build();
          expectBytes(built, copy);
          expect(built.buffer.byteLength).toBe(built.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('builds a tuple of NULLs only after a tuple with many elements', () => {
    const nulls = Array.from({ length: 40 }, () => null);
    const builder = new BinaryTupleBuilder(16);
    for (const count of [40, 40, 3, 40]) {
      builder.reset();
      append(builder, nulls.slice(0, count));
      expect(toHex(builder.build())).toBe(toHex(fresh(nulls.slice(0, count))));
    }
  });

  it('reads back every element of the tuples a reused builder writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(elementArb, { maxLength: 12 }), { minLength: 2, maxLength: 5 }),
        (tuples) => {
          const builder = new BinaryTupleBuilder();
          for (const elements of tuples) {
            builder.reset();
            append(builder, elements);
            expect(refElements(builder.build(), elements.length)).toEqual(
              elements.map((e) => (e === null ? [] : Array.from(e))),
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('BinaryTupleBuilder number forms', () => {
  it('writes an INT64 number exactly as its bigint', () => {
    fc.assert(
      fc.property(safeIntegerArb, (value) => {
        const byNumber = new BinaryTupleBuilder().appendInt64Number(value).build();
        const byBigint = new BinaryTupleBuilder().appendInt64(BigInt(value)).build();
        expect(toHex(byNumber)).toBe(toHex(byBigint));
      }),
      { numRuns: 500 },
    );
  });

  it('writes TIMESTAMP parts exactly as the instant', () => {
    fc.assert(
      fc.property(
        fc.oneof(safeIntegerArb, fc.integer({ min: -8.64e12, max: 8.64e12 })),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999_999 })),
        (seconds, nanos) => {
          const byParts = new BinaryTupleBuilder().appendTimestampParts(seconds, nanos).build();
          const byInstant = new BinaryTupleBuilder()
            .appendTimestamp({ seconds: BigInt(seconds), nanos })
            .build();
          expect(toHex(byParts)).toBe(toHex(byInstant));
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([Number.NaN, 1.5, 2 ** 53, -(2 ** 53), Number.POSITIVE_INFINITY])(
    'refuses %s as an INT64 number or TIMESTAMP seconds',
    (value) => {
      const builder = new BinaryTupleBuilder();
      expect(() => builder.appendInt64Number(value)).toThrow(ProtocolError);
      expect(() => builder.appendTimestampParts(value, 0)).toThrow(ProtocolError);
      expect(builder.elementCount).toBe(0);
    },
  );

  it.each([-1, 1_000_000_000, 0.5, Number.NaN])('refuses %s TIMESTAMP nanoseconds', (nanos) => {
    expect(() => new BinaryTupleBuilder().appendTimestampParts(0, nanos)).toThrow(/nanoseconds/);
  });
});
