import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../src/schema/table-schema.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { rowArb, schemaArb } from './support/tuple-arbitraries.js';

const schemaWithRows = schemaArb.chain((schema) =>
  fc.tuple(fc.constant(schema), fc.array(rowArb(schema), { minLength: 1, maxLength: 6 })),
);

/** Every staged tuple of `rows`, written one after another into one buffer, as views of it. */
function stageAll(codec: RowCodec, rows: readonly object[], keys: boolean): Uint8Array[] {
  const buffer = new Uint8Array(1 << 16);
  const views: Uint8Array[] = [];
  const target = { noValueSet: new Uint8Array(0) };
  let offset = 3;
  for (const row of rows) {
    const length = keys ? codec.stageKey(row) : codec.stageRow(row, target);
    expect(codec.writeStagedTuple(buffer, offset)).toBe(length);
    views.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return views;
}

describe('RowCodec staged tuples', () => {
  it('writes the bytes encodeRow returns, at the offset asked, leaving earlier tuples intact', () => {
    fc.assert(
      fc.property(schemaWithRows, ([schema, rows]) => {
        const staged = new RowCodec(schema);
        const plain = new RowCodec(schema);
        const target = { noValueSet: new Uint8Array([9]) };
        for (const row of rows) {
          staged.stageRow(row, target);
          expect(target.noValueSet).toEqual(plain.encodeRow(row).noValueSet);
        }
        const views = stageAll(staged, rows, false);
        rows.forEach((row, i) => {
          expect(views[i]).toEqual(plain.encodeRow(row).tuple);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('writes the bytes encodeKey returns for keys', () => {
    fc.assert(
      fc.property(schemaWithRows, ([schema, rows]) => {
        const views = stageAll(new RowCodec(schema), rows, true);
        const plain = new RowCodec(schema);
        rows.forEach((row, i) => {
          expect(views[i]).toEqual(plain.encodeKey(row));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('writes a tuple longer than the short-copy limit whole', () => {
    const schema: TableSchema = {
      tableId: 1,
      tableName: 'Wide',
      version: 1,
      columns: [
        { name: 'Id', type: 'INT32' },
        { name: 'Text', type: 'STRING' },
      ],
      keyColumns: [0],
      colocationColumns: [0],
      partitions: 4,
    };
    for (const size of [1, 126, 127, 200, 5000]) {
      const row = { Id: size, Text: 'x'.repeat(size) };
      const views = stageAll(new RowCodec(schema), [row, row], false);
      const expected = new RowCodec(schema).encodeRow(row).tuple;
      expect(views[0]).toEqual(expected);
      expect(views[1]).toEqual(expected);
    }
  });

  it('leaves noValueSet as it was and refuses too small a target', () => {
    const schema: TableSchema = {
      tableId: 1,
      tableName: 'T',
      version: 1,
      columns: [
        { name: 'Id', type: 'INT32' },
        { name: 'Note', type: 'STRING', nullable: true },
      ],
      keyColumns: [0],
      colocationColumns: [0],
      partitions: 4,
    };
    const codec = new RowCodec(schema);
    const before = new Uint8Array([7]);
    const target = { noValueSet: before };
    expect(() => codec.stageRow({ Id: 'no' }, target)).toThrow(/Id/);
    expect(target.noValueSet).toBe(before);
    const length = codec.stageRow({ Id: 1 }, target);
    expect([...target.noValueSet]).toEqual([0b10]);
    expect(() => codec.writeStagedTuple(new Uint8Array(length + 1), 2)).toThrow(/does not fit/);
    expect(codec.writeStagedTuple(new Uint8Array(length + 2), 2)).toBe(length);
  });
});
