import { RowCodec, type TableSchema } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors/server-error.js';
import { RowIngest } from '../src/rows/row-ingest.js';
import { RowShape } from '../src/rows/row-shape.js';
import { RowUpgrade } from '../src/rows/row-upgrade.js';
import {
  MAX_STORED_SCHEMA_VERSION,
  storedRowOf,
  storedRowTuple,
  storedRowVersion,
} from '../src/rows/stored-row.js';
import { TupleLayout } from '../src/rows/tuple-layout.js';
import { TupleWriter } from '../src/rows/tuple-writer.js';

/** Key columns in the middle and at the end, in a key order of their own; a defaulted and a nullable column. */
const v1: TableSchema = {
  tableId: 3,
  tableName: 'Listens',
  version: 1,
  columns: [
    { name: 'Note', type: 'STRING', nullable: true },
    { name: 'User', type: 'STRING' },
    { name: 'Secs', type: 'INT32', nullable: true, default: 30 },
    { name: 'Day', type: 'DATE' },
    { name: 'Blob', type: 'BYTES', nullable: true },
    { name: 'Track', type: 'INT64' },
  ],
  keyColumns: [5, 1, 3],
  colocationColumns: [5],
  partitions: 4,
};
const v2: TableSchema = {
  ...v1,
  version: 2,
  columns: [
    ...v1.columns,
    { name: 'Rating', type: 'DECIMAL', precision: 4, scale: 1, nullable: true, default: '2.5' },
    { name: 'Tag', type: 'STRING', nullable: true },
  ],
};

const row = fc.record({
  Note: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
  User: fc.string({ maxLength: 20 }),
  Secs: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  Day: fc.constantFrom('2024-02-29', '1999-12-31', '0001-01-01'),
  Blob: fc.option(fc.uint8Array({ maxLength: 70_000 }), { nil: null, freq: 5 }),
  Track: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
});

