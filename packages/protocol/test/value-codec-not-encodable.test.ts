import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import { writeValue } from '../src/values/write-value.js';

function refusal(value: unknown, where = 'payload'): string {
  try {
    encodeValue(value, where);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('VALUE_NOT_ENCODABLE');
    expect((error as ProtocolError).retryable).toBe(false);
    return (error as ProtocolError).message;
  }
  throw new Error('expected VALUE_NOT_ENCODABLE');
}

class Track {
  constructor(readonly id: number) {}
}

describe('value codec refusals', () => {
  it('names the path and the kind: payload[3].tags: Map is not encodable', () => {
    const payload = [1, 2, 3, { tags: new Map() }];
    expect(refusal(payload)).toBe('payload[3].tags: Map is not encodable');
  });

  it('refuses each unsupported kind, at the top and nested', () => {
    const cases: [unknown, string][] = [
      [new Set([1]), 'Set is not encodable'],
      [() => 1, 'a function is not encodable'],
      [Symbol('s'), 'a symbol is not encodable'],
      [undefined, 'undefined is not encodable (use null)'],
      [new Track(1), 'an instance of Track is not encodable'],
      [new Int32Array(2), 'Int32Array is not encodable'],
      [new ArrayBuffer(2), 'ArrayBuffer is not encodable'],
      [new Date(Number.NaN), 'an invalid Date is not encodable'],
      [2n ** 63n, 'bigint 9223372036854775808 is outside the int64 range -2^63..2^63-1'],
      [-(2n ** 63n) - 1n, 'bigint -9223372036854775809 is outside the int64 range -2^63..2^63-1'],
      ['ok\ud800', 'a string with a lone surrogate at index 2 is not encodable'],
      ['\udc00', 'a string with a lone surrogate at index 0 is not encodable'],
      [new WeakMap(), 'an instance of WeakMap is not encodable'],
      [Object.create({ inherited: 1 }), 'an object with a custom prototype is not encodable'],
      [new (class Items extends Array {})(), 'an array subclass (Items) is not encodable'],
    ];
    for (const [value, what] of cases) {
      expect(refusal(value, 'arg')).toBe(`arg: ${what}`);
      expect(refusal({ nested: [value] }, 'arg')).toBe(`arg.nested[0]: ${what}`);
    }
  });

  it('refuses undefined inside arrays and objects, and holes in sparse arrays', () => {
    expect(refusal({ a: undefined })).toBe('payload.a: undefined is not encodable (use null)');
    const sparse = [1];
    sparse[2] = 3;
    expect(refusal(sparse)).toBe('payload[1]: undefined is not encodable (use null)');
  });

  it('quotes keys that are not identifiers in the path', () => {
    expect(refusal({ 'track id': { 'x-y': new Set() } })).toBe(
      'payload["track id"]["x-y"]: Set is not encodable',
    );
  });

  it('refuses a symbol-keyed property', () => {
    expect(refusal({ a: 1, [Symbol('k')]: 2 })).toBe(
      'payload: the symbol-keyed property Symbol(k) is not encodable',
    );
  });

  it('refuses a cycle and names where it closes', () => {
    const node: { name: string; children?: unknown[] } = { name: 'a' };
    node.children = [node];
    expect(refusal(node)).toBe('payload.children[0]: a cycle is not encodable (the value contains itself)');
  });

  it('accepts a shared reference that is not a cycle', () => {
    const shared = { n: 1 };
    expect(decodeValue(encodeValue([shared, shared]))).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 0;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    expect(() => encodeValue(nest(64))).not.toThrow();
    expect(decodeValue(encodeValue(nest(64)))).toEqual(nest(64));
    expect(refusal(nest(65))).toMatch(/nesting deeper than 64 levels is not encodable$/);
    expect(() => encodeValue(nest(3), 'v', { maxDepth: 3 })).not.toThrow();
    expect(() => encodeValue(nest(4), 'v', { maxDepth: 3 })).toThrow(/deeper than 3/);
  });

  it('accepts null-prototype objects and Buffers', () => {
    const bare = Object.create(null) as { k?: unknown };
    bare.k = Buffer.from('hi');
    expect(decodeValue(encodeValue(bare))).toEqual({ k: Uint8Array.of(0x68, 0x69) });
  });

  it('leaves the writer usable after a refusal (the caller resets it)', () => {
    const writer = new MsgPackWriter();
    expect(() => writeValue(writer, [1, new Map()])).toThrow(ProtocolError);
    writer.reset();
    writeValue(writer, [1, 2]);
    expect(decodeValue(writer.toBytes())).toEqual([1, 2]);
  });
});
