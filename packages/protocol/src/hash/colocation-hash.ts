/**
 * Colocation hashes equal to Apache Ignite 3's (`HashCalculator`, `ColocationUtils`): the hash of one value
 * for its column type, and the hash of a row's colocation key, so that a key lands in the same partition here
 * as in a real Ignite 3 cluster. The per-type rules are WIRE.md's "Colocation hash" section.
 *
 * Takes internal values (`schema/values.ts`), already normalized by the value checks: it checks only their
 * shape, enough to fail with a typed error naming the column instead of hashing garbage. It does not turn a
 * hash into a partition: that is `partition.ts`.
 */
import { ErrorExtensionKeys, InvalidValueError, ProtocolError } from '../errors/protocol-error.js';
import { TypeDefaults } from '../schema/column-types.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  InternalValue,
  TimeValue,
  UuidValue,
} from '../schema/values.js';
import { hashDecimal } from './decimal-hash.js';
import {
  combineHash,
  hash32Byte,
  hash32Bytes,
  hash32Int,
  hash32Long,
  hash32LongBits,
  hash32Short,
  hash32String,
} from './murmur3.js';

/** What Ignite hashes a NULL as: the byte `00` (686815056). */
export const NULL_HASH = hash32Byte(0);
const TRUE_HASH = hash32Byte(1);

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

// Nanos kept at precision p are whole multiples of 10^(9 - p).
const NANO_UNITS = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1] as const;

// Raw IEEE 754 bits of FLOAT and DOUBLE values, without allocating.
const bits = new DataView(new ArrayBuffer(8));
// Java's Float.NaN / Double.NaN bits. JavaScript does not promise which NaN a typed-array store writes, so
// every NaN is hashed as the canonical one.
const FLOAT_NAN_BITS = 0x7fc00000;
const DOUBLE_NAN_HI = 0x7ff80000;

/**
 * The colocation hash of one value, as Ignite 3 computes it for a column of this type:
 *
 * - BOOLEAN: one byte; INT8/16/32/64: little-endian at the declared width; FLOAT: the raw int32 bits;
 *   DOUBLE: the raw int64 bits (every NaN as Java's canonical NaN);
 * - DECIMAL: the unscaled bytes (big-endian) after rounding half-up to the column scale (default 0);
 * - STRING: UTF-8 bytes (empty is 0); BYTES: the raw bytes;
 * - UUID: `hash32(long lsb, seed = hash32(long msb))`;
 * - DATE: year, month, day chained as int32s; TIME: hour, minute, second, nanos truncated to the column
 *   precision (default 0), chained; DATETIME: `combine(dateHash, timeHash)` (precision default 6);
 *   TIMESTAMP: `hash32(int nanos, seed = hash32(long seconds))` (precision default 6);
 * - NULL: like the byte `00`, {@link NULL_HASH}.
 *
 * @throws {InvalidValueError} when the value does not have the internal form of the column's type
 * @throws {ProtocolError} `INVALID_SCHEMA` when the column's type is unknown or its precision or scale is
 *   out of range
 */
export function hashValue(column: ColumnDef, value: InternalValue): number {
  if (value === null) return NULL_HASH;
  switch (column.type) {
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw wrongValue(column, value, 'a boolean');
      return value ? TRUE_HASH : NULL_HASH;
    case 'INT8':
      if (typeof value !== 'number' || (value << 24) >> 24 !== value) {
        throw wrongValue(column, value, 'an integer in -128..127');
      }
      return hash32Byte(value);
    case 'INT16':
      if (typeof value !== 'number' || (value << 16) >> 16 !== value) {
        throw wrongValue(column, value, 'an integer in -32768..32767');
      }
      return hash32Short(value);
    case 'INT32':
      if (typeof value !== 'number' || (value | 0) !== value) {
        throw wrongValue(column, value, 'an integer in -2^31..2^31-1');
      }
      return hash32Int(value);
    case 'INT64':
      if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
        throw wrongValue(column, value, 'a bigint in -2^63..2^63-1');
      }
      return hash32Long(value);
    case 'FLOAT':
      if (typeof value !== 'number') throw wrongValue(column, value, 'a number');
      if (Number.isNaN(value)) return hash32Int(FLOAT_NAN_BITS);
      bits.setFloat32(0, value, true);
      return hash32Int(bits.getInt32(0, true));
    case 'DOUBLE':
      if (typeof value !== 'number') throw wrongValue(column, value, 'a number');
      if (Number.isNaN(value)) return hash32LongBits(DOUBLE_NAN_HI, 0);
      bits.setFloat64(0, value, true);
      return hash32LongBits(bits.getInt32(4, true), bits.getInt32(0, true));
    case 'DECIMAL':
      if (!isDecimal(value)) throw wrongValue(column, value, 'a decimal { unscaled: bigint, scale: number }');
      return hashDecimal(value, decimalScale(column));
    case 'STRING':
      if (typeof value !== 'string') throw wrongValue(column, value, 'a string');
      return hash32String(value);
    case 'BYTES':
      if (!(value instanceof Uint8Array)) throw wrongValue(column, value, 'a Uint8Array');
      return hash32Bytes(value);
    case 'UUID':
      if (!isUuid(value)) throw wrongValue(column, value, 'a UUID { msb: bigint, lsb: bigint }');
      return hash32Long(value.lsb, hash32Long(value.msb));
    case 'DATE':
      if (!isDate(value)) throw wrongValue(column, value, 'a date { year, month, day }');
      return hashDate(value);
    case 'TIME':
      if (!isTime(value)) throw wrongValue(column, value, 'a time { hour, minute, second, nano }');
      return hashTime(value, temporalPrecision(column, TypeDefaults.timePrecision));
    case 'DATETIME':
      if (!isDateTime(value)) throw wrongValue(column, value, 'a date-time { date, time }');
      return combineHash(
        hashDate(value.date),
        hashTime(value.time, temporalPrecision(column, TypeDefaults.datetimePrecision)),
      );
    case 'TIMESTAMP': {
      if (!isInstant(value)) throw wrongValue(column, value, 'an instant { seconds: bigint, nanos: number }');
      const precision = temporalPrecision(column, TypeDefaults.timestampPrecision);
      return hash32Int(truncateNanos(value.nanos, precision), hash32Long(value.seconds));
    }
    default:
      return unknownType(column, column.type);
  }
}

