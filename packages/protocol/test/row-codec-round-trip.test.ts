import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnDef, TableSchema } from '../src/schema/table-schema.js';
import { denormalizeValue, normalizeValue } from '../src/schema/value-check.js';
import type { InternalValue } from '../src/schema/values.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { withEntrySize } from './support/reference-tuple-encoder.js';
import { rowArb, schemaArb } from './support/tuple-arbitraries.js';

const schemaWithRowsArb = schemaArb.chain((schema) =>
  fc.tuple(fc.constant(schema), fc.array(rowArb(schema), { minLength: 1, maxLength: 4 })),
);

function column(schema: TableSchema, index: number): ColumnDef {
  return schema.columns[index] as ColumnDef;
}

/** What decoding must give: each set column's input, normalized then denormalized; unset columns null. */
function expectedRow(schema: TableSchema, row: Record<string, unknown>, indexes: readonly number[]) {
  const out: Record<string, unknown> = {};
  for (const i of indexes) {
    const c = column(schema, i);
    const value = Object.hasOwn(row, c.name) ? denormalizeValue(c, normalizeValue(c, row[c.name])) : null;
    Object.defineProperty(out, c.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function bitSet(mask: Uint8Array, index: number): boolean {
  return ((mask[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

describe('RowCodec round trips', () => {
  it('decodes full rows to the normalized-then-denormalized input, with noValueSet for unset columns', () => {
    fc.assert(
      fc.property(schemaWithRowsArb, ([schema, rows]) => {
        const codec = new RowCodec(schema);
        const all = schema.columns.map((_, i) => i);
        for (const row of rows) {
          const colocation: InternalValue[] = [];
          const { tuple, noValueSet } = codec.encodeRow(row, colocation);
          const expected = expectedRow(schema, row, all);
          expect(codec.decodeRow(tuple)).toEqual(expected);
          for (const size of [2, 4] as const) {
            expect(codec.decodeRow(withEntrySize(tuple, schema.columns.length, size))).toEqual(expected);
          }
          schema.columns.forEach((c, i) => {
            expect(bitSet(noValueSet, i), c.name).toBe(!Object.hasOwn(row, c.name));
          });
          expect(noValueSet.length === 0 || noValueSet[noValueSet.length - 1] !== 0).toBe(true);
          expect(colocation).toEqual(
            schema.colocationColumns.map((i) =>
              normalizeValue(column(schema, i), row[column(schema, i).name]),
            ),
          );
          expect(codec.decodeRowValues(tuple).map((v, i) => denormalizeValue(column(schema, i), v))).toEqual(
            all.map((i) => expected[column(schema, i).name]),
          );
        }
      }),
      { numRuns: 250 },
    );
  });

  it('decodes key-only rows to the key columns, from a full row or from the key alone', () => {
    fc.assert(
      fc.property(schemaWithRowsArb, ([schema, rows]) => {
        const codec = new RowCodec(schema);
        for (const row of rows) {
          const expected = expectedRow(schema, row, schema.keyColumns);
          const fromRow = codec.encodeKey(row);
          const keyOnly: Record<string, unknown> = {};
          for (const i of schema.keyColumns) {
            const name = column(schema, i).name;
            Object.defineProperty(keyOnly, name, { value: row[name], enumerable: true, configurable: true });
          }
          const colocation: InternalValue[] = [];
          const fromKey = codec.encodeKey(keyOnly, colocation);
          expect(fromKey).toEqual(fromRow);
          expect(codec.decodeKey(fromKey)).toEqual(expected);
          for (const size of [2, 4] as const) {
            expect(codec.decodeKey(withEntrySize(fromKey, schema.keyColumns.length, size))).toEqual(expected);
          }
          const keyValues = codec.decodeKeyValues(fromKey);
          expect(codec.colocationInKey.map((p) => keyValues[p])).toEqual(colocation);
          expect(codec.encodeKeyValues(keyValues)).toEqual(fromKey);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('re-encodes decoded internal values to the same full-row bytes', () => {
    fc.assert(
      fc.property(schemaWithRowsArb, ([schema, rows]) => {
        const codec = new RowCodec(schema);
        for (const row of rows) {
          const { tuple } = codec.encodeRow(row);
          expect(codec.encodeRowValues(codec.decodeRowValues(tuple))).toEqual(tuple);
        }
      }),
      { numRuns: 150 },
    );
  });
});
