import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLUMN_TYPE_NAMES } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { normalizeValue } from '../src/schema/value-check.js';
import type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  InternalValue,
  TimeValue,
  UuidValue,
} from '../src/schema/values.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { BinaryTupleReader } from '../src/tuple/binary-tuple-reader.js';
import { appendColumnValue, readColumnValue } from '../src/tuple/column-value-codec.js';
import { ref, refTuple, toHex, withEntrySize } from './support/reference-tuple-encoder.js';
import { columnArb, inputValueArb } from './support/tuple-arbitraries.js';

/** A column and an internal value for it (null sometimes), via the value checks. */
const cellArb = fc
  .constantFrom(...COLUMN_TYPE_NAMES)
  .chain((type) => columnArb(type, 'C'))
  .chain((column) =>
    fc
      .option(inputValueArb(column), { nil: null, freq: 8 })
      .map((input) => ({ column, value: normalizeValue({ ...column, nullable: true }, input) })),
  );

/** The reference encoder's bytes for an internal value of `column`. */
function referenceElement(column: ColumnDef, value: InternalValue): number[] {
  if (value === null) return ref.null();
  switch (column.type) {
    case 'BOOLEAN':
      return ref.boolean(value as boolean);
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return ref.int(value as number);
    case 'INT64':
      return ref.int(value as bigint);
    case 'FLOAT':
      return ref.float(value as number);
    case 'DOUBLE':
      return ref.double(value as number);
    case 'DECIMAL': {
      const d = value as DecimalValue;
      return ref.decimal(d.unscaled, d.scale, column.scale ?? 0);
    }
    case 'STRING':
      return ref.string(value as string);
    case 'BYTES':
      return ref.bytes(value as Uint8Array);
    case 'UUID': {
      const u = value as UuidValue;
      const hexText = (x: bigint) => BigInt.asUintN(64, x).toString(16).padStart(16, '0');
      return ref.uuid(hexText(u.msb) + hexText(u.lsb));
    }
    case 'DATE': {
      const d = value as DateValue;
      return ref.date(d.year, d.month, d.day);
    }
    case 'TIME': {
      const t = value as TimeValue;
      return ref.time(t.hour, t.minute, t.second, t.nano);
    }
    case 'DATETIME': {
      const { date: d, time: t } = value as DateTimeValue;
      return ref.dateTime(d.year, d.month, d.day, t.hour, t.minute, t.second, t.nano);
    }
    case 'TIMESTAMP': {
      const i = value as InstantValue;
      return ref.timestamp(i.seconds, i.nanos);
    }
  }
}

describe('BinaryTuple round trips', () => {
  it('writes every type exactly as the independent reference encoder', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 12 }), (cells) => {
        const builder = new BinaryTupleBuilder(8);
        for (const { column, value } of cells) appendColumnValue(builder, column, value);
        const expected = refTuple(cells.map(({ column, value }) => referenceElement(column, value)));
        expect(toHex(builder.build())).toBe(toHex(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('reads back every value it writes, with 1-, 2- and 4-byte offset tables', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 12 }), (cells) => {
        const builder = new BinaryTupleBuilder();
        for (const { column, value } of cells) appendColumnValue(builder, column, value);
        const tuple = builder.build();
        const values = cells.map((c) => c.value);
        for (const bytes of [
          tuple,
          withEntrySize(tuple, cells.length, 2),
          withEntrySize(tuple, cells.length, 4),
        ]) {
          const reader = new BinaryTupleReader(bytes, cells.length);
          expect(cells.map(({ column }, i) => readColumnValue(reader, i, column))).toEqual(values);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads 1-byte offset tables that a wider re-write shrinks back to', () => {
    const tuple = new BinaryTupleBuilder().appendInt(33).appendInt(-71).build();
    const wide = withEntrySize(tuple, 2, 4);
    expect(toHex(wide)).toBe('02 01 00 00 00 02 00 00 00 21 B9');
    const reader = new BinaryTupleReader(wide, 2);
    expect([reader.int32Value(0), reader.int32Value(1)]).toEqual([33, -71]);
  });

  it('reuses one reader across tuples of different shapes', () => {
    const reader = new BinaryTupleReader(new BinaryTupleBuilder().appendString('a').build(), 1);
    expect(reader.stringValue(0)).toBe('a');
    reader.reset(new BinaryTupleBuilder().appendNull().appendInt64(-5n).build(), 2);
    expect(reader.isNull(0)).toBe(true);
    expect(reader.int64Value(1)).toBe(-5n);
    expect(reader.elementCount).toBe(2);
  });
});