/**
 * The colocation hash of a key: its columns' value hashes folded in order,
 * `acc = 0; for each column: acc = combine(acc, hashValue(column, value))` (a one-column key goes through
 * this step too, as in Ignite).
 *
 * @param columns the colocation columns, in colocation order
 * @param values their values, in the same order
 * @throws {ProtocolError} `INVALID_ARGUMENT` when there are no columns or the two lengths differ
 * @throws {InvalidValueError} as {@link hashValue}, or when a value is missing
 */
export function colocationHash(columns: readonly ColumnDef[], values: readonly InternalValue[]): number {
  if (columns.length === 0) {
    throw new ProtocolError('INVALID_ARGUMENT', 'colocationHash: a colocation key needs at least one column');
  }
  if (columns.length !== values.length) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `colocationHash: ${columns.length} columns but ${values.length} values`,
    );
  }
  let acc = 0;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    if (column === undefined) {
      throw new ProtocolError('INVALID_ARGUMENT', `colocationHash: column ${i} is missing`);
    }
    acc = combineHash(acc, hashValue(column, present(column, values[i])));
  }
  return acc;
}

/**
 * The colocation hash of a key from its columns' value hashes, already computed (as the row codec does
 * while it encodes a row): `acc = 0; for each slot: acc = combine(acc, hashes[slot])`, exactly the fold of
 * {@link colocationHash}, so `foldColocationHashes(Int32Array.from(columns, (c, i) => hashValue(c, values[i])))`
 * equals `colocationHash(columns, values)`.
 *
 * @param hashes the value hashes of the colocation columns, in colocation order
 * @throws {ProtocolError} `INVALID_ARGUMENT` when there are no hashes (a colocation key needs a column)
 */
export function foldColocationHashes(hashes: Int32Array): number {
  const count = hashes.length;
  if (count === 0) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      'foldColocationHashes: a colocation key needs at least one column',
    );
  }
  let acc = 0;
  for (let i = 0; i < count; i++) acc = combineHash(acc, hashes[i] as number);
  return acc;
}

/**
 * The colocation hash of a full row: `values` holds every column of `schema` in schema order, and the
 * columns listed in `schema.colocationColumns` are hashed in that order.
 *
 * @throws {ProtocolError} `INVALID_ARGUMENT` when the row does not have one value per column;
 *   `INVALID_SCHEMA` when the schema lists no colocation column or an index outside its columns
 * @throws {InvalidValueError} as {@link hashValue}
 */
export function rowColocationHash(schema: TableSchema, values: readonly InternalValue[]): number {
  if (values.length !== schema.columns.length) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `rowColocationHash: table "${schema.tableName}" has ${schema.columns.length} columns, the row ${values.length} values`,
    );
  }
  checkHasColocationColumns(schema);
  let acc = 0;
  for (const index of schema.colocationColumns) {
    const column = schemaColumn(schema, index);
    acc = combineHash(acc, hashValue(column, present(column, values[index])));
  }
  return acc;
}

/**
 * The colocation hash of a key-only row: `keyValues` holds the key columns in key order
 * (`schema.keyColumns`), as a REMOVE row of a streamer batch does. Every colocation column must be a key
 * column, as Ignite requires.
 *
 * @throws {ProtocolError} `INVALID_ARGUMENT` when the row does not have one value per key column;
 *   `INVALID_SCHEMA` when a colocation column is not a key column, or as {@link rowColocationHash}
 * @throws {InvalidValueError} as {@link hashValue}
 */
export function keyColocationHash(schema: TableSchema, keyValues: readonly InternalValue[]): number {
  const { keyColumns } = schema;
  if (keyValues.length !== keyColumns.length) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `keyColocationHash: table "${schema.tableName}" has ${keyColumns.length} key columns, the key ${keyValues.length} values`,
    );
  }
  checkHasColocationColumns(schema);
  let acc = 0;
  for (const index of schema.colocationColumns) {
    const column = schemaColumn(schema, index);
    // Keys have a handful of columns: a linear search beats building and caching a map.
    const keyPosition = keyColumns.indexOf(index);
    if (keyPosition < 0) {
      throw schemaError(schema, `colocation column "${column.name}" is not a key column`);
    }
    acc = combineHash(acc, hashValue(column, present(column, keyValues[keyPosition])));
  }
  return acc;
}

