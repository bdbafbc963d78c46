import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { COLUMN_TYPE_NAMES, type ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { BinaryTupleReader } from '../src/tuple/binary-tuple-reader.js';
import { readColumnValue } from '../src/tuple/column-value-codec.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { hex, refTuple } from './support/reference-tuple-encoder.js';
import { rowArb, schemaArb } from './support/tuple-arbitraries.js';

/** Runs `read` and returns the error it throws, or undefined. */
function thrown(read: () => unknown): unknown {
  try {
    read();
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectProtocolError(read: () => unknown, message?: RegExp): void {
  const error = thrown(read);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe('PROTOCOL_ERROR');
  if (message !== undefined) expect((error as ProtocolError).message).toMatch(message);
}

function col(type: ColumnType): ColumnDef {
  return type === 'DECIMAL' ? { name: 'C', type, precision: 10, scale: 2 } : { name: 'C', type };
}

/** Reads every element of `bytes` as `types`; returns normally or throws. */
function readAll(bytes: Uint8Array, types: readonly ColumnType[]): void {
  const reader = new BinaryTupleReader(bytes, types.length);
  for (let i = 0; i < types.length; i++) readColumnValue(reader, i, col(types[i] as ColumnType));
}

describe('BinaryTupleReader robustness', () => {
  it('rejects an empty buffer, an 8-byte offset size and a bad element count', () => {
    expectProtocolError(() => new BinaryTupleReader(new Uint8Array(0), 0), /no header/);
    expectProtocolError(() => new BinaryTupleReader(hex('03 00 00 00 00 00 00 00 00'), 1), /8-byte/);
    expectProtocolError(() => new BinaryTupleReader(hex('00'), -1), /element count/);
    expectProtocolError(() => new BinaryTupleReader(hex('00'), 1.5), /element count/);
  });

  it('rejects an offset table that does not fit the bytes', () => {
    expectProtocolError(() => new BinaryTupleReader(hex('00 01'), 2), /offset table/);
    expectProtocolError(() => new BinaryTupleReader(hex('01 01'), 1), /offset table/);
  });

  it('rejects offsets out of order, past the end, or ending before the end', () => {
    expectProtocolError(() => new BinaryTupleReader(hex('00 02 01 21 B9'), 2), /before its start/);
    expectProtocolError(() => new BinaryTupleReader(hex('00 01 03 21 B9'), 2), /past the/);
    expectProtocolError(() => new BinaryTupleReader(hex('00 01 02 21 B9 00'), 2), /value area has 3 bytes/);
    expectProtocolError(() => new BinaryTupleReader(hex('02 01 00 00 80 02 00 00 00 21 B9'), 2), /past the/);
  });

  it('rejects an element index that does not exist', () => {
    const reader = new BinaryTupleReader(hex('00 01 02 21 B9'), 2);
    expectProtocolError(() => reader.int32Value(2), /does not exist/);
    expectProtocolError(() => reader.int32Value(-1), /does not exist/);
  });

  it('rejects element lengths that the type does not have', () => {
    const bad: [ColumnType, number[]][] = [
      ['BOOLEAN', [2]],
      ['INT8', [2]],
      ['INT16', [3]],
      ['INT32', [3, 5, 8]],
      ['INT64', [3, 5, 6, 7, 9]],
      ['FLOAT', [1, 2, 8]],
      ['DOUBLE', [1, 2, 3, 5, 9]],
      ['DECIMAL', [1, 2]],
      ['UUID', [1, 8, 15, 17]],
      ['DATE', [1, 2, 4]],
      ['TIME', [1, 3, 7]],
      ['DATETIME', [3, 6, 10]],
      ['TIMESTAMP', [4, 9, 11, 13]],
    ];
    for (const [type, lengths] of bad) {
      for (const length of lengths) {
        const tuple = refTuple([new Array<number>(length).fill(0)]);
        expectProtocolError(() => readAll(tuple, [type]), /invalid length/);
      }
    }
  });

  it('rejects field values that no writer produces', () => {
    const cases: [ColumnType, number[], RegExp][] = [
      ['BOOLEAN', [2], /expected 0 or 1/],
      ['DATE', [0xad, 0xd1, 0x0f], /month 13/],
      ['DATE', [0x5e, 0xd0, 0x0f], /day 30/],
      ['DATE', [0x40, 0xd0, 0x0f], /day 0/],
      // 24:00:00 and 12:60:00 in the 4-byte form, 1000 ms, a 5-byte time with the unused bits set.
      ['TIME', [0x00, 0x00, 0x00, 0x06], /hour 24/],
      ['TIME', [0x00, 0x00, 0x3c, 0x03], /minute 60/],
      ['TIME', [0xe8, 0x03, 0x00, 0x00], /nanosecond/],
      ['TIME', [0x00, 0x00, 0x00, 0x00, 0xe0], /unused bits/],
      ['TIMESTAMP', [0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xca, 0x9a, 0x3b], /nanoseconds/],
      ['TIMESTAMP', [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], /nanoseconds/],
      // 1.5 at scale 1 cannot be read at column scale 0 without losing a digit.
      ['DECIMAL', [0x01, 0x00, 0x0f], /below the column scale/],
      ['STRING', [0xc3, 0x28], /UTF-8/],
      ['STRING', [0xed, 0xa0, 0x80], /UTF-8/],
    ];
    for (const [type, element, message] of cases) {
      const column: ColumnDef = type === 'DECIMAL' ? { name: 'C', type, scale: 0 } : { name: 'C', type };
      const reader = new BinaryTupleReader(refTuple([element]), 1);
      expectProtocolError(() => readColumnValue(reader, 0, column), message);
    }
  });

  it('gives only ProtocolError for every truncation of valid tuples', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((schema) => fc.tuple(fc.constant(schema), rowArb(schema))),
        ([schema, row]) => {
          const codec = new RowCodec(schema);
          const { tuple } = codec.encodeRow(row);
          for (let length = 0; length < tuple.length; length++) {
            expectProtocolError(() => codec.decodeRow(tuple.subarray(0, length)));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('gives a value or a ProtocolError, never another error, for mutated tuples', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((schema) =>
          fc.tuple(
            fc.constant(schema),
            rowArb(schema),
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          ),
        ),
        ([schema, row, mutations]) => {
          const codec = new RowCodec(schema);
          const tuple = codec.encodeRow(row).tuple.slice();
          for (const [at, byte] of mutations) tuple[at % tuple.length] = byte;
          const error = thrown(() => codec.decodeRow(tuple));
          if (error !== undefined) expect(error).toBeInstanceOf(ProtocolError);
          // The codec still works after whatever happened.
          expect(codec.decodeRow(codec.encodeRow(row).tuple)).toBeDefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives a value or a PROTOCOL_ERROR for arbitrary bytes read as any types', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.constantFrom(...COLUMN_TYPE_NAMES), { maxLength: 6 }),
        (bytes, types) => {
          const error = thrown(() => readAll(bytes, types));
          if (error !== undefined) {
            expect(error).toBeInstanceOf(ProtocolError);
            expect((error as ProtocolError).code).toBe('PROTOCOL_ERROR');
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps working after an error: reset points it at a good tuple', () => {
    const reader = new BinaryTupleReader(hex('00 01 02 21 B9'), 2);
    expectProtocolError(() => reader.reset(hex('00 02 01 21 B9'), 2));
    expectProtocolError(() => reader.int32Value(0), /does not exist/);
    reader.reset(hex('00 01 02 21 B9'), 2);
    expect(reader.int32Value(1)).toBe(-71);
  });
});
