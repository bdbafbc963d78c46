/**
 * The kind of a value the value codec carries, as Ignite 3 sees a receiver batch's items: all payloads of one
 * batch have one kind (one column type there), so a batch mixing strings and numbers is refused on both sides.
 * Numbers and bigints are one kind (`number`): an integer reads back as a `bigint` only past 2^53, so a stream
 * of 64-bit ids may hold both. It does not check that a value is encodable (the codec does).
 */

/** The kinds of value, in the codec's table order. */
export const ValueKinds = {
  null: 'null',
  boolean: 'boolean',
  number: 'number',
  string: 'string',
  bytes: 'bytes',
  date: 'date',
  array: 'array',
  map: 'map',
} as const;

export type ValueKind = (typeof ValueKinds)[keyof typeof ValueKinds];

/** The kind of `value` (anything not otherwise named counts as a `map`: the codec refuses what it cannot carry). */
export function valueKind(value: unknown): ValueKind {
  if (value === null || value === undefined) return ValueKinds.null;
  switch (typeof value) {
    case 'boolean':
      return ValueKinds.boolean;
    case 'number':
    case 'bigint':
      return ValueKinds.number;
    case 'string':
      return ValueKinds.string;
    default:
      if (value instanceof Uint8Array) return ValueKinds.bytes;
      if (value instanceof Date) return ValueKinds.date;
      if (Array.isArray(value)) return ValueKinds.array;
      return ValueKinds.map;
  }
}