function hashDate(date: DateValue): number {
  return hash32Int(date.day, hash32Int(date.month, hash32Int(date.year)));
}

function hashTime(time: TimeValue, precision: number): number {
  const hourHash = hash32Int(time.hour);
  const minuteHash = hash32Int(time.minute, hourHash);
  const secondHash = hash32Int(time.second, minuteHash);
  return hash32Int(truncateNanos(time.nano, precision), secondHash);
}

/** Ignite's `TemporalTypeUtils.normalizeNanos`: drops the digits past `precision` (0..9). */
function truncateNanos(nanos: number, precision: number): number {
  const unit = NANO_UNITS[precision] ?? 1;
  return nanos - (nanos % unit);
}

function temporalPrecision(column: ColumnDef, fallback: number): number {
  const precision = column.precision ?? fallback;
  if (!Number.isInteger(precision) || precision < 0 || precision > TypeDefaults.maxTemporalPrecision) {
    throw columnSchemaError(
      column,
      `precision ${precision} is outside 0..${TypeDefaults.maxTemporalPrecision}`,
    );
  }
  return precision;
}

function decimalScale(column: ColumnDef): number {
  const scale = column.scale ?? TypeDefaults.decimalScale;
  if (!Number.isInteger(scale) || scale < 0 || scale > TypeDefaults.maxDecimalPrecision) {
    throw columnSchemaError(column, `scale ${scale} is outside 0..${TypeDefaults.maxDecimalPrecision}`);
  }
  return scale;
}

function isDecimal(value: InternalValue): value is DecimalValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'unscaled' in value &&
    typeof value.unscaled === 'bigint' &&
    Number.isInteger(value.scale)
  );
}

function isUuid(value: InternalValue): value is UuidValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'msb' in value &&
    typeof value.msb === 'bigint' &&
    typeof value.lsb === 'bigint'
  );
}

function isDate(value: InternalValue): value is DateValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'year' in value &&
    typeof value.year === 'number' &&
    typeof value.month === 'number' &&
    typeof value.day === 'number'
  );
}

function isTime(value: InternalValue): value is TimeValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'hour' in value &&
    typeof value.hour === 'number' &&
    typeof value.minute === 'number' &&
    typeof value.second === 'number' &&
    typeof value.nano === 'number'
  );
}

function isDateTime(value: InternalValue): value is DateTimeValue {
  return (
    typeof value === 'object' && value !== null && 'date' in value && isDate(value.date) && isTime(value.time)
  );
}

function isInstant(value: InternalValue): value is InstantValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'seconds' in value &&
    typeof value.seconds === 'bigint' &&
    typeof value.nanos === 'number'
  );
}

function present(column: ColumnDef, value: InternalValue | undefined): InternalValue {
  if (value === undefined) {
    throw new InvalidValueError(column.name, `column "${column.name}": the colocation value is missing`);
  }
  return value;
}

function schemaColumn(schema: TableSchema, index: number): ColumnDef {
  const column = schema.columns[index];
  if (column === undefined) {
    throw schemaError(
      schema,
      `colocation column index ${index} is outside its ${schema.columns.length} columns`,
    );
  }
  return column;
}

function checkHasColocationColumns(schema: TableSchema): void {
  if (schema.colocationColumns.length === 0) throw schemaError(schema, 'it has no colocation column');
}

function schemaError(schema: TableSchema, problem: string): ProtocolError {
  return new ProtocolError(
    'INVALID_SCHEMA',
    `table "${schema.tableName}" (version ${schema.version}): ${problem}`,
  );
}

function columnSchemaError(column: ColumnDef, problem: string): ProtocolError {
  return new ProtocolError('INVALID_SCHEMA', `column "${column.name}" (${column.type}): ${problem}`, {
    extensions: { [ErrorExtensionKeys.column]: column.name },
  });
}

/** `type` is `never` when the switch above covers every column type, so a new type fails to compile. */
function unknownType(column: ColumnDef, type: never): never {
  throw new ProtocolError('INVALID_SCHEMA', `column "${column.name}" has unknown type ${String(type)}`, {
    extensions: { [ErrorExtensionKeys.column]: column.name },
  });
}

function wrongValue(column: ColumnDef, value: InternalValue, expected: string): InvalidValueError {
  return new InvalidValueError(
    column.name,
    `column "${column.name}" (${column.type}): expected ${expected}, got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  switch (typeof value) {
    case 'object':
      return `an object with keys [${Object.keys(value).join(', ')}]`;
    case 'string':
      return value.length > 40
        ? `a string of ${value.length} characters`
        : `the string ${JSON.stringify(value)}`;
    case 'bigint':
      return `the bigint ${value}n`;
    default:
      return `the ${typeof value} ${String(value)}`;
  }
}
