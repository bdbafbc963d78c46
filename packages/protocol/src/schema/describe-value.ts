/**
 * A short, safe description of any JavaScript value for error messages ("got ..."): long strings are cut,
 * byte arrays show their length rather than their content, objects show their kind. It never calls user code
 * (no `toString`, no getters), so describing a hostile value cannot throw or leak it whole into a log.
 */

/** Strings longer than this are cut in descriptions. */
const MAX_TEXT = 40;

/** Describes `value` for an error message, e.g. `3.5`, `"abc"`, `12n`, `Uint8Array(3)`, `an invalid Date`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return value.length <= MAX_TEXT
        ? JSON.stringify(value)
        : `${JSON.stringify(value.slice(0, MAX_TEXT))}... (${value.length} characters)`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object':
      return describeObject(value);
    default:
      return typeof value;
  }
}

function describeObject(value: object | null): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  }
  if (ArrayBuffer.isView(value)) return `${kindName(value)}(${value.byteLength} bytes)`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const name = kindName(value);
  if (name === 'Object') return 'an object';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** The name of the object's constructor, read without running getters. */
function kindName(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || typeof proto !== 'object') return 'Object';
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'Object';
}
