import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import * as w from './support/wire-builder.js';

/** Declared lengths far beyond the input: a reader that allocated by them would run out of memory. */
const HUGE = 0xffffffff;

function rejects(bytes: w.Bytes, read: (r: MsgPackReader) => unknown): string {
  const before = process.memoryUsage().arrayBuffers;
  const r = new MsgPackReader(w.u8(bytes));
  let caught: unknown;
  try {
    read(r);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  return (caught as ProtocolError).message;
}

describe('MsgPackReader length limits', () => {
  it('checks a str32 length against the bytes left before decoding', () => {
    expect(rejects([0xdb, ...w.be(HUGE, 4), 0x61], (r) => r.readString('name'))).toBe(
      'name: truncated str at offset 0: needs 4294967295 byte(s), 1 left',
    );
  });

  it('checks a bin32 length against the bytes left', () => {
    expect(rejects([0xc6, ...w.be(HUGE, 4)], (r) => r.readBinary('tuple'))).toMatch(/needs 4294967295/);
  });

  it('checks array and map counts against the bytes left', () => {
    expect(rejects([0xdd, ...w.be(HUGE, 4), 1, 2], (r) => r.readArrayHeader('rows'))).toBe(
      'rows: array at offset 0 declares 4294967295 item(s) but only 2 byte(s) are left',
    );
    // A map entry takes two bytes at least, so 2 entries need 4.
    expect(rejects([0x82, 1, 2, 3], (r) => r.readMapHeader('ext'))).toMatch(/declares 2 item/);
    expect(new MsgPackReader(w.u8([0x82, 1, 2, 3, 4])).readMapHeader('ext')).toBe(2);
  });

  it('checks an int count against the bytes left', () => {
    expect(rejects([...w.int(2 ** 31 - 1), 1], (r) => r.readCount('count'))).toMatch(/declares 2147483647/);
    expect(rejects([...w.int(3), 1, 2], (r) => r.readCount('count', 2))).toMatch(/declares 3/);
  });

  it('checks an ext32 length against the bytes left', () => {
    expect(rejects([0xc9, ...w.be(HUGE, 4), 8], (r) => r.readBitmask('deleted'))).toMatch(
      /truncated ext at offset 0/,
    );
  });

  it('accepts a length exactly equal to the bytes left', () => {
    const r = new MsgPackReader(w.u8([0xc4, 3, 1, 2, 3]));
    expect(r.readBinary('tuple')).toEqual(Uint8Array.of(1, 2, 3));
    r.expectEnd('message');
  });
});
