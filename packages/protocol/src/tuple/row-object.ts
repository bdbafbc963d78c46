/**
 * How the row codec reads a row object: plain objects keyed by column name, read through their own
 * properties only when anything but `Object.prototype` stands behind them, and counted without allocating
 * (to notice a property that is no column). It does not know schemas.
 */

/** A row as the codec reads it: a plain object keyed by column name. */
export type RowObject = Readonly<Record<string, unknown>>;

/** Whether only `Object.prototype` (or nothing) stands behind `record`, so a read finds own data or nothing. */
export function isPlainObject(record: RowObject): boolean {
  const proto: unknown = Object.getPrototypeOf(record);
  return proto === Object.prototype || proto === null;
}

/** The own property `name` of `record`, never an inherited one. */
export function ownValue(record: RowObject, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** The number of enumerable string-keyed properties, counted without allocating. */
export function countProperties(record: RowObject): number {
  let count = 0;
  for (const _property in record) count++;
  return count;
}
