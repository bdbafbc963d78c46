/**
 * How the key-value view's pairs map to rows and back: a key holds the key columns only, a value the other
 * columns only; a row is both together. A column on the wrong side is an error naming it (so a value can
 * never silently overwrite a key column); a property that is no column at all is left for the row codec to
 * report (as an `UnknownColumnError`, which makes the caller reload the schema once).
 *
 * Functions over one `VersionedSchema`; no I/O. The streamer calls {@link keyValueRow} once per PUT item, so
 * it allocates only the merged row.
 */
import { InvalidValueError, ProtocolError } from '@datastreamer/protocol';
import type { VersionedSchema } from '@datastreamer/protocol/internal';
import { describeValue } from '@datastreamer/protocol/internal';
import type { RowObject } from './table-rows.js';

function checkObject(
  what: 'key' | 'value',
  value: unknown,
  schema: VersionedSchema,
): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(
      'INVALID_ROW',
      `the ${what} of a key-value pair of table "${schema.schema.tableName}" must be an object keyed by column name, got ${
        value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
      }`,
    );
  }
}

/**
 * Checks a key: an object whose column properties are key columns.
 * @throws ProtocolError `INVALID_ROW` when it is not an object; InvalidValueError naming a value column it
 *   holds.
 */
export function checkKey(schema: VersionedSchema, key: unknown): asserts key is object {
  checkObject('key', key, schema);
  for (const name in key) {
    if (!Object.hasOwn(key, name) || schema.isKeyColumn(name)) continue;
    if (schema.schema.columns.some((column) => column.name === name)) {
      throw new InvalidValueError(
        name,
        `column "${name}" of table "${schema.schema.tableName}" is not a key column: it belongs in the value, not the key`,
      );
    }
  }
}

/**
 * The row of a key-value pair: the key's properties, then the value's.
 * @throws as {@link checkKey}; ProtocolError `INVALID_ROW` when the value is not an object;
 *   InvalidValueError naming a key column the value holds.
 */
export function keyValueRow(schema: VersionedSchema, key: unknown, value: unknown): RowObject {
  checkKey(schema, key);
  checkObject('value', value, schema);
  const keyNames = schema.keyNames;
  for (let i = 0; i < keyNames.length; i++) {
    const name = keyNames[i] as string;
    if (Object.hasOwn(value, name)) {
      throw new InvalidValueError(
        name,
        `column "${name}" of table "${schema.schema.tableName}" is a key column: it belongs in the key, not the value`,
      );
    }
  }
  // Spread defines own data properties, so even a `__proto__` column stays data.
  return { ...key, ...value };
}

/**
 * The row of a `[key, value]` pair (a PUT), or the key of a `[key]` or `[key, value]` pair (a REMOVE, which
 * ignores the value).
 * @throws ProtocolError `INVALID_ROW` when `pair` is not such an array; as {@link keyValueRow} and
 *   {@link checkKey}.
 */
export function pairSource(schema: VersionedSchema, pair: unknown, remove: boolean): object {
  if (!Array.isArray(pair) || pair.length < (remove ? 1 : 2) || pair.length > 2) {
    throw new ProtocolError(
      'INVALID_ROW',
      `a key-value pair of table "${schema.schema.tableName}" must be ${remove ? '[key] or [key, value]' : '[key, value]'}, got ${describeValue(pair)}`,
    );
  }
  const key: unknown = pair[0];
  if (!remove) return keyValueRow(schema, key, pair[1]);
  checkKey(schema, key);
  return key;
}

/** The value part of a decoded row: every column that is not a key column. */
export function valueOfRow(schema: VersionedSchema, row: RowObject): RowObject {
  const value: RowObject = {};
  for (const name of Object.keys(row)) {
    if (schema.isKeyColumn(name)) continue;
    Object.defineProperty(value, name, {
      value: row[name],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return value;
}
