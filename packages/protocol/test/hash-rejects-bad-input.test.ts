import { describe, expect, it } from 'vitest';
import { InvalidValueError, ProtocolError } from '../src/errors/protocol-error.js';
import {
  colocationHash,
  hashValue,
  keyColocationHash,
  rowColocationHash,
} from '../src/hash/colocation-hash.js';
import { hash32Bytes, hash32Int, hash64Bytes } from '../src/hash/murmur3.js';
import type { ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef, TableSchema } from '../src/schema/table-schema.js';
import type { InternalValue } from '../src/schema/values.js';

function rejection(call: () => unknown): ProtocolError {
  try {
    call();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

const column = (type: ColumnType, extra: { precision?: number; scale?: number } = {}): ColumnDef => ({
  name: 'amount',
  type,
  ...extra,
});

const schema: TableSchema = {
  tableId: 7,
  tableName: 'ORDERS',
  version: 3,
  partitions: 8,
  columns: [
    { name: 'id', type: 'INT64' },
    { name: 'region', type: 'STRING' },
    { name: 'note', type: 'STRING', nullable: true },
  ],
  keyColumns: [0, 1],
  colocationColumns: [1],
};

describe('hashValue on bad input', () => {
  const mismatches: ReadonlyArray<readonly [ColumnType, InternalValue]> = [
    ['BOOLEAN', 1],
    ['INT8', 128],
    ['INT8', 1.5],
    ['INT16', -32769],
    ['INT32', 2 ** 31],
    ['INT32', 1n],
    ['INT64', 1],
    ['INT64', 2n ** 63n],
    ['FLOAT', '1'],
    ['DOUBLE', 1n],
    ['DECIMAL', 1],
    ['STRING', 5],
    ['BYTES', 'ab'],
    ['UUID', { year: 1, month: 1, day: 1 }],
    ['DATE', { hour: 1, minute: 2, second: 3, nano: 4 }],
    ['TIME', '12:00'],
    ['DATETIME', { year: 1, month: 1, day: 1 }],
    ['TIMESTAMP', { seconds: 1, nanos: 0 } as unknown as InternalValue],
  ];

  it.each(mismatches)(
    'rejects a value that is not the internal form of %s, naming the column',
    (type, value) => {
      const error = rejection(() => hashValue(column(type), value));
      expect(error).toBeInstanceOf(InvalidValueError);
      expect(error.code).toBe('INVALID_ROW');
      expect((error as InvalidValueError).column).toBe('amount');
      expect(error.message).toContain(type);
    },
  );

  it('rejects a temporal precision or decimal scale out of range as a schema error', () => {
    const time = { hour: 1, minute: 2, second: 3, nano: 4 };
    for (const precision of [-1, 10, 2.5]) {
      const error = rejection(() => hashValue(column('TIME', { precision }), time));
      expect(error.code).toBe('INVALID_SCHEMA');
      expect(error.message).toContain('precision');
    }
    const error = rejection(() => hashValue(column('DECIMAL', { scale: -1 }), { unscaled: 1n, scale: 0 }));
    expect(error.code).toBe('INVALID_SCHEMA');
    expect(error.message).toContain('scale');
  });

  it('rejects an unknown column type', () => {
    const bogus = { name: 'x', type: 'VARCHAR' } as unknown as ColumnDef;
    expect(rejection(() => hashValue(bogus, 'a')).code).toBe('INVALID_SCHEMA');
  });

  it('keeps hashing correctly after rejecting a value', () => {
    const before = hashValue(column('INT32'), 42);
    rejection(() => hashValue(column('INT32'), 0.5));
    expect(hashValue(column('INT32'), 42)).toBe(before);
    expect(before).toBe(hash32Int(42));
  });
});

describe('colocationHash on bad input', () => {
  it('rejects an empty key and a length mismatch', () => {
    expect(rejection(() => colocationHash([], [])).code).toBe('INVALID_ARGUMENT');
    const error = rejection(() => colocationHash([column('INT32')], [1, 2]));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('1 columns but 2 values');
  });

  it('rejects a hole in the values', () => {
    const values: InternalValue[] = [];
    values.length = 1;
    expect(rejection(() => colocationHash([column('INT32')], values))).toBeInstanceOf(InvalidValueError);
  });

  it('rejects a row that does not have one value per column', () => {
    const error = rejection(() => rowColocationHash(schema, [1n, 'eu']));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('ORDERS');
  });

  it('rejects a schema whose colocation columns are missing or outside its columns', () => {
    expect(
      rejection(() => rowColocationHash({ ...schema, colocationColumns: [] }, [1n, 'eu', null])).code,
    ).toBe('INVALID_SCHEMA');
    expect(
      rejection(() => rowColocationHash({ ...schema, colocationColumns: [5] }, [1n, 'eu', null])).code,
    ).toBe('INVALID_SCHEMA');
  });

  it('rejects a key-only row of the wrong size and a colocation column outside the key', () => {
    expect(rejection(() => keyColocationHash(schema, ['eu'])).code).toBe('INVALID_ARGUMENT');
    const error = rejection(() => keyColocationHash({ ...schema, colocationColumns: [2] }, [1n, 'eu']));
    expect(error.code).toBe('INVALID_SCHEMA');
    expect(error.message).toContain('"note" is not a key column');
  });

  it('hashes a full row and its key-only form alike', () => {
    expect(rowColocationHash(schema, [1n, 'eu', 'x'])).toBe(keyColocationHash(schema, [1n, 'eu']));
    expect(rowColocationHash(schema, [1n, 'eu', 'x'])).toBe(colocationHash([column('STRING')], ['eu']));
  });
});

describe('murmur3 byte ranges on bad input', () => {
  it('rejects a range outside the data', () => {
    const data = new Uint8Array(4);
    for (const [offset, length] of [
      [-1, 1],
      [5, 0],
      [2, 3],
      [0, -1],
      [0.5, 1],
    ] as const) {
      expect(rejection(() => hash32Bytes(data, offset, length)).code).toBe('INVALID_ARGUMENT');
      expect(rejection(() => hash64Bytes(data, offset, length)).code).toBe('INVALID_ARGUMENT');
    }
  });
});
