import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../src/schema/table-schema.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { BinaryTupleReader } from '../src/tuple/binary-tuple-reader.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { hex, toHex } from './support/reference-tuple-encoder.js';

function schema(columns: TableSchema['columns']): TableSchema {
  return {
    tableId: 1,
    tableName: 'T',
    version: 1,
    columns,
    keyColumns: columns.map((_, i) => i),
    colocationColumns: [0],
    partitions: 4,
  };
}

describe('BinaryTuple compatibility with Ignite 3 (WIRE.md reference vectors)', () => {
  it('writes (INT32 33, INT32 -71) as 00 01 02 21 B9', () => {
    expect(toHex(new BinaryTupleBuilder().appendInt(33).appendInt(-71).build())).toBe('00 01 02 21 B9');
    const codec = new RowCodec(
      schema([
        { name: 'A', type: 'INT32' },
        { name: 'B', type: 'INT32' },
      ]),
    );
    expect(toHex(codec.encodeRow({ A: 33, B: -71 }).tuple)).toBe('00 01 02 21 B9');
  });

  it('writes (STRING "key", BYTES 80 FF) as 00 03 06 6B 65 79 80 80 FF', () => {
    const bytes = new BinaryTupleBuilder().appendString('key').appendBytes(hex('80 FF')).build();
    expect(toHex(bytes)).toBe('00 03 06 6B 65 79 80 80 FF');
    const codec = new RowCodec(
      schema([
        { name: 'K', type: 'STRING' },
        { name: 'V', type: 'BYTES' },
      ]),
    );
    expect(toHex(codec.encodeRow({ K: 'key', V: hex('80 FF') }).tuple)).toBe('00 03 06 6B 65 79 80 80 FF');
  });

  it('writes (INT32 0, STRING "") as 00 01 02 00 80', () => {
    expect(toHex(new BinaryTupleBuilder().appendInt(0).appendString('').build())).toBe('00 01 02 00 80');
  });

  it('reads the reference vectors back', () => {
    const ints = new BinaryTupleReader(hex('00 01 02 21 B9'), 2);
    expect([ints.int32Value(0), ints.int32Value(1)]).toEqual([33, -71]);
    const varlen = new BinaryTupleReader(hex('00 03 06 6B 65 79 80 80 FF'), 2);
    expect(varlen.stringValue(0)).toBe('key');
    expect(toHex(varlen.bytesValue(1) ?? new Uint8Array())).toBe('80 FF');
    const empty = new BinaryTupleReader(hex('00 01 02 00 80'), 2);
    expect([empty.int32Value(0), empty.stringValue(1)]).toEqual([0, '']);
  });

  it('ignores the oversized-table, prefix and equality header bits as Ignite readers do', () => {
    for (const header of ['04', '08', '10', '1C']) {
      const reader = new BinaryTupleReader(hex(`${header} 01 02 21 B9`), 2);
      expect([reader.int32Value(0), reader.int32Value(1)]).toEqual([33, -71]);
    }
  });

  it('reads integers written wider than needed, as Ignite parsers accept them', () => {
    const reader = new BinaryTupleReader(hex('00 04 0C 05 00 00 00 05 00 00 00 00 00 00 00'), 2);
    expect(reader.int32Value(0)).toBe(5);
    expect(reader.int64Value(1)).toBe(5n);
  });

  it('restores the column scale of a DECIMAL stored with stripped zeros', () => {
    // 100 at column scale 2 is stored as scale -2, unscaled 01.
    const tuple = new BinaryTupleBuilder().appendDecimal({ unscaled: 10000n, scale: 2 }, 2).build();
    expect(toHex(tuple)).toBe('00 03 FE FF 01');
    expect(new BinaryTupleReader(tuple, 1).decimalValue(0, 2)).toEqual({ unscaled: 10000n, scale: 2 });
    const codec = new RowCodec(schema([{ name: 'D', type: 'DECIMAL', precision: 10, scale: 2 }]));
    expect(codec.decodeRow(tuple)).toEqual({ D: '100.00' });
  });
});
