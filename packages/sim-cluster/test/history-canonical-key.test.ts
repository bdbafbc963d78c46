// Submits and applies are matched by their canonical key strings: two different keys must never share a
// string (a lost item could hide behind another key), and one key must always give the same string, however
// its object was built or whether an INT64 arrived as a number or a bigint.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../src/history/canonical-key.js';
import { HistoryError } from '../src/history/history-error.js';

describe('canonicalKey', () => {
  it('prints each kind of value readably', () => {
    expect(canonicalKey('a"b')).toBe('"a\\"b"');
    expect(canonicalKey(5)).toBe('5');
    expect(canonicalKey(5n)).toBe('5');
    expect(canonicalKey(1e21)).toBe('1000000000000000000000');
    expect(canonicalKey(-0)).toBe('0');
    expect(canonicalKey(1.5)).toBe('1.5');
    expect(canonicalKey(Number.NaN)).toBe('NaN');
    expect(canonicalKey(null)).toBe('null');
    expect(canonicalKey(undefined)).toBe('undefined');
    expect(canonicalKey(true)).toBe('true');
    expect(canonicalKey(new Uint8Array([1, 255]))).toBe('0x01ff');
    expect(canonicalKey(new Date(0))).toBe('Date(1970-01-01T00:00:00.000Z)');
    expect(canonicalKey(new Date(Number.NaN))).toBe('Date(NaN)');
    expect(canonicalKey([1, 'a'])).toBe('[1,"a"]');
    expect(canonicalKey({ b: 2, a: 1n, c: undefined })).toBe('{"a":1,"b":2}');
  });

  it('gives an integer the same key as a number or a bigint', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }), (n) => {
        expect(canonicalKey(Number(n))).toBe(canonicalKey(n));
      }),
    );
  });

  it('does not depend on the order of an object’s fields', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.bigInt())), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalKey(reversed)).toBe(canonicalKey(record));
      }),
    );
  });

  it('gives different keys of one kind different strings', () => {
    const distinct = <T>(arb: fc.Arbitrary<T>, same: (a: T, b: T) => boolean) =>
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          expect(canonicalKey(a) === canonicalKey(b)).toBe(same(a, b));
        }),
      );
    distinct(fc.string(), (a, b) => a === b);
    distinct(fc.bigInt(), (a, b) => a === b);
    distinct(fc.double({ noNaN: true }), (a, b) => a === b);
    distinct(
      fc.uint8Array({ maxLength: 4 }),
      (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
    );
    distinct(fc.tuple(fc.integer(), fc.string()), (a, b) => a[0] === b[0] && a[1] === b[1]);
    distinct(
      fc.record({ id: fc.integer({ min: 0, max: 3 }), region: fc.constantFrom('eu', 'us') }),
      (a, b) => a.id === b.id && a.region === b.region,
    );
  });

  it('never confuses a string with another kind', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(fc.integer(), fc.bigInt(), fc.boolean(), fc.constant(null)),
        (s, other) => {
          expect(canonicalKey(s)).not.toBe(canonicalKey(other));
        },
      ),
    );
  });

  it('rejects values that are not keys', () => {
    expect(() => canonicalKey(new Map())).toThrow(HistoryError);
    expect(() => canonicalKey({ a: new Set() })).toThrow(/\[object Set\] has no canonical key/);
    expect(() => canonicalKey(Symbol('s'))).toThrow(/a symbol has no canonical key/);
  });
});
