import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import type { WireValue } from '../src/values/wire-value.js';

/** Every supported kind of value, nested; keys include the ones that matter for prototype safety. */
const { value: valueArb } = fc.letrec<{ value: WireValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.maxSafeInteger(),
    fc.constantFrom(
      -0,
      2 ** 32 - 1,
      2 ** 32,
      -(2 ** 31),
      -(2 ** 31) - 1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype', '')),
      tie('value'),
      { maxKeys: 5, noNullPrototype: false },
    ),
  ),
}));

describe('value codec', () => {
  it('round-trips every supported value, types included', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const decoded = decodeValue(encodeValue(value));
        expect(sameValue(decoded, value), String(difference)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same bytes for a value and for its decoded copy', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const bytes = encodeValue(value);
        expect(encodeValue(decodeValue(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps -0, NaN and infinities, and tells 5 from 5n', () => {
    const decoded = decodeValue(encodeValue([-0, Number.NaN, Number.NEGATIVE_INFINITY, 5, 5n]));
    expect(decoded).toStrictEqual([-0, Number.NaN, Number.NEGATIVE_INFINITY, 5, 5n]);
    expect(Object.is((decoded as WireValue[])[0], -0)).toBe(true);
  });

  it('decodes a Buffer as a plain Uint8Array copy', () => {
    const decoded = decodeValue(encodeValue(Buffer.from([1, 2, 3])));
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(decoded)).toBe(false);
    expect(decoded).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('gives decoded binaries their own memory', () => {
    const bytes = encodeValue(Uint8Array.of(9, 9));
    const decoded = decodeValue(bytes) as Uint8Array;
    bytes.fill(0);
    expect(decoded).toEqual(Uint8Array.of(9, 9));
  });
});

let difference = '';

/**
 * Strict structural equality for what decoding should give back for `value`: same types (5 is not 5n, -0
 * is not 0), dates by time, binaries by content as plain Uint8Arrays, arrays item by item, and objects with
 * `Object.prototype` and the same own keys in the same order (null-prototype inputs come back as plain
 * objects). Sets `difference` to a description of the first mismatch.
 */
function sameValue(actual: unknown, expected: unknown, path = 'value'): boolean {
  const fail = (what: string): boolean => {
    difference = `${path}: ${what}`;
    return false;
  };
  if (typeof actual !== typeof expected) return fail(`${typeof actual} vs ${typeof expected}`);
  if (typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected) || fail(`${String(actual)} vs ${String(expected)}`);
  }
  if (actual === null) return fail('null');
  if (expected instanceof Uint8Array) {
    if (Object.getPrototypeOf(actual) !== Uint8Array.prototype) return fail('not a plain Uint8Array');
    const bytes = actual as Uint8Array;
    return (
      (bytes.length === expected.length && bytes.every((b, i) => b === expected[i])) || fail('bytes differ')
    );
  }
  if (expected instanceof Date) {
    return (actual instanceof Date && actual.getTime() === expected.getTime()) || fail('dates differ');
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return fail('arrays differ');
    return expected.every((item, i) => sameValue(actual[i], item, `${path}[${i}]`));
  }
  if (typeof actual !== 'object' || Object.getPrototypeOf(actual) !== Object.prototype) {
    return fail('not a plain object');
  }
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  if (actualKeys.join('\u0000') !== expectedKeys.join('\u0000')) return fail('keys differ');
  return expectedKeys.every((key) =>
    sameValue(
      Object.getOwnPropertyDescriptor(actual, key)?.value,
      Object.getOwnPropertyDescriptor(expected, key)?.value,
      `${path}.${key}`,
    ),
  );
}
