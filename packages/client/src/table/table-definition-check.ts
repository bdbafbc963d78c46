/**
 * Checks of what `catalog.createTable` and `catalog.addColumn` are given, before anything is sent: the
 * shape (zod), then what zod cannot see — column names unique, key and colocation columns that exist, a
 * colocation key inside the primary key, key columns not nullable, defaults that fit their column, an added
 * column that is nullable or has a default. A failure is an {@link InvalidOptionError} naming the field
 * (`columns[2].type`, `colocateBy[0]`, `column.default`).
 *
 * The cluster checks everything again (it is the authority); this only spares the caller a round trip and
 * gives errors that point at the field. It does not send anything.
 */
import {
  COLUMN_TYPE_NAMES,
  type ColumnDef,
  type ColumnType,
  isColumnType,
  normalizeValue,
  type TableDefinition,
} from '@datastreamer/protocol';
import { z } from 'zod';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { describeInput, optionErrorFromZod } from '../errors/option-error.js';

const nonEmptyString = z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string');

function nonNegativeInteger() {
  const error = 'must be an integer >= 0';
  return z.number({ error }).int({ error }).nonnegative({ error });
}

const columnSchema = z.strictObject(
  {
    name: nonEmptyString,
    type: z.custom<ColumnType>(isColumnType, { error: `must be one of ${COLUMN_TYPE_NAMES.join(', ')}` }),
    nullable: z.boolean({ error: 'must be a boolean' }).optional(),
    default: z.unknown().optional(),
    precision: nonNegativeInteger().optional(),
    scale: nonNegativeInteger().optional(),
  },
  { error: 'must be a column { name, type, nullable?, default?, precision?, scale? }' },
);

const namesSchema = z
  .array(nonEmptyString, { error: 'must be a non-empty array of column names' })
  .min(1, { error: 'must be a non-empty array of column names' });

const definitionSchema = z.strictObject(
  {
    name: nonEmptyString,
    columns: z
      .array(columnSchema, { error: 'must be a non-empty array of columns' })
      .min(1, { error: 'must be a non-empty array of columns' }),
    primaryKey: namesSchema,
    colocateBy: namesSchema.optional(),
    partitions: z
      .number({ error: 'must be an integer > 0' })
      .int({ error: 'must be an integer > 0' })
      .positive({ error: 'must be an integer > 0' })
      .optional(),
    replicas: z
      .number({ error: 'must be an integer > 0' })
      .int({ error: 'must be an integer > 0' })
      .positive({ error: 'must be an integer > 0' })
      .optional(),
  },
  { error: 'must be a table definition { name, columns, primaryKey, colocateBy?, partitions?, replicas? }' },
);

function fieldError(field: string, message: string): InvalidOptionError {
  return new InvalidOptionError(field, `invalid table definition field '${field}': ${message}`);
}

/** The default must be a value of the column's type (a null default needs a nullable column). */
function checkDefault(field: string, column: ColumnDef): void {
  if (column.default === undefined) return;
  if (column.default === null) {
    if (column.nullable !== true)
      throw fieldError(`${field}.default`, 'a null default needs a nullable column');
    return;
  }
  try {
    normalizeValue(column, column.default);
  } catch (cause) {
    throw new InvalidOptionError(
      `${field}.default`,
      `invalid table definition field '${field}.default': ${describeInput(column.default)} does not fit column "${column.name}" (${column.type}): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Checks a table definition.
 * @throws InvalidOptionError naming the first bad field.
 */
export function checkTableDefinition(definition: unknown): asserts definition is TableDefinition {
  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success)
    throw optionErrorFromZod('table definition field', 'definition', parsed.error, definition);
  const { columns, primaryKey, colocateBy } = definition as TableDefinition;
  const byName = new Map<string, ColumnDef>();
  columns.forEach((column, i) => {
    if (byName.has(column.name))
      throw fieldError(`columns[${i}].name`, `column "${column.name}" is defined twice`);
    byName.set(column.name, column);
    checkDefault(`columns[${i}]`, column);
  });
  const keySet = new Set<string>();
  primaryKey.forEach((name, i) => {
    const column = byName.get(name);
    if (column === undefined) throw fieldError(`primaryKey[${i}]`, `"${name}" is not one of the columns`);
    if (keySet.has(name)) throw fieldError(`primaryKey[${i}]`, `"${name}" is named twice`);
    if (column.nullable === true)
      throw fieldError(`primaryKey[${i}]`, `key column "${name}" cannot be nullable`);
    keySet.add(name);
  });
  const colocationSet = new Set<string>();
  colocateBy?.forEach((name, i) => {
    if (!keySet.has(name)) throw fieldError(`colocateBy[${i}]`, `"${name}" is not a primary-key column`);
    if (colocationSet.has(name)) throw fieldError(`colocateBy[${i}]`, `"${name}" is named twice`);
    colocationSet.add(name);
  });
}

/**
 * Checks the arguments of `addColumn`.
 * @throws InvalidOptionError naming `tableName` or the bad `column` field.
 */
export function checkAddedColumn(tableName: unknown, column: unknown): asserts column is ColumnDef {
  const parsedName = nonEmptyString.safeParse(tableName);
  if (!parsedName.success) {
    throw new InvalidOptionError(
      'tableName',
      `invalid table name: must be a non-empty string, got ${describeInput(tableName)}`,
      { cause: parsedName.error },
    );
  }
  const parsed = z.object({ column: columnSchema }).safeParse({ column });
  if (!parsed.success)
    throw optionErrorFromZod('column definition field', 'column', parsed.error, { column });
  const checked = column as ColumnDef;
  if (checked.nullable !== true && checked.default === undefined) {
    throw fieldError(
      'column',
      `added column "${checked.name}" must be nullable or have a default (rows already stored have no value for it)`,
    );
  }
  checkDefault('column', checked);
}
