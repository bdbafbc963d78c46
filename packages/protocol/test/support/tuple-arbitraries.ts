/**
 * fast-check arbitraries for the tuple and row tests: column definitions of every type with random facets,
 * user input values in every documented JavaScript form (INT64 as number or bigint, DECIMAL as text, number,
 * bigint or exponent text, DATE and DATETIME as text or `Date`, ...), internal values, and whole table schemas
 * with rows.
 */
import fc from 'fast-check';
import { COLUMN_TYPE_NAMES, type ColumnType } from '../../src/schema/column-types.js';
import type { ColumnDef, TableSchema } from '../../src/schema/table-schema.js';

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A valid calendar date with a year in -16384..16383. */
export const dateFieldsArb = fc
  .record({
    year: fc.oneof(fc.integer({ min: -16384, max: 16383 }), fc.integer({ min: 1900, max: 2100 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => {
    const last = month === 2 && !isLeap(year) ? 28 : (DAYS[month - 1] as number);
    return { year, month, day: Math.min(day, last) };
  });

/** Nanoseconds biased toward whole millis and micros, so TIME takes all three widths. */
export const nanoArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000),
  fc.integer({ min: 0, max: 999_999 }).map((us) => us * 1000),
  fc.integer({ min: 0, max: 999_999_999 }),
);

export const timeFieldsArb = fc.record({
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
  nano: nanoArb,
});

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function dateText(d: { year: number; month: number; day: number }): string {
  const year =
    d.year >= 0 && d.year <= 9999 ? pad(d.year, 4) : `${d.year < 0 ? '-' : '+'}${pad(Math.abs(d.year), 6)}`;
  return `${year}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** Time text with a fraction of any length 0..9 that can hold the nanoseconds (trailing zeros allowed). */
function timeTextArb(t: {
  hour: number;
  minute: number;
  second: number;
  nano: number;
}): fc.Arbitrary<string> {
  const base = `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
  const digits = pad(t.nano, 9);
  let needed = 9;
  while (needed > 0 && digits[needed - 1] === '0') needed--;
  return fc
    .integer({ min: needed, max: 9 })
    .map((length) => (length === 0 ? base : `${base}.${digits.slice(0, length)}`));
}

function utcDate(year: number, month: number, day: number, ms = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(0, 0, 0, ms);
  return date;
}

/** Random case for hex text. */
function mixCase(text: string, upper: boolean[]): string {
  return Array.from(text, (ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch)).join('');
}

/** A decimal that fits DECIMAL(precision, scale), in one of its input forms. */
function decimalInputArb(precision: number, scale: number): fc.Arbitrary<unknown> {
  const limit = 10n ** BigInt(precision) - 1n;
  return fc.bigInt({ min: -limit, max: limit }).chain((unscaled) => {
    const negative = unscaled < 0n;
    const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
    const sign = negative ? '-' : '';
    const plain = scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    const forms: fc.Arbitrary<unknown>[] = [
      fc.constant(plain),
      fc.constant(`${unscaled}e-${scale}`),
      // Extra digits that round: down always fits; up only when it cannot carry past the precision.
      fc
        .integer({ min: 0, max: unscaled === limit || unscaled === -limit ? 4 : 9 })
        .map((d) => `${plain}${scale === 0 ? '.' : ''}${d}`),
    ];
    if (scale === 0) forms.push(fc.constant(unscaled));
    if (digits.replace(/^0+/, '').length <= 15) forms.push(fc.constant(Number(plain)));
    return fc.oneof(...forms);
  });
}

/** A user input value for `column` in one of its documented JavaScript forms (never null). */
export function inputValueArb(column: ColumnDef): fc.Arbitrary<unknown> {
  switch (column.type) {
    case 'BOOLEAN':
      return fc.boolean();
    case 'INT8':
      return fc.integer({ min: -128, max: 127 });
    case 'INT16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'INT32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'INT64':
      return fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.maxSafeInteger(),
        fc.integer({ min: -40000, max: 40000 }),
      );
    case 'FLOAT':
    case 'DOUBLE':
      return fc.oneof(fc.double(), fc.integer());
    case 'DECIMAL':
      return decimalInputArb(column.precision ?? 20, column.scale ?? 0);
    case 'STRING':
      return fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 300 }));
    case 'BYTES':
      return fc.oneof(
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 5 }).map((b) => Uint8Array.from([0x80, ...b])),
      );
    case 'UUID':
      return fc
        .tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
        .map(([u, c]) => mixCase(u, c));
    case 'DATE':
      return dateFieldsArb.chain((d) =>
        fc.oneof(
          fc.constant(dateText(d)),
          fc.integer({ min: 0, max: 86_399_999 }).map((ms) => utcDate(d.year, d.month, d.day, ms)),
        ),
      );
    case 'TIME':
      return timeFieldsArb.chain(timeTextArb);
    case 'DATETIME':
      return fc.tuple(dateFieldsArb, timeFieldsArb).chain(([d, t]) =>
        fc.oneof(
          timeTextArb(t).map((time) => `${dateText(d)}T${time}`),
          fc.constant(
            utcDate(
              d.year,
              d.month,
              d.day,
              ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + Math.floor(t.nano / 1e6),
            ),
          ),
        ),
      );
    case 'TIMESTAMP':
      return fc.oneof(
        fc.date({ noInvalidDate: true }),
        fc.integer({ min: -4_000_000_000_000, max: 4_000_000_000_000 }).map((ms) => new Date(ms)),
      );
  }
}