/** `row` without its undefined properties, as a client would send it (unset columns left out). */
function present(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function ingestPut(shape: RowShape, codec: RowCodec, value: Record<string, unknown>) {
  const encoded = codec.encodeRow(present(value));
  const keys: Uint8Array[] = [];
  const rows: (Uint8Array | null)[] = [];
  new RowIngest().put(shape, encoded.noValueSet, encoded.tuple, 0, 'batch', keys, rows);
  return { key: keys[0] as Uint8Array, stored: rows[0] as Uint8Array };
}

describe('row bytes on the write path', () => {
  it('extracts the key tuple a client encodes, and stores the row with its version and defaults', () => {
    const shape = new RowShape(v1);
    const codec = new RowCodec(v1);
    fc.assert(
      fc.property(row, (value) => {
        const { key, stored } = ingestPut(shape, codec, value);
        expect(key).toEqual(codec.encodeKey(present(value)));
        expect(storedRowVersion(stored)).toBe(1);
        const expected = codec.encodeRow({
          ...present(value),
          Secs: value.Secs === undefined ? 30 : value.Secs,
        });
        expect(storedRowTuple(stored)).toEqual(expected.tuple);
      }),
      { numRuns: 150 },
    );
  });

  it('upgrades a stored row to a later version with the new columns defaulted, as a client would encode it', () => {
    const ingest = ingestPut.bind(null, new RowShape(v1), new RowCodec(v1));
    const latest = new RowShape(v2);
    const upgrade = new RowUpgrade();
    const codec2 = new RowCodec(v2);
    fc.assert(
      fc.property(row, (value) => {
        const { stored } = ingest(value);
        const result = upgrade.toLatest(stored, latest, (version) => (version === 1 ? 6 : undefined));
        expect(result.schemaVersion).toBe(2);
        const full = { ...present(value), Secs: value.Secs ?? 30, Rating: '2.5', Tag: null };
        expect(result.row).toEqual(codec2.encodeRow(full).tuple);
      }),
      { numRuns: 100 },
    );
  });

  it('copies a tuple element by element into the same bytes, whatever offset size it needs', () => {
    const codec = new RowCodec(v1);
    const layout = new TupleLayout();
    const writer = new TupleWriter();
    fc.assert(
      fc.property(row, fc.integer({ min: 0, max: 3 }), (value, prefix) => {
        const { tuple } = codec.encodeRow({ ...present(value), Secs: 1 });
        expect(layout.reset(tuple, 6)).toBeNull();
        writer.reset();
        for (let i = 0; i < 6; i++) writer.add(tuple, layout.start(i), layout.end(i));
        const copy = writer.build(prefix);
        expect(copy.subarray(prefix)).toEqual(tuple);
        expect(copy.subarray(0, prefix)).toEqual(new Uint8Array(prefix));
      }),
      { numRuns: 100 },
    );
    // Keys and defaults taken from rows whose offset tables need 2 and 4 bytes per entry.
    const shape = new RowShape(v1);
    for (const size of [300, 70_000]) {
      const value = {
        User: 'u',
        Day: '2024-01-01',
        Track: 5n,
        Note: null,
        Blob: new Uint8Array(size).fill(7),
      };
      const { key, stored } = ingestPut(shape, codec, value);
      expect((storedRowTuple(stored)[0] as number) & 3).toBe(size < 0xffff ? 1 : 2);
      expect(storedRowTuple(stored)).toEqual(codec.encodeRow({ ...value, Secs: 30 }).tuple);
      expect(key).toEqual(codec.encodeKey(value));
    }
  });

  it('refuses random bytes as a row with INVALID_ROW, or accepts them as a well-formed row', () => {
    const shape = new RowShape(v1);
    const ingest = new RowIngest();
    const layout = new TupleLayout();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 2 }),
        fc.boolean(),
        (bytes, mask, asKey) => {
          const keys: Uint8Array[] = [];
          const rows: (Uint8Array | null)[] = [];
          try {
            if (asKey) ingest.key(shape, bytes, 0, 'batch', true, keys);
            else ingest.put(shape, mask, bytes, 0, 'batch', keys, rows);
          } catch (error) {
            expect(error).toBeInstanceOf(ServerError);
            expect((error as ServerError).code).toBe('INVALID_ROW');
            return;
          }
          expect(layout.reset(keys[0] as Uint8Array, 3)).toBeNull();
          if (!asKey) expect(layout.reset(storedRowTuple(rows[0] as Uint8Array), 6)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names the column of each problem a row can have', () => {
    const shape = new RowShape(v1);
    const codec = new RowCodec(v1);
    const ingest = new RowIngest();
    const good = { User: 'u', Day: '2024-01-01', Track: 1n, Note: null, Blob: null };
    const attempt = (tuple: Uint8Array, mask: Uint8Array = new Uint8Array(0)) => {
      try {
        ingest.put(shape, mask, tuple, 4, 'batch', [], []);
      } catch (error) {
        return error as ServerError;
      }
      return undefined;
    };
    const { tuple } = codec.encodeRow({ ...good, Secs: 1 });
    // Track (a key column) marked as not set.
    expect(attempt(tuple, Uint8Array.of(0b10_0000))).toMatchObject({ extensions: { column: 'Track' } });
    // A bit past the last column.
    expect(attempt(tuple, Uint8Array.of(0, 0b1))?.message).toContain('marks column 8');
    // Secs as 3 bytes: no INT32 is 3 bytes long.
    const values = codec.decodeRowValues(tuple);
    const bad = codec.encodeRowValues([...values.slice(0, 2), null, ...values.slice(3)]);
    const layout = new TupleLayout();
    layout.reset(bad, 6);
    const writer = new TupleWriter();
    for (let i = 0; i < 6; i++) {
      if (i === 2) writer.add(Uint8Array.of(1, 2, 3), 0, 3);
      else writer.add(bad, layout.start(i), layout.end(i));
    }
    expect(attempt(writer.build())).toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'Secs' },
      message: expect.stringContaining('row 4 of the batch'),
    });
    // A NULL key column.
    expect(attempt(codec.encodeRowValues([null, null, 1, values[3] ?? null, null, 1n]))).toMatchObject({
      extensions: { column: 'User' },
    });
    // Too few elements for the schema.
    expect(attempt(codec.encodeKey(good))?.message).toContain('is not a row of 6 columns');
  });

  it('stores schema versions up to 32767 in one or two bytes', () => {
    for (const version of [1, 127, 128, 4000, MAX_STORED_SCHEMA_VERSION]) {
      const stored = storedRowOf(Uint8Array.of(0, 9), version);
      expect(stored.length).toBe(version < 128 ? 3 : 4);
      expect(storedRowVersion(stored)).toBe(version);
      expect(storedRowTuple(stored)).toEqual(Uint8Array.of(0, 9));
    }
    expect(() => storedRowOf(Uint8Array.of(0), MAX_STORED_SCHEMA_VERSION + 1)).toThrow(/cannot be stored/);
    expect(() => storedRowOf(Uint8Array.of(0), 0)).toThrow(ServerError);
  });
});
