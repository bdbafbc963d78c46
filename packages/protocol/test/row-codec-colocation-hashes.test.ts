/**
 * The risk: the row codec's colocation value hashes (the `Int32Array` sink, which hashes an INT64 number
 * or a TIMESTAMP `Date` without building its bigint) route a row to another partition than the reference
 * path, `colocationHash` over the normalized values, or than Ignite 3 would. Checked against that reference
 * for random rows of schemas with 1-3 colocation columns of every type, and against Ignite's own vectors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { colocationHash, foldColocationHashes, hashValue, NULL_HASH } from '../src/hash/colocation-hash.js';
import { combineHash, hash32Long, hash32LongNumber } from '../src/hash/murmur3.js';
import { partitionFor } from '../src/hash/partition.js';
import { COLUMN_TYPE_NAMES, type ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef, TableSchema } from '../src/schema/table-schema.js';
import { normalizeValue } from '../src/schema/value-check.js';
import type { InternalValue } from '../src/schema/values.js';
import { KeyPartitions } from '../src/tuple/key-partitions.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { toHex } from './support/reference-tuple-encoder.js';
import { columnArb, columnNamesArb, inputValueArb } from './support/tuple-arbitraries.js';

const PARTITIONS = [1, 7, 25, 64, 1000] as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Every width the int64 encoding and the number/bigint split switch at, and the safe-integer ends. */
const INT64_EDGES = [
  0,
  127,
  128,
  255,
  256,
  32767,
  32768,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 48,
  2 ** 52,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MAX_SAFE_INTEGER,
] as const;

/** Safe-integer numbers on and around the edges, either sign, and anywhere in between. */
const int64NumberArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...INT64_EDGES), fc.integer({ min: -1, max: 1 }), fc.boolean())
    .map(([edge, delta, negative]) => {
      const value = (negative ? -edge : edge) + delta;
      return Number.isSafeInteger(value) ? value : Math.sign(value) * Number.MAX_SAFE_INTEGER;
    }),
  fc.maxSafeInteger(),
  fc.integer(),
  fc.constant(-0),
);

/** Bigints on and around the same edges and the int64 ends, and anywhere in the int64 range. */
const int64BigIntArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...INT64_EDGES.map(BigInt), 2n ** 53n, 2n ** 62n, INT64_MAX),
      fc.constantFrom(-1n, 0n, 1n),
      fc.boolean(),
    )
    .map(([edge, delta, negative]) => {
      const value = (negative ? -edge : edge) + delta;
      return value < INT64_MIN ? INT64_MIN : value > INT64_MAX ? INT64_MAX : value;
    }),
  fc.constantFrom(INT64_MIN, INT64_MIN + 1n),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);

function intEdgesArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.constantFrom(min, min + 1, -1, 0, 1, max - 1, max, -0);
}

/** A user input for `column`, biased to the integer edges (INT64 as numbers and bigints). */
function colocationInputArb(column: ColumnDef): fc.Arbitrary<unknown> {
  switch (column.type) {
    case 'INT8':
      return fc.oneof(inputValueArb(column), intEdgesArb(-128, 127));
    case 'INT16':
      return fc.oneof(inputValueArb(column), intEdgesArb(-32768, 32767));
    case 'INT32':
      return fc.oneof(inputValueArb(column), intEdgesArb(-(2 ** 31), 2 ** 31 - 1));
    case 'INT64':
      return fc.oneof(int64NumberArb, int64BigIntArb, inputValueArb(column));
    case 'FLOAT':
    case 'DOUBLE':
      return fc.oneof(
        inputValueArb(column),
        fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY, Number.MAX_VALUE, 2 ** -149),
      );
    default:
      return inputValueArb(column);
  }
}

/** A key column: never nullable (defaults are harmless: a key column must be set anyway). */
function keyColumnArb(type: ColumnType, name: string): fc.Arbitrary<ColumnDef> {
  return columnArb(type, name).map(({ nullable: _nullable, ...column }) => column);
}