/** A column of `type` with random nullability and facets. */
export function columnArb(type: ColumnType, name: string): fc.Arbitrary<ColumnDef> {
  const base = fc.record({ nullable: fc.boolean(), withDefault: fc.boolean() });
  let facets: fc.Arbitrary<{ precision?: number; scale?: number }> = fc.constant({});
  if (type === 'DECIMAL') {
    facets = fc.integer({ min: 1, max: 40 }).chain((precision) =>
      fc.record({
        precision: fc.constant(precision),
        scale: fc.integer({ min: 0, max: Math.min(precision, 12) }),
      }),
    );
  } else if (type === 'TIME' || type === 'DATETIME' || type === 'TIMESTAMP') {
    facets = fc
      .option(fc.integer({ min: 0, max: 9 }), { nil: undefined })
      .map((p) => (p === undefined ? {} : { precision: p }));
  }
  return fc.tuple(base, facets).chain(([{ nullable, withDefault }, f]) => {
    const column: ColumnDef = { name, type, ...(nullable ? { nullable: true } : {}), ...f };
    if (!withDefault) return fc.constant(column);
    return inputValueArb(column).map((value) => ({ ...column, default: value }));
  });
}

/** Names that trip naive object handling, mixed with ordinary ones. */
const TRICKY_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a b', 'Ключ', 'ID', 'id'];

export const columnNamesArb = (count: number): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.oneof(fc.constantFrom(...TRICKY_NAMES), fc.string({ minLength: 1, maxLength: 8 })), {
    minLength: count,
    maxLength: count,
  });

/** A table schema: 1..8 columns of random types, a non-empty key (never nullable), colocation within the key. */
export const schemaArb: fc.Arbitrary<TableSchema> = fc
  .integer({ min: 1, max: 8 })
  .chain((count) =>
    fc.tuple(
      columnNamesArb(count),
      fc.array(fc.constantFrom(...COLUMN_TYPE_NAMES), { minLength: count, maxLength: count }),
    ),
  )
  .chain(([names, types]) =>
    fc.tuple(
      fc.tuple(...names.map((name, i) => columnArb(types[i] as ColumnType, name))),
      fc.shuffledSubarray(
        names.map((_, i) => i),
        { minLength: 1 },
      ),
    ),
  )
  .chain(([columns, keyColumns]) =>
    fc.shuffledSubarray(keyColumns, { minLength: 1 }).map((colocationColumns) => {
      const keySet = new Set(keyColumns);
      const fixed = columns.map((c, i) => {
        if (!keySet.has(i)) return c;
        const { nullable: _nullable, ...rest } = c;
        return rest;
      });
      return {
        tableId: 7,
        tableName: 'Random',
        version: 1,
        columns: fixed,
        keyColumns,
        colocationColumns,
        partitions: 8,
      } satisfies TableSchema;
    }),
  );

/**
 * A row for `schema`: every key column set; other columns set, set to `null` (when nullable), or left out
 * (when nullable or defaulted).
 */
export function rowArb(schema: TableSchema): fc.Arbitrary<Record<string, unknown>> {
  const keys = new Set(schema.keyColumns);
  const parts = schema.columns.map((column, i) => {
    const value = inputValueArb(column).map((v) => ({ set: true as const, value: v }));
    if (keys.has(i)) return value;
    const options: fc.Arbitrary<{ set: boolean; value?: unknown }>[] = [value];
    if (column.nullable === true) options.push(fc.constant({ set: true, value: null }));
    if (column.nullable === true || column.default !== undefined) options.push(fc.constant({ set: false }));
    return fc.oneof(...options);
  });
  return fc.tuple(...parts).map((cells) => {
    const row: Record<string, unknown> = {};
    cells.forEach((cell, i) => {
      if (cell.set) {
        Object.defineProperty(row, (schema.columns[i] as ColumnDef).name, {
          value: cell.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    });
    return row;
  });
}
