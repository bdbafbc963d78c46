/**
 * The risk: `VersionedSchema.partition()`, folded from the value hashes the codec computes while encoding
 * (an INT64 number hashed without its bigint), routes a row elsewhere than the reference path,
 * `partitionFor(colocationHash(columns, normalized values))`, which is where the server places it.
 */
import {
  type ColumnDef,
  colocationHash,
  normalizeValue,
  partitionFor,
  type TableSchema,
} from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VersionedSchema } from '../src/tuple/versioned-schema.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Safe integers and bigints on and around every width boundary, and anywhere in range. */
const int64Arb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(0, 127, 32767, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
      fc.integer({ min: -1, max: 1 }),
      fc.boolean(),
    )
    .map(([edge, delta, negative]) => {
      const value = (negative ? -edge : edge) + delta;
      return Number.isSafeInteger(value) ? value : Math.sign(value) * Number.MAX_SAFE_INTEGER;
    }),
  fc.maxSafeInteger(),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.constantFrom(INT64_MIN, INT64_MAX, 2n ** 53n, -(2n ** 53n)),
);

function schemaOf(partitions: number, colocationColumns: readonly number[]): TableSchema {
  return {
    tableId: 3,
    tableName: 'TrackEvents',
    version: 1,
    columns: [
      { name: 'UserId', type: 'INT32' },
      { name: 'EventId', type: 'INT64' },
      { name: 'EventType', type: 'STRING', default: 'TRACK_STARTED' },
      { name: 'EventTime', type: 'TIMESTAMP', precision: 3 },
      { name: 'Duration', type: 'INT64', nullable: true },
    ],
    keyColumns: [1, 0, 3],
    colocationColumns,
    partitions,
  };
}

const rowArb = fc.record(
  {
    UserId: fc.integer(),
    EventId: int64Arb,
    EventType: fc.string({ maxLength: 20 }),
    EventTime: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
    Duration: fc.option(int64Arb, { nil: null }),
  },
  { requiredKeys: ['UserId', 'EventId', 'EventTime'] },
);

/** Where the server would place `row`: the colocation hash of its normalized values. */
function referencePartition(schema: TableSchema, row: Record<string, unknown>): number {
  const columns = schema.colocationColumns.map((i) => schema.columns[i] as ColumnDef);
  const values = columns.map((column) => normalizeValue(column, row[column.name]));
  return partitionFor(colocationHash(columns, values), schema.partitions);
}

describe('VersionedSchema.partition', () => {
  it('equals the reference partition for rows, keys and key partitions, colocated by 1-3 key columns', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 7, 25, 64, 1000),
        fc.constantFrom([1], [0], [3], [1, 0], [0, 1], [3, 1, 0]),
        fc.array(rowArb, { minLength: 1, maxLength: 5 }),
        (partitions, colocation, rows) => {
          const schema = schemaOf(partitions, colocation);
          const versioned = new VersionedSchema(schema);
          const target = { noValueSet: new Uint8Array(0) };
          for (const row of rows) {
            const expected = referencePartition(schema, row);
            versioned.stageRow(row, target);
            expect(versioned.partition()).toBe(expected);
            versioned.encodeRow(row);
            expect(versioned.partition()).toBe(expected);
            versioned.encodeKey({ UserId: row.UserId, EventId: row.EventId, EventTime: row.EventTime });
            expect(versioned.partition()).toBe(expected);
            expect(versioned.keyPartition({ ...row, NotAColumn: 1 })).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('routes the same EventId given as a number or as a bigint to the same partition', () => {
    const versioned = new VersionedSchema(schemaOf(25, [1]));
    fc.assert(
      fc.property(fc.maxSafeInteger(), (id) => {
        versioned.encodeKey({ UserId: 1, EventId: id, EventTime: new Date(0) });
        const asNumber = versioned.partition();
        versioned.encodeKey({ UserId: 1, EventId: BigInt(id), EventTime: new Date(0) });
        expect(versioned.partition()).toBe(asNumber);
      }),
      { numRuns: 300 },
    );
  });
});

describe('VersionedSchema', () => {
  it('stages a key into the same tuple and partition that encodeKey gives, ignoring other properties', () => {
    fc.assert(
      fc.property(fc.constantFrom([1], [3, 1, 0]), rowArb, (colocation, row) => {
        const versioned = new VersionedSchema(schemaOf(16, colocation));
        const key = versioned.encodeKey({
          UserId: row.UserId,
          EventId: row.EventId,
          EventTime: row.EventTime,
        });
        const partition = versioned.partition();
        const length = versioned.stageKey({ ...row, NotAColumn: 1 });
        const staged = new Uint8Array(length + 3);
        expect(versioned.writeStagedTuple(staged, 3)).toBe(length);
        expect(staged.subarray(3)).toEqual(key);
        expect(versioned.partition()).toBe(partition);
      }),
      { numRuns: 200 },
    );
  });

  it('names its key columns in key order and tells key columns from the others', () => {
    const versioned = new VersionedSchema(schemaOf(4, [1]));
    expect(versioned.keyNames).toEqual(['EventId', 'UserId', 'EventTime']);
    expect(versioned.isKeyColumn('UserId')).toBe(true);
    expect(versioned.isKeyColumn('Duration')).toBe(false);
    expect([versioned.tableId, versioned.version, versioned.partitions]).toEqual([3, 1, 4]);
  });

  it('rejects a key without its key columns, naming the column', () => {
    const versioned = new VersionedSchema(schemaOf(4, [1]));
    expect(() => versioned.encodeKey({ UserId: 1, EventTime: new Date(0) })).toThrow(/EventId/);
  });
});
