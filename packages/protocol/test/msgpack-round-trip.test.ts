import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { readTimestampExt, writeTimestampExt } from '../src/msgpack/timestamp-ext.js';

const writer = new MsgPackWriter({ initialCapacity: 8 });
const reader = new MsgPackReader();

/** Writes with `write`, then reads back with `read` from the same reused writer and reader. */
function roundTrip<T>(write: (w: MsgPackWriter) => void, read: (r: MsgPackReader) => T): T {
  writer.reset();
  write(writer);
  reader.reset(writer.toBytes());
  const value = read(reader);
  reader.expectEnd('value');
  return value;
}

const uuidArb = fc.uuid();

describe('MsgPackWriter and MsgPackReader', () => {
  it('round-trip every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        expect(
          roundTrip(
            (w) => w.writeInt(value),
            (r) => r.readSafeInteger('v'),
          ),
        ).toBe(value);
      }),
    );
  });

  it('round-trip every int32 through readInt32', () => {
    fc.assert(
      fc.property(fc.integer(), (value) => {
        expect(
          roundTrip(
            (w) => w.writeInt(value),
            (r) => r.readInt32('v'),
          ),
        ).toBe(value);
      }),
    );
  });

  it('round-trip every int64 bigint, compact and fixed', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        expect(
          roundTrip(
            (w) => w.writeBigInt(value),
            (r) => r.readInt64('v'),
          ),
        ).toBe(value);
        expect(
          roundTrip(
            (w) => w.writeInt64Fixed(value),
            (r) => r.readInt64('v'),
          ),
        ).toBe(value);
      }),
    );
  });

  it('round-trip doubles bit for bit, NaN and -0 included', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        expect(
          Object.is(
            roundTrip(
              (w) => w.writeFloat64(value),
              (r) => r.readFloat64('v'),
            ),
            value,
          ),
        ).toBe(true);
      }),
    );
  });

  it('round-trip well-formed strings of any length and script', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (value) => {
        expect(
          roundTrip(
            (w) => w.writeString(value),
            (r) => r.readString('v'),
          ),
        ).toBe(value);
      }),
    );
  });

  it('keeps a leading byte-order mark', () => {
    expect(
      roundTrip(
        (w) => w.writeString('\ufeffx'),
        (r) => r.readString('v'),
      ),
    ).toBe('\ufeffx');
    const long = `\ufeff${'y'.repeat(50)}`;
    expect(
      roundTrip(
        (w) => w.writeString(long),
        (r) => r.readString('v'),
      ),
    ).toBe(long);
  });

  it('round-trip binaries as views of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (value) => {
        writer.reset();
        writer.writeBinary(value);
        const bytes = writer.toBytes();
        reader.reset(bytes);
        const read = reader.readBinary('v');
        expect(read).toEqual(value);
        expect(read.buffer).toBe(bytes.buffer);
      }),
    );
  });

  it('round-trip UUIDs to their lower-case text', () => {
    fc.assert(
      fc.property(uuidArb, fc.boolean(), (value, upper) => {
        const text = upper ? value.toUpperCase() : value;
        expect(
          roundTrip(
            (w) => w.writeUuid(text),
            (r) => r.readUuid('v'),
          ),
        ).toBe(value.toLowerCase());
      }),
    );
  });

  it('round-trip bitmasks as their trimmed bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (value) => {
        let end = value.length;
        while (end > 0 && value[end - 1] === 0) end--;
        expect(
          roundTrip(
            (w) => w.writeBitmask(value),
            (r) => r.readBitmask('v'),
          ),
        ).toEqual(value.subarray(0, end));
      }),
    );
  });

  it('round-trip timestamps of every Date in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (millis) => {
        const read = roundTrip(
          (w) => writeTimestampExt(w, millis),
          (r) => readTimestampExt(r, r.readExtHeader('v'), 'v'),
        );
        expect(read).toBe(millis);
      }),
    );
  });

  it('round-trip headers of every size', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat({ max: 20 }), fc.nat({ max: 70_000 }), fc.nat({ max: 200_000 })),
        (count) => {
          writer.reset();
          writer.writeArrayHeader(count);
          writer.writeMapHeader(count);
          writer.writeExtHeader(5, count);
          // Pretend the items are there so the count checks pass.
          const bytes = new Uint8Array(writer.length + 2 * count);
          bytes.set(writer.view());
          reader.reset(bytes);
          expect(reader.readArrayHeader('a')).toBe(count);
          expect(reader.readMapHeader('m')).toBe(count);
          expect(reader.readExtHeader('e')).toBe(count);
          expect(reader.extType).toBe(5);
        },
      ),
      { numRuns: 100 },
    );
  });
});