interface Case {
  readonly schema: TableSchema;
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * A schema of 1-3 colocation columns of any types, 0-1 other key columns and 0-2 value columns, in shuffled
 * schema, key and colocation orders; and a few rows for it.
 */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    colocated: fc.array(fc.constantFrom(...COLUMN_TYPE_NAMES), { minLength: 1, maxLength: 3 }),
    otherKeys: fc.array(fc.constantFrom(...COLUMN_TYPE_NAMES), { maxLength: 1 }),
    values: fc.array(fc.constantFrom(...COLUMN_TYPE_NAMES), { maxLength: 2 }),
  })
  .chain(({ colocated, otherKeys, values }) => {
    const keyTypes = [...colocated, ...otherKeys];
    const count = keyTypes.length + values.length;
    return columnNamesArb(count).chain((names) =>
      fc
        .tuple(
          fc.tuple(...keyTypes.map((type, i) => keyColumnArb(type, names[i] as string))),
          values.length === 0
            ? fc.constant([] as ColumnDef[])
            : fc.tuple(...values.map((type, i) => columnArb(type, names[keyTypes.length + i] as string))),
          fc.shuffledSubarray(
            names.map((_, i) => i),
            { minLength: count, maxLength: count },
          ),
          fc.shuffledSubarray(
            keyTypes.map((_, i) => i),
            { minLength: keyTypes.length, maxLength: keyTypes.length },
          ),
          fc.shuffledSubarray(
            colocated.map((_, i) => i),
            { minLength: colocated.length, maxLength: colocated.length },
          ),
        )
        .map(([keyDefs, valueDefs, order, keyOrder, colocationOrder]) => {
          // `order[p]` is the column (keys first, then values) at schema position p.
          const defs = [...keyDefs, ...valueDefs];
          const positionOf = new Array<number>(count);
          order.forEach((column, position) => {
            positionOf[column] = position;
          });
          return {
            tableId: 5,
            tableName: 'Colocated',
            version: 1,
            columns: order.map((column) => defs[column] as ColumnDef),
            keyColumns: keyOrder.map((column) => positionOf[column] as number),
            colocationColumns: colocationOrder.map((column) => positionOf[column] as number),
            partitions: 25,
          } satisfies TableSchema;
        }),
    );
  })
  .chain((schema) =>
    fc.record({ schema: fc.constant(schema), rows: fc.array(rowOf(schema), { minLength: 1, maxLength: 4 }) }),
  );

