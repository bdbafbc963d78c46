import { afterEach, describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import * as w from './support/wire-builder.js';

afterEach(() => {
  // If a decode ever polluted the shared prototype, fail loudly and clean up for the other tests.
  const polluted = Object.hasOwn(Object.prototype, 'polluted');
  delete (Object.prototype as { polluted?: unknown }).polluted;
  expect(polluted).toBe(false);
});

describe('value codec prototype safety', () => {
  it('decodes a __proto__ key as an own property and leaves the prototype alone', () => {
    const bytes = w.u8(w.cat(w.map(1), w.str('__proto__'), w.map(1), w.str('polluted'), w.bool(true)));
    const decoded = decodeValue(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('decodes constructor and prototype keys as plain data', () => {
    const bytes = w.u8(
      w.cat(
        w.map(2),
        w.str('constructor'),
        w.map(1),
        w.str('prototype'),
        w.map(0),
        w.str('toString'),
        w.int(1),
      ),
    );
    const decoded = decodeValue(bytes) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['constructor', 'toString']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.prototype.toString).toBeTypeOf('function');
  });

  it('decodes a __proto__ key nested inside arrays too', () => {
    const bytes = w.u8(w.cat(w.arr(1), w.map(1), w.str('__proto__'), w.map(1), w.str('polluted'), w.int(1)));
    const [item] = decodeValue(bytes) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.hasOwn(item ?? {}, '__proto__')).toBe(true);
  });

  it('round-trips an own __proto__ property from JSON.parse', () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"a":2}') as Record<string, unknown>;
    const decoded = decodeValue(encodeValue(value)) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('refuses a duplicate key rather than letting the last one win', () => {
    const bytes = w.u8(w.cat(w.map(2), w.str('a'), w.int(1), w.str('a'), w.int(2)));
    expect(() => decodeValue(bytes)).toThrow(/duplicate key "a"/);
  });
});
