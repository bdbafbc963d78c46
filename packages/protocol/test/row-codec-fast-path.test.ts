import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../src/errors/protocol-error.js';
import { colocationHash } from '../src/hash/colocation-hash.js';
import { partitionFor } from '../src/hash/partition.js';
import type { ColumnDef, TableSchema } from '../src/schema/table-schema.js';
import { normalizeValue } from '../src/schema/value-check.js';
import type { InternalValue } from '../src/schema/values.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { appendColumnValue } from '../src/tuple/column-value-codec.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { toHex } from './support/reference-tuple-encoder.js';
import { rowArb, schemaArb } from './support/tuple-arbitraries.js';

const PARTITIONS = 25;
const MAX_DATE_MS = 8.64e15;

interface Reference {
  readonly tuple: string;
  readonly noValueSet: string;
  readonly colocation: InternalValue[];
  readonly partition: number;
}

/** The reference path, column by column: `normalizeValue`, then `appendColumnValue` into a fresh builder. */
function referenceRow(
  schema: TableSchema,
  row: Record<string, unknown>,
  indexes: readonly number[],
): Reference {
  const builder = new BinaryTupleBuilder();
  const unset: number[] = [];
  const values: InternalValue[] = [];
  indexes.forEach((columnIndex, position) => {
    const column = schema.columns[columnIndex] as ColumnDef;
    const raw = Object.hasOwn(row, column.name) ? row[column.name] : undefined;
    if (raw === undefined) {
      unset.push(position);
      builder.appendNull();
      values.push(null);
      return;
    }
    const value = normalizeValue(column, raw);
    values.push(value);
    appendColumnValue(builder, column, value);
  });
  const mask = unset.length === 0 ? [] : new Array<number>((Math.max(...unset) >> 3) + 1).fill(0);
  for (const i of unset) mask[i >> 3] = (mask[i >> 3] as number) | (1 << (i & 7));
  const colocation = schema.colocationColumns.map((c) => values[indexes.indexOf(c)] as InternalValue);
  return {
    tuple: toHex(builder.build()),
    noValueSet: toHex(mask),
    colocation,
    partition: partitionFor(colocationHash(colocationColumns(schema), colocation), PARTITIONS),
  };
}

function colocationColumns(schema: TableSchema): ColumnDef[] {
  return schema.colocationColumns.map((i) => schema.columns[i] as ColumnDef);
}

function allColumns(schema: TableSchema): number[] {
  return schema.columns.map((_, i) => i);
}

/** Encodes `row` every way the codec offers and checks each against the reference path. */
function expectSameAsReference(codec: RowCodec, row: Record<string, unknown>): void {
  const schema = codec.schema;
  const expected = referenceRow(schema, row, allColumns(schema));

  const colocation: InternalValue[] = [];
  const encoded = codec.encodeRow(row, colocation);
  expect(toHex(encoded.tuple)).toBe(expected.tuple);
  expect(toHex(encoded.noValueSet)).toBe(expected.noValueSet);
  expect(colocation).toEqual(expected.colocation);
  expect(partitionFor(colocationHash(colocationColumns(schema), colocation), PARTITIONS)).toBe(
    expected.partition,
  );

  const target = { tuple: new Uint8Array(0), noValueSet: new Uint8Array(0) };
  codec.encodeRowInto(row, target);
  expect(toHex(target.tuple)).toBe(expected.tuple);
  expect(toHex(target.noValueSet)).toBe(expected.noValueSet);

  const expectedKey = referenceRow(schema, row, schema.keyColumns);
  const keyColocation: InternalValue[] = [];
  expect(toHex(codec.encodeKey(row, keyColocation))).toBe(expectedKey.tuple);
  expect(keyColocation).toEqual(expected.colocation);
  expect(toHex(codec.encodeKey(row))).toBe(expectedKey.tuple);
}

function schemaOf(columns: ColumnDef[], keyColumns: number[], colocationColumns = keyColumns): TableSchema {
  return { tableId: 1, tableName: 'T', version: 1, columns, keyColumns, colocationColumns, partitions: 8 };
}