/** Every key column set (colocation columns biased to the edges); value columns set, null or left out. */
function rowOf(schema: TableSchema): fc.Arbitrary<Record<string, unknown>> {
  const keys = new Set(schema.keyColumns);
  const cells = schema.columns.map((column, i) => {
    if (keys.has(i)) return colocationInputArb(column).map((value) => ({ set: true, value }));
    const options: fc.Arbitrary<{ set: boolean; value?: unknown }>[] = [
      inputValueArb(column).map((value) => ({ set: true, value })),
    ];
    if (column.nullable === true) options.push(fc.constant({ set: true, value: null }));
    if (column.nullable === true || column.default !== undefined) options.push(fc.constant({ set: false }));
    return fc.oneof(...options);
  });
  return fc.tuple(...cells).map((parts) => {
    const row: Record<string, unknown> = {};
    parts.forEach((part, i) => {
      if (!part.set) return;
      // Defined, not assigned, so a `__proto__` column is data.
      Object.defineProperty(row, (schema.columns[i] as ColumnDef).name, {
        value: part.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return row;
  });
}

function colocationColumnsOf(schema: TableSchema): ColumnDef[] {
  return schema.colocationColumns.map((i) => schema.columns[i] as ColumnDef);
}

/** The reference: each colocation value through `normalizeValue`, then `colocationHash`. */
function referenceHash(schema: TableSchema, row: Record<string, unknown>): number {
  const columns = colocationColumnsOf(schema);
  const values = columns.map((column) => normalizeValue(column, row[column.name]));
  return colocationHash(columns, values);
}

/** Encodes `row` every way the codec offers with an `Int32Array` sink and checks each against the reference. */
function expectReferenceHashes(codec: RowCodec, row: Record<string, unknown>): void {
  const schema = codec.schema;
  const columns = colocationColumnsOf(schema);
  const expected = referenceHash(schema, row);
  const slots = schema.colocationColumns.length;

  const values: InternalValue[] = [];
  const plain = codec.encodeRow(row, values);
  const hashes = new Int32Array(slots).fill(0x5eed);
  const hashed = codec.encodeRow(row, hashes);
  expect(toHex(hashed.tuple)).toBe(toHex(plain.tuple));
  expect(toHex(hashed.noValueSet)).toBe(toHex(plain.noValueSet));
  expect([...hashes]).toEqual(columns.map((column, i) => hashValue(column, values[i] as InternalValue)));
  expect(foldColocationHashes(hashes)).toBe(expected);
  for (const partitions of PARTITIONS) {
    expect(partitionFor(foldColocationHashes(hashes), partitions)).toBe(partitionFor(expected, partitions));
  }

  const target = { tuple: new Uint8Array(0), noValueSet: new Uint8Array(0) };
  const intoHashes = new Int32Array(slots);
  codec.encodeRowInto(row, target, intoHashes);
  expect(toHex(target.tuple)).toBe(toHex(plain.tuple));
  expect(foldColocationHashes(intoHashes)).toBe(expected);

  const keyHashes = new Int32Array(slots);
  const key = codec.encodeKey(row, keyHashes);
  expect(toHex(key)).toBe(toHex(codec.encodeKey(row)));
  expect(foldColocationHashes(keyHashes)).toBe(expected);

  // A node reads the partition back from the key's bytes, also from the middle of a larger buffer.
  const framed = new Uint8Array(key.length + 5).fill(0xee);
  framed.set(key, 3);
  for (const partitions of PARTITIONS) {
    const keyPartitions = new KeyPartitions({ ...schema, partitions });
    expect(keyPartitions.partitionOf(key, 0, key.length)).toBe(partitionFor(expected, partitions));
    expect(keyPartitions.partitionOf(framed, 3, key.length)).toBe(partitionFor(expected, partitions));
  }
}

describe('hash32LongNumber', () => {
  it('equals hash32Long of the same integer as a bigint, for every safe integer and seed', () => {
    fc.assert(
      fc.property(int64NumberArb, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value, seed) => {
        expect(hash32LongNumber(value)).toBe(hash32Long(BigInt(value)));
        expect(hash32LongNumber(value, seed)).toBe(hash32Long(BigInt(value), seed));
      }),
      { numRuns: 1000 },
    );
  });

  it('equals hash32Long for integer numbers beyond 2^53 up to the int64 ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 53, max: 62 }), fc.maxSafeInteger(), (shift, mantissa) => {
        // An integer above 2^53 in magnitude: every double there is one.
        const value = mantissa * 2 ** (shift - 52);
        expect(hash32LongNumber(value)).toBe(hash32Long(BigInt(value)));
      }),
      { numRuns: 300 },
    );
    expect(hash32LongNumber(-(2 ** 63))).toBe(hash32Long(INT64_MIN));
  });

  it('hashes Ignite 3 INT64 vectors 0, 1, -1 and 42 (WIRE, CPP)', () => {
    expect([0, 1, -1, 42, -0].map((n) => hash32LongNumber(n))).toEqual([
      -460808068, -79575043, -1168220407, 1065270881, -460808068,
    ]);
  });
});

