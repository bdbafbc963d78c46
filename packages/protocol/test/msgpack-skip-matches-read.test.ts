/**
 * `MsgPackReader.skipBinary` / `skipBitmask` read a value without making a view, for decoders that keep
 * ranges of the message. Risk covered: they drift from `readBinary` / `readBitmask` (accepting what those
 * refuse, wording an error differently, or ending at another offset), which would change what a decoded
 * message means or how a malformed one is reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import * as w from './support/wire-builder.js';

/** A value read from `bytes` at `at`: the payload, the offset after it, or the error and the offset after it. */
type Outcome = { payload: number[]; offset: number } | { error: string; offset: number };

function readOutcome(bytes: Uint8Array, at: number, read: (reader: MsgPackReader) => Uint8Array): Outcome {
  const reader = new MsgPackReader(bytes);
  reader.readRaw(at, 'lead');
  try {
    return { payload: [...read(reader)], offset: reader.offset };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { error: error.message, offset: reader.offset };
  }
}

function skipOutcome(bytes: Uint8Array, at: number, skip: (reader: MsgPackReader) => number): Outcome {
  const reader = new MsgPackReader(bytes);
  reader.readRaw(at, 'lead');
  try {
    const length = skip(reader);
    // The payload is the `length` bytes before the offset, in the reader's own bytes.
    const payload = [...reader.bytes.subarray(reader.offset - length, reader.offset)];
    return { payload, offset: reader.offset };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { error: error.message, offset: reader.offset };
  }
}

/** Bytes that are often a bin or a BITMASK (whole, truncated or with a wrong ext type) and sometimes not. */
const candidate = fc
  .tuple(
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((payload) => w.bin(payload)),
      fc.uint8Array({ maxLength: 300 }).map((payload) => w.ext(8, payload)),
      fc
        .tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ maxLength: 20 }))
        .map(([type, payload]) => w.ext(type, payload)),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }),
    ),
    fc.nat(),
    fc.boolean(),
  )
  .map(([bytes, cut, truncate]) => (truncate ? bytes.slice(0, cut % (bytes.length + 1)) : bytes));

describe('MsgPackReader skip reads', () => {
  it('skipBinary accepts, refuses and ends exactly as readBinary, at any offset of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), candidate, (lead, value) => {
        const bytes = w.u8([...lead, ...value]);
        expect(skipOutcome(bytes, lead.length, (r) => r.skipBinary('tuple'))).toEqual(
          readOutcome(bytes, lead.length, (r) => r.readBinary('tuple')),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('skipBitmask accepts, refuses and ends exactly as readBitmask, at any offset of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), candidate, (lead, value) => {
        const bytes = w.u8([...lead, ...value]);
        expect(skipOutcome(bytes, lead.length, (r) => r.skipBitmask('noValueSet'))).toEqual(
          readOutcome(bytes, lead.length, (r) => r.readBitmask('noValueSet')),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('exposes the bytes it reads, offsets counting from their start', () => {
    const backing = w.u8([9, 9, ...w.bin([1, 2, 3])]);
    const reader = new MsgPackReader(backing.subarray(2));
    expect(reader.skipBinary('tuple')).toBe(3);
    expect(reader.bytes.byteOffset).toBe(2);
    expect([...reader.bytes.subarray(reader.offset - 3, reader.offset)]).toEqual([1, 2, 3]);
    expect(failure(() => new MsgPackReader(w.u8(w.nil())).skipBitmask('noValueSet'))).toBe(
      'noValueSet: expected ext, found nil (0xc0) at offset 0',
    );
  });
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.message;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}