/** Safe integers on and around every width the int64 encoding switches at, plus anywhere in between. */
const int64NumberArb = fc.oneof(
  fc
    .constantFrom(
      0,
      127,
      128,
      32767,
      32768,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
    )
    .chain((edge) =>
      fc.tuple(fc.integer({ min: -2, max: 2 }), fc.boolean()).map(([delta, negative]) => {
        const value = (negative ? -edge : edge) + delta;
        return Number.isSafeInteger(value) ? value : Math.sign(value) * Number.MAX_SAFE_INTEGER;
      }),
    ),
  fc.integer({ min: -40_000, max: 40_000 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constant(-0),
);

/** Any instant a Date holds, with sub-second millis, before and after 1970, and the extremes. */
const dateArb = fc.oneof(
  fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }).map((ms) => new Date(ms)),
  fc.integer({ min: -3_000_000, max: 3_000_000 }).map((ms) => new Date(ms)),
  fc
    .constantFrom(-MAX_DATE_MS, MAX_DATE_MS, -MAX_DATE_MS + 1, MAX_DATE_MS - 1, -1, -999, -1000, -1001)
    .map((ms) => new Date(ms)),
  fc.date({ noInvalidDate: true }),
);

const precisionArb = fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined });

function timestampColumn(name: string, precision: number | undefined, nullable = false): ColumnDef {
  return {
    name,
    type: 'TIMESTAMP',
    ...(precision === undefined ? {} : { precision }),
    ...(nullable ? { nullable: true } : {}),
  };
}

/** `TrackEvents` with a random EventTime precision. */
function trackEventsSchema(precision: number | undefined): TableSchema {
  return schemaOf(
    [
      { name: 'EventId', type: 'INT64' },
      { name: 'UserId', type: 'INT32' },
      { name: 'TrackId', type: 'INT32' },
      { name: 'EventType', type: 'STRING' },
      timestampColumn('EventTime', precision),
      { name: 'Duration', type: 'INT64', nullable: true },
    ],
    [0],
  );
}

const trackEventArb = fc.record(
  {
    EventId: fc.oneof(int64NumberArb, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    UserId: fc.integer(),
    TrackId: fc.integer({ min: -40_000, max: 40_000 }),
    EventType: fc.oneof(
      fc.constantFrom('TRACK_STARTED', 'TRACK_PAUSED', 'TRACK_SKIPPED', 'TRACK_COMPLETED', ''),
      fc.string({ unit: 'binary', maxLength: 40 }),
    ),
    EventTime: dateArb,
    Duration: fc.oneof(fc.constant(null), int64NumberArb, fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n })),
  },
  { requiredKeys: ['EventId', 'UserId', 'TrackId', 'EventType', 'EventTime'] },
);