describe('foldColocationHashes', () => {
  it('folds value hashes exactly as colocationHash folds its columns', () => {
    fc.assert(
      fc.property(caseArb, ({ schema, rows }) => {
        const columns = colocationColumnsOf(schema);
        for (const row of rows) {
          const values = columns.map((column) => normalizeValue(column, row[column.name]));
          const hashes = Int32Array.from(columns, (column, i) =>
            hashValue(column, values[i] as InternalValue),
          );
          expect(foldColocationHashes(hashes)).toBe(colocationHash(columns, values));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('runs a one-column key through the combine step too, as Ignite does', () => {
    const hash = hashValue({ name: 'k', type: 'INT32' }, 42);
    expect(foldColocationHashes(Int32Array.of(hash))).toBe(combineHash(0, hash));
    expect(foldColocationHashes(Int32Array.of(hash))).not.toBe(hash);
  });

  it('rejects an empty key', () => {
    expect(() => foldColocationHashes(new Int32Array(0))).toThrow(ProtocolError);
    expect(() => foldColocationHashes(new Int32Array(0))).toThrow(/at least one column/);
  });
});

describe('RowCodec colocation hashes', () => {
  it('give the reference colocation hash and partition for random rows of 1-3 colocation columns of every type', () => {
    fc.assert(
      fc.property(caseArb, ({ schema, rows }) => {
        const codec = new RowCodec(schema);
        for (const row of rows) expectReferenceHashes(codec, row);
      }),
      { numRuns: 400 },
    );
  });

  it('give the reference for INT64 keys as numbers and bigints at every width, in one to three columns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.oneof(int64NumberArb, int64BigIntArb), { minLength: 3, maxLength: 3 }),
        (count, ids) => {
          const columns: ColumnDef[] = [
            { name: 'A', type: 'INT64' },
            { name: 'B', type: 'INT64' },
            { name: 'C', type: 'INT64' },
            { name: 'V', type: 'STRING', nullable: true },
          ];
          const key = [0, 1, 2].slice(0, count);
          const schema: TableSchema = {
            tableId: 1,
            tableName: 'Ids',
            version: 1,
            columns,
            keyColumns: [0, 1, 2],
            colocationColumns: key.reverse(),
            partitions: 25,
          };
          expectReferenceHashes(new RowCodec(schema), { A: ids[0], B: ids[1], C: ids[2], V: 'x' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hashes an explicit null in a nullable key column as NULL', () => {
    const schema: TableSchema = {
      tableId: 1,
      tableName: 'T',
      version: 1,
      columns: [{ name: 'K', type: 'INT64', nullable: true }],
      keyColumns: [0],
      colocationColumns: [0],
      partitions: 8,
    };
    const hashes = new Int32Array(1);
    new RowCodec(schema).encodeRow({ K: null }, hashes);
    expect(hashes[0]).toBe(NULL_HASH);
  });

  it('rejects a hash array whose length is not the colocation column count', () => {
    const schema: TableSchema = {
      tableId: 1,
      tableName: 'T',
      version: 1,
      columns: [
        { name: 'A', type: 'INT64' },
        { name: 'B', type: 'STRING' },
      ],
      keyColumns: [0, 1],
      colocationColumns: [1, 0],
      partitions: 8,
    };
    const codec = new RowCodec(schema);
    for (const length of [0, 1, 3]) {
      const hashes = new Int32Array(length);
      expect(() => codec.encodeRow({ A: 1, B: 'b' }, hashes)).toThrow(/2 colocation columns/);
      expect(() => codec.encodeKey({ A: 1, B: 'b' }, hashes)).toThrow(ProtocolError);
    }
    expect(() => codec.encodeRow({ A: 1, B: 'b' }, new Int32Array(2))).not.toThrow();
  });

  it('leaves the tuple and error of an invalid colocation value as the value checks give them', () => {
    const schema: TableSchema = {
      tableId: 1,
      tableName: 'T',
      version: 1,
      columns: [{ name: 'K', type: 'INT64' }],
      keyColumns: [0],
      colocationColumns: [0],
      partitions: 8,
    };
    const codec = new RowCodec(schema);
    for (const bad of [1.5, 2 ** 53, Number.NaN, '1', 2n ** 63n, null]) {
      const expected = caught(() => normalizeValue(schema.columns[0] as ColumnDef, bad));
      const actual = caught(() => codec.encodeRow({ K: bad }, new Int32Array(1)));
      expect((actual as Error).message).toBe((expected as Error).message);
      expect((actual as Error).constructor).toBe((expected as Error).constructor);
    }
  });
});

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('no error');
}

const column = (type: ColumnType, extra: { precision?: number; scale?: number } = {}): ColumnDef => ({
  name: 'k',
  type,
  ...extra,
});

/** Ignite 3's value-hash vectors (see ignite-compat-hash.test.ts for the sources), as user input. */
const INPUT_VECTORS: readonly (readonly [
  label: string,
  column: ColumnDef,
  input: unknown,
  expected: number,
])[] = [
  ['BOOLEAN true', column('BOOLEAN'), true, -105209210],
  ['BOOLEAN false', column('BOOLEAN'), false, 686815056],
  ['INT8 -1', column('INT8'), -1, -482826348],
  ['INT8 127', column('INT8'), 127, -2036967051],
  ['INT8 -128', column('INT8'), -128, 49585133],
  ['INT16 max', column('INT16'), 32767, -1586500059],
  ['INT16 min', column('INT16'), -32768, -667322922],
  ['INT32 0', column('INT32'), 0, 401375585],
  ['INT32 -0', column('INT32'), -0, 401375585],
  ['INT32 max', column('INT32'), 2147483647, -1452754491],
  ['INT32 min', column('INT32'), -2147483648, 694163409],
  ['INT32 42', column('INT32'), 42, 872512553],
  ['INT64 0 (number)', column('INT64'), 0, -460808068],
  ['INT64 1 (number)', column('INT64'), 1, -79575043],
  ['INT64 -1 (number)', column('INT64'), -1, -1168220407],
  ['INT64 42 (number)', column('INT64'), 42, 1065270881],
  ['INT64 -1 (bigint)', column('INT64'), -1n, -1168220407],
  ['INT64 max (bigint)', column('INT64'), INT64_MAX, -1230994913],
  ['INT64 min (bigint)', column('INT64'), INT64_MIN, -1253265447],
  ['FLOAT 1', column('FLOAT'), 1, -132467364],
  ['FLOAT pi (rounded to a float)', column('FLOAT'), Math.PI, -2142471555],
  ['FLOAT max', column('FLOAT'), 3.4028234663852886e38, 1780074225],
  ['DOUBLE -1', column('DOUBLE'), -1, 210701226],
  ['DOUBLE max', column('DOUBLE'), Number.MAX_VALUE, -1921889547],
  ['DOUBLE pi', column('DOUBLE'), Math.PI, -521675661],
  ['DECIMAL 42 at scale 10', column('DECIMAL', { precision: 40, scale: 10 }), '42', 1347451647],
  ['DECIMAL pi at scale 10', column('DECIMAL', { precision: 40, scale: 10 }), '3.141592653589793', 572053262],
  ['STRING ""', column('STRING'), '', 0],
  ['STRING "foo"', column('STRING'), 'foo', -477838538],
  ['STRING in Cyrillic', column('STRING'), 'Карл у Клары украл кораллы', -1909478343],
  ['BYTES [1,2,3]', column('BYTES'), Uint8Array.of(1, 2, 3), 343345478],
  ['UUID 0/0', column('UUID'), '00000000-0000-0000-0000-000000000000', -177475040],
  ['UUID 420000042/420042', column('UUID'), '00000000-1908-B12A-0000-0000000668CA', -2034825191],
  ['DATE 1905-09-26 (text)', column('DATE'), '1905-09-26', -1268080282],
  ['DATE 2036-03-17 (Date)', column('DATE'), new Date(Date.UTC(2036, 2, 17)), 435798353],
  ['TIME 19:42:21.000042042', column('TIME', { precision: 5 }), '19:42:21.000042042', 57055814],
  ['DATETIME 1905-09-26T19:42:21', column('DATETIME', { precision: 5 }), '1905-09-26T19:42:21', -1487071575],
  ['TIMESTAMP 0 (Date)', column('TIMESTAMP', { precision: 5 }), new Date(0), -1028348915],
];

describe('RowCodec colocation hashes (Ignite 3 compatibility)', () => {
  it.each(INPUT_VECTORS)('hash %s as Ignite 3 does', (_label, keyColumn, input, expected) => {
    const codec = new RowCodec({
      tableId: 1,
      tableName: 'T',
      version: 1,
      columns: [keyColumn, { name: 'v', type: 'INT32', nullable: true }],
      keyColumns: [0],
      colocationColumns: [0],
      partitions: 25,
    });
    const hashes = new Int32Array(1);
    codec.encodeRow({ k: input, v: 1 }, hashes);
    expect(hashes[0]).toBe(expected);
    codec.encodeKey({ k: input }, hashes.fill(0));
    expect(hashes[0]).toBe(expected);
    expect(foldColocationHashes(hashes)).toBe(combineHash(0, expected));
  });

  it('hashes the key (INT32 123, STRING "k2") to 1326971215 (NET, WIRE)', () => {
    // The .NET test's schema: key order (key2, key1), colocation order (key1, key2).
    const codec = new RowCodec({
      tableId: 1,
      tableName: 'T',
      version: 1,
      partitions: 25,
      columns: [
        { name: 'val1', type: 'STRING', nullable: true },
        { name: 'key1', type: 'INT32' },
        { name: 'val2', type: 'UUID', nullable: true },
        { name: 'key2', type: 'STRING' },
      ],
      keyColumns: [3, 1],
      colocationColumns: [1, 3],
    });
    const hashes = new Int32Array(2);
    codec.encodeRow({ val1: 'v1', key1: 123, val2: null, key2: 'k2' }, hashes);
    expect(foldColocationHashes(hashes)).toBe(1326971215);
    codec.encodeKey({ key2: 'k2', key1: 123 }, hashes.fill(0));
    expect(foldColocationHashes(hashes)).toBe(1326971215);
  });
});

describe('KeyPartitions', () => {
  const columns: ColumnDef[] = [
    { name: 'A', type: 'INT64' },
    { name: 'B', type: 'STRING' },
  ];
  const schema: TableSchema = {
    tableId: 1,
    tableName: 'Pairs',
    version: 1,
    columns,
    keyColumns: [0],
    colocationColumns: [0],
    partitions: 8,
  };

  it('refuses a schema whose colocation column is not a key column, or that has none', () => {
    expect(() => new KeyPartitions({ ...schema, colocationColumns: [1] })).toThrow(
      /colocation column 1 is not a key column/,
    );
    expect(() => new KeyPartitions({ ...schema, colocationColumns: [] })).toThrow(/has no colocation column/);
  });

  it('fails with PROTOCOL_ERROR on bytes that are not a key tuple', () => {
    const keyPartitions = new KeyPartitions(schema);
    expect(() => keyPartitions.partitionOf(new Uint8Array(0), 0, 0)).toThrow(ProtocolError);
    // The INT64 fast path: no room for the offset table; an element past the value area; 3 bytes of INT64.
    expect(() => keyPartitions.partitionOf(Uint8Array.of(0), 0, 1)).toThrow(/cannot hold the offset table/);
    expect(() => keyPartitions.partitionOf(Uint8Array.of(0, 4, 1), 0, 3)).toThrow(/spans 0\.\.4/);
    expect(() => keyPartitions.partitionOf(Uint8Array.of(0, 3, 1, 2, 3), 0, 5)).toThrow(/has 3 bytes/);
  });

  it('reads an all-INT64 colocation straight from the key bytes as the reference hashes it', () => {
    // 1-3 INT64 key columns colocated (some or all), after a STRING key column long enough at times for
    // 2-byte offset entries, at any place in a larger buffer.
    const caseArb = fc
      .record({
        int64Keys: fc.integer({ min: 1, max: 3 }),
        colocated: fc.integer({ min: 1, max: 7 }),
        text: fc.string({ maxLength: 300 }),
        values: fc.array(fc.oneof(int64NumberArb, int64BigIntArb, fc.constant(null)), {
          minLength: 3,
          maxLength: 3,
        }),
        pad: fc.integer({ min: 0, max: 9 }),
        partitions: fc.constantFrom(...PARTITIONS),
      })
      .map((c) => ({ ...c, colocated: c.colocated % (1 << c.int64Keys) || 1 }));
    fc.assert(
      fc.property(caseArb, ({ int64Keys, colocated, text, values, pad, partitions }) => {
        const int64Columns = Array.from(
          { length: int64Keys },
          (_, i): ColumnDef => ({
            name: `K${i}`,
            type: 'INT64',
            nullable: true,
          }),
        );
        const wide: TableSchema = {
          tableId: 2,
          tableName: 'Wide',
          version: 1,
          columns: [{ name: 'S', type: 'STRING' }, ...int64Columns, { name: 'V', type: 'INT32' }],
          keyColumns: [0, ...int64Columns.map((_, i) => i + 1)],
          colocationColumns: int64Columns
            .map((_, i) => i + 1)
            .filter((c) => (colocated & (1 << (c - 1))) !== 0),
          partitions,
        };
        const row: Record<string, unknown> = { S: text, V: 1 };
        int64Columns.forEach((column, i) => {
          row[column.name] = values[i];
        });
        const key = new RowCodec(wide).encodeKey(row);
        const framed = new Uint8Array(key.length + pad + 2).fill(0xee);
        framed.set(key, pad);
        const expected = partitionFor(referenceHash(wide, row), partitions);
        expect(new KeyPartitions(wide).partitionOf(framed, pad, key.length)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
