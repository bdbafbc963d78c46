/**
 * One column value in or out of a BinaryTuple, by the column's type: the dispatch between the internal value
 * forms (`values.ts`) and the builder's and reader's typed methods.
 *
 * It does not check user input (value checks do, before a value gets here) nor convert to the documented
 * output types (`denormalizeValue` does). An internal value of the wrong kind for its column is a
 * `ProtocolError` `VALUE_NOT_ENCODABLE`: a bug in the caller, reported instead of written as garbage.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { decimalScale } from '../schema/column-facets.js';
import { describeValue } from '../schema/describe-value.js';
import {
  isDateTimeValue,
  isDateValue,
  isDecimalValue,
  isInstantValue,
  isTimeValue,
  isUuidValue,
} from '../schema/internal-value-guards.js';
import type { ColumnDef } from '../schema/table-schema.js';
import type { InternalValue } from '../schema/values.js';
import type { BinaryTupleBuilder } from './binary-tuple-builder.js';
import type { BinaryTupleReader } from './binary-tuple-reader.js';

function wrongKind(column: ColumnDef, value: InternalValue): ProtocolError {
  return new ProtocolError(
    'VALUE_NOT_ENCODABLE',
    `internal value ${describeValue(value)} does not fit column "${column.name}" (${column.type})`,
  );
}

/**
 * Appends `value` (internal form, or `null`) as the next element, written for `column`'s type.
 *
 * @throws ProtocolError `VALUE_NOT_ENCODABLE` when the value is not of the column type's internal kind, or
 *   the builder cannot represent it.
 */
export function appendColumnValue(
  builder: BinaryTupleBuilder,
  column: ColumnDef,
  value: InternalValue,
): void {
  if (value === null) {
    builder.appendNull();
    return;
  }
  switch (column.type) {
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw wrongKind(column, value);
      builder.appendBoolean(value);
      return;
    case 'INT8':
    case 'INT16':
    case 'INT32':
      if (typeof value !== 'number') throw wrongKind(column, value);
      builder.appendInt(value);
      return;
    case 'INT64':
      if (typeof value !== 'bigint') throw wrongKind(column, value);
      builder.appendInt64(value);
      return;
    case 'FLOAT':
      if (typeof value !== 'number') throw wrongKind(column, value);
      builder.appendFloat(value);
      return;
    case 'DOUBLE':
      if (typeof value !== 'number') throw wrongKind(column, value);
      builder.appendDouble(value);
      return;
    case 'DECIMAL':
      if (!isDecimalValue(value)) throw wrongKind(column, value);
      builder.appendDecimal(value, decimalScale(column));
      return;
    case 'STRING':
      if (typeof value !== 'string') throw wrongKind(column, value);
      builder.appendString(value);
      return;
    case 'BYTES':
      if (!(value instanceof Uint8Array)) throw wrongKind(column, value);
      builder.appendBytes(value);
      return;
    case 'UUID':
      if (!isUuidValue(value)) throw wrongKind(column, value);
      builder.appendUuid(value);
      return;
    case 'DATE':
      if (!isDateValue(value)) throw wrongKind(column, value);
      builder.appendDate(value);
      return;
    case 'TIME':
      if (!isTimeValue(value)) throw wrongKind(column, value);
      builder.appendTime(value);
      return;
    case 'DATETIME':
      if (!isDateTimeValue(value)) throw wrongKind(column, value);
      builder.appendDateTime(value);
      return;
    case 'TIMESTAMP':
      if (!isInstantValue(value)) throw wrongKind(column, value);
      builder.appendTimestamp(value);
      return;
  }
}

/**
 * Reads element `index` as a value of `column`'s type, in internal form (`null` for NULL). DECIMALs come back
 * at the column's scale.
 *
 * @throws ProtocolError `PROTOCOL_ERROR` when the element's bytes are not a valid value of that type.
 */
export function readColumnValue(reader: BinaryTupleReader, index: number, column: ColumnDef): InternalValue {
  switch (column.type) {
    case 'BOOLEAN':
      return reader.booleanValue(index);
    case 'INT8':
      return reader.int8Value(index);
    case 'INT16':
      return reader.int16Value(index);
    case 'INT32':
      return reader.int32Value(index);
    case 'INT64':
      return reader.int64Value(index);
    case 'FLOAT':
      return reader.floatValue(index);
    case 'DOUBLE':
      return reader.doubleValue(index);
    case 'DECIMAL':
      return reader.decimalValue(index, decimalScale(column));
    case 'STRING':
      return reader.stringValue(index);
    case 'BYTES':
      return reader.bytesValue(index);
    case 'UUID':
      return reader.uuidValue(index);
    case 'DATE':
      return reader.dateValue(index);
    case 'TIME':
      return reader.timeValue(index);
    case 'DATETIME':
      return reader.dateTimeValue(index);
    case 'TIMESTAMP':
      return reader.timestampValue(index);
  }
}