describe('RowCodec fast paths', () => {
  it('writes INT64 numbers of every width exactly as their bigint, in keys, colocation and values', () => {
    fc.assert(
      fc.property(int64NumberArb, int64NumberArb, fc.option(int64NumberArb), (key, value, nullable) => {
        const schema = schemaOf(
          [
            { name: 'K', type: 'INT64' },
            { name: 'V', type: 'INT64' },
            { name: 'N', type: 'INT64', nullable: true },
          ],
          [0],
        );
        const codec = new RowCodec(schema);
        expectSameAsReference(codec, { K: key, V: value, N: nullable });
        // The same values in a key column that is not colocated take the fast path there too.
        const keyed = new RowCodec(schemaOf(schema.columns.slice(), [0, 1], [1]));
        expectSameAsReference(keyed, { K: key, V: value, N: nullable });
      }),
      { numRuns: 400 },
    );
  });

  it('writes TIMESTAMPs from Dates as checkTimestamp splits them, for every precision', () => {
    fc.assert(
      fc.property(dateArb, dateArb, precisionArb, precisionArb, (keyTime, time, keyPrecision, precision) => {
        const schema = schemaOf(
          [
            { name: 'Id', type: 'INT32' },
            timestampColumn('KeyTime', keyPrecision),
            timestampColumn('Time', precision, true),
          ],
          [0, 1],
          [0],
        );
        const codec = new RowCodec(schema);
        expectSameAsReference(codec, { Id: 1, KeyTime: keyTime, Time: time });
        expectSameAsReference(codec, { Id: 2, KeyTime: keyTime, Time: null });
        expectSameAsReference(codec, { Id: 3, KeyTime: keyTime });
        // Colocated on the TIMESTAMP: the slot gets the normalized instant.
        expectSameAsReference(new RowCodec(schemaOf(schema.columns.slice(), [0, 1], [1])), {
          Id: 4,
          KeyTime: keyTime,
          Time: time,
        });
      }),
      { numRuns: 400 },
    );
  });

  it('encodes random TrackEvents rows as the reference path does', () => {
    fc.assert(
      fc.property(
        precisionArb,
        fc.array(trackEventArb, { minLength: 1, maxLength: 8 }),
        (precision, rows) => {
          const codec = new RowCodec(trackEventsSchema(precision));
          for (const row of rows) expectSameAsReference(codec, row);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes random rows of random schemas (every column type) as the reference path does', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((schema) =>
          fc.tuple(fc.constant(schema), fc.array(rowArb(schema), { maxLength: 4 })),
        ),
        ([schema, rows]) => {
          const codec = new RowCodec(schema);
          for (const row of rows) expectSameAsReference(codec, row);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('writes the small integer types and FLOAT, DOUBLE and BOOLEAN as the reference path does', () => {
    const schema = schemaOf(
      [
        { name: 'A', type: 'INT8' },
        { name: 'B', type: 'INT16' },
        { name: 'C', type: 'INT32' },
        { name: 'D', type: 'FLOAT' },
        { name: 'E', type: 'DOUBLE' },
        { name: 'F', type: 'BOOLEAN' },
      ],
      [0],
    );
    const codec = new RowCodec(schema);
    fc.assert(
      fc.property(
        fc.integer({ min: -128, max: 127 }),
        fc.oneof(fc.integer({ min: -32768, max: 32767 }), fc.constantFrom(-129, 128, -0)),
        fc.oneof(fc.integer(), fc.constantFrom(-32769, 32768, -0)),
        fc.oneof(fc.double(), fc.float().map(Number)),
        fc.double(),
        fc.boolean(),
        (a, b, c, d, e, f) => expectSameAsReference(codec, { A: a, B: b, C: c, D: d, E: e, F: f }),
      ),
      { numRuns: 300 },
    );
  });

  it('leaves the target untouched when a row does not encode', () => {
    const codec = new RowCodec(trackEventsSchema(undefined));
    const tuple = new Uint8Array([1, 2, 3]);
    const noValueSet = new Uint8Array([4]);
    const target = { tuple, noValueSet };
    expect(() =>
      codec.encodeRowInto(
        { EventId: 1, UserId: 2, TrackId: 3, EventType: 'x', EventTime: new Date(Number.NaN) },
        target,
      ),
    ).toThrow(InvalidValueError);
    expect(target.tuple).toBe(tuple);
    expect(target.noValueSet).toBe(noValueSet);
  });
});

/** The error the reference path gives for `raw` in `column`. */
function referenceError(column: ColumnDef, raw: unknown): unknown {
  try {
    normalizeValue(column, raw);
  } catch (error) {
    return error;
  }
  throw new Error(`${String(raw)} is valid for ${column.type}`);
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('no error');
}

function expectSameError(actual: unknown, expected: unknown, column: string): void {
  expect(actual).toBeInstanceOf(InvalidValueError);
  expect((actual as InvalidValueError).column).toBe(column);
  expect((actual as InvalidValueError).code).toBe((expected as InvalidValueError).code);
  expect((actual as InvalidValueError).message).toBe((expected as InvalidValueError).message);
}

describe('RowCodec fast paths on invalid values', () => {
  const schema = trackEventsSchema(3);
  const codec = new RowCodec(schema);
  const valid = {
    EventId: 7,
    UserId: 1,
    TrackId: 2,
    EventType: 'TRACK_STARTED',
    EventTime: new Date(0),
    Duration: 5,
  };
  const cases: readonly [string, unknown][] = [
    ['EventId', Number.NaN],
    ['EventId', 1.5],
    ['EventId', 2 ** 53],
    ['EventId', -(2 ** 53)],
    ['EventId', Number.POSITIVE_INFINITY],
    ['EventId', '12'],
    ['EventId', 2n ** 63n],
    ['Duration', Number.NaN],
    ['Duration', 1.5],
    ['Duration', 2 ** 53],
    ['Duration', '12'],
    ['EventTime', new Date(Number.NaN)],
    ['EventTime', 0],
    ['EventTime', '2026-01-01T00:00:00Z'],
    ['UserId', 2 ** 31],
    ['UserId', 1.5],
    ['UserId', '1'],
    ['EventType', 'lone \uD800 surrogate'],
    ['EventType', '\uDC00'],
    ['EventType', 5],
  ];

  it.each(cases)('rejects %s = %s with the error the value checks give, naming the column', (name, raw) => {
    const column = schema.columns.find((c) => c.name === name) as ColumnDef;
    const expected = referenceError(column, raw);
    const row = { ...valid, [name]: raw };
    expectSameError(
      caught(() => codec.encodeRow(row)),
      expected,
      name,
    );
    expectSameError(
      caught(() => codec.encodeRow(row, [])),
      expected,
      name,
    );
    const target = { tuple: new Uint8Array(0), noValueSet: new Uint8Array(0) };
    expectSameError(
      caught(() => codec.encodeRowInto(row, target)),
      expected,
      name,
    );
    if (name === 'EventId') {
      expectSameError(
        caught(() => codec.encodeKey({ EventId: raw })),
        expected,
        name,
      );
    }
  });

  it('rejects out-of-range small integers and wrong kinds as the value checks do', () => {
    const small = new RowCodec(
      schemaOf(
        [
          { name: 'A', type: 'INT8' },
          { name: 'B', type: 'INT16' },
          { name: 'C', type: 'FLOAT' },
          { name: 'D', type: 'DOUBLE' },
          { name: 'E', type: 'BOOLEAN' },
        ],
        [0],
      ),
    );
    const ok = { A: 1, B: 2, C: 3, D: 4, E: true };
    const bad: readonly [string, unknown][] = [
      ['A', 128],
      ['A', -129],
      ['A', 0.5],
      ['B', 32768],
      ['B', -32769],
      ['C', '1'],
      ['D', 1n],
      ['E', 1],
    ];
    for (const [name, raw] of bad) {
      const column = small.schema.columns.find((c) => c.name === name) as ColumnDef;
      expectSameError(
        caught(() => small.encodeRow({ ...ok, [name]: raw })),
        referenceError(column, raw),
        name,
      );
    }
  });

  it('reports an out-of-range TIMESTAMP precision as the value checks do', () => {
    const bad = new RowCodec(schemaOf([{ name: 'K', type: 'INT32' }, timestampColumn('T', 12)], [0]));
    const column = bad.schema.columns[1] as ColumnDef;
    expectSameError(
      caught(() => bad.encodeRow({ K: 1, T: new Date(0) })),
      referenceError(column, new Date(0)),
      'T',
    );
  });

  it('reports a Date subclass whose time is out of range as the value checks do', () => {
    class FarDate extends Date {
      override getTime(): number {
        return 1e300;
      }
    }
    const column = schema.columns[4] as ColumnDef;
    const expected = caught(() => {
      const builder = new BinaryTupleBuilder();
      appendColumnValue(builder, column, normalizeValue(column, new FarDate(0)));
    });
    const actual = caught(() => codec.encodeRow({ ...valid, EventTime: new FarDate(0) }));
    expect(actual).toBeInstanceOf(Error);
    expect((actual as Error).message).toBe((expected as Error).message);
  });
});
