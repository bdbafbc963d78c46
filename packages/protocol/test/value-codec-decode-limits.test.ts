import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import { readValue } from '../src/values/read-value.js';
import { decodeValue } from '../src/values/value-codec.js';
import * as w from './support/wire-builder.js';

function rejection(bytes: w.Bytes, maxDepth?: number): string {
  try {
    decodeValue(w.u8(bytes), maxDepth === undefined ? {} : { maxDepth });
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('PROTOCOL_ERROR');
    return (error as ProtocolError).message;
  }
  throw new Error('expected PROTOCOL_ERROR');
}

describe('value codec decode limits', () => {
  it('refuses nesting over the limit without recursing into it', () => {
    const deep = new Array(100_000).fill(0x91);
    expect(rejection([...deep, 0x00])).toBe('value: value at offset 64 is nested deeper than 64 levels');
    expect(rejection(w.cat(w.map(1), w.str('a'), w.map(1), w.str('b'), w.arr(0)), 2)).toMatch(
      /deeper than 2/,
    );
  });

  it('refuses declared lengths larger than the bytes left', () => {
    expect(rejection([0xdd, ...w.be(0xffffffff, 4)])).toMatch(/declares 4294967295 item/);
    expect(rejection([0xdf, ...w.be(0xffffffff, 4)])).toMatch(/declares 4294967295 item/);
    expect(rejection([0xdb, ...w.be(0xffffffff, 4)])).toMatch(/truncated str/);
    expect(rejection([0xc6, ...w.be(0xffffffff, 4)])).toMatch(/truncated bin/);
  });

  it('refuses map keys that are not strings', () => {
    expect(rejection(w.cat(w.map(1), w.int(1), w.int(2)))).toMatch(/value key: expected str, found int/);
  });

  it('refuses ext types other than the timestamp', () => {
    expect(rejection(w.uuid('00000000-0000-0000-0000-000000000000'))).toBe(
      'value: ext type 3 at offset 0 is not a value type',
    );
  });

  it('refuses a uint64 over the int64 range, a reserved byte, an empty input and trailing bytes', () => {
    expect(rejection([0xcf, ...w.be(2n ** 64n - 1n, 8)])).toMatch(/int64 range/);
    expect(rejection([0xc1])).toBe('value: byte 0xc1 at offset 0 is never used');
    expect(rejection([])).toMatch(/end of the message/);
    expect(rejection([0xc0, 0xc0])).toMatch(/trailing/);
  });

  it('reads values one after another from a shared reader', () => {
    const reader = new MsgPackReader(w.u8(w.cat(w.int(1), w.str('x'), w.arr(0))));
    expect(readValue(reader)).toBe(1);
    expect(readValue(reader)).toBe('x');
    expect(readValue(reader)).toEqual([]);
    reader.expectEnd('values');
  });
});
