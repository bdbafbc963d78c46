/**
 * `TupleLayout.resetRange` reads a tuple in place inside a larger buffer (a row inside a received message).
 * Risks covered: reading a header or offset entry from outside the range (bytes of the neighbours), bounds
 * left relative to the range instead of absolute in the buffer, or a problem worded otherwise than `reset`
 * of the same tuple as its own array words it (the node quotes it in INVALID_ROW errors).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TupleLayout } from '../src/rows/tuple-layout.js';

/** A well-formed tuple of `elements` with offset entries of `1 << sizeLog2` bytes (wider than needed is allowed). */
function tupleOf(elements: Uint8Array[], sizeLog2: 0 | 1 | 2, flags: number): Uint8Array {
  const entrySize = 1 << sizeLog2;
  const valueSize = elements.reduce((sum, e) => sum + e.length, 0);
  const out = new Uint8Array(1 + elements.length * entrySize + valueSize);
  out[0] = sizeLog2 | flags;
  let entry = 1;
  let at = 1 + elements.length * entrySize;
  let end = 0;
  for (const element of elements) {
    out.set(element, at);
    at += element.length;
    end += element.length;
    for (let b = 0; b < entrySize; b++) out[entry + b] = (end >>> (8 * b)) & 0xff;
    entry += entrySize;
  }
  return out;
}

const element = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 12 }) },
  // Long enough, with a few of them, for 2-byte entries to be the natural size.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 300 }) },
);

const wellFormed = fc
  .record({
    elements: fc.array(element, { maxLength: 10 }),
    sizeLog2: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    // Bits above the entry size (oversized table, prefix, equality) do not change the layout.
    flags: fc.constantFrom(0, 0b100, 0b1000, 0b1_0000, 0b1110_0000),
  })
  // A 1-byte table cannot hold offsets past 255 (nor a 2-byte one past 65535): keep the entries honest.
  .filter(({ elements, sizeLog2 }) => elements.reduce((s, e) => s + e.length, 0) < 2 ** (8 << sizeLog2))
  .map(({ elements, sizeLog2, flags }) => ({
    tuple: tupleOf(elements, sizeLog2, flags),
    count: elements.length,
  }));

/** Well-formed tuples read with the right count, a wrong count, or after damage; and plain junk. */
const anyTuple = fc.oneof(
  wellFormed,
  wellFormed.chain(({ tuple, count }) =>
    fc.record({ tuple: fc.constant(tuple), count: fc.integer({ min: 0, max: count + 3 }) }),
  ),
  wellFormed
    .filter(({ tuple }) => tuple.length > 0)
    .chain(({ tuple, count }) =>
      fc
        .tuple(fc.nat(tuple.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(tuple.length))
        .map(([at, byte, keep]) => {
          const damaged = tuple.slice(0, Math.max(keep, at + 1));
          damaged[at] = byte;
          return { tuple: damaged, count };
        }),
    ),
  fc.record({ tuple: fc.uint8Array({ maxLength: 24 }), count: fc.nat(8) }),
);

describe('TupleLayout', () => {
  it('reads a tuple inside a larger buffer as reset reads a copy of it, bounds shifted by the start', () => {
    const inPlace = new TupleLayout();
    const copied = new TupleLayout();
    fc.assert(
      fc.property(
        anyTuple,
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 20 }),
        ({ tuple, count }, lead, trail) => {
          // The neighbours are junk a reader going past either end would trip on.
          const buffer = new Uint8Array(lead.length + tuple.length + trail.length);
          buffer.set(lead);
          buffer.set(tuple, lead.length);
          buffer.set(trail, lead.length + tuple.length);
          const start = lead.length;
          const end = start + tuple.length;
          const problem = inPlace.resetRange(buffer, start, end, count);
          const expected = copied.reset(tuple.slice(), count);
          expect(problem).toBe(expected);
          if (expected !== null) {
            expect(inPlace.count).toBe(0);
            return;
          }
          expect(inPlace.count).toBe(count);
          expect(inPlace.bytes).toBe(buffer);
          expect([inPlace.tupleStart, inPlace.tupleEnd]).toEqual([start, end]);
          expect([copied.tupleStart, copied.tupleEnd]).toEqual([0, tuple.length]);
          for (let i = 0; i < count; i++) {
            expect(inPlace.start(i)).toBe(copied.start(i) + start);
            expect(inPlace.end(i)).toBe(copied.end(i) + start);
            expect(inPlace.length(i)).toBe(copied.length(i));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds the elements a tuple was built from, at every offset-entry size', () => {
    const layout = new TupleLayout();
    fc.assert(
      fc.property(
        fc.array(element, { maxLength: 10 }),
        fc.constantFrom<0 | 1 | 2>(0, 1, 2),
        fc.nat(7),
        (elements, sizeLog2, lead) => {
          fc.pre(elements.reduce((s, e) => s + e.length, 0) < 2 ** (8 << sizeLog2));
          const tuple = tupleOf(elements, sizeLog2, 0);
          const buffer = new Uint8Array(lead + tuple.length + 1).fill(0xee);
          buffer.set(tuple, lead);
          expect(layout.resetRange(buffer, lead, lead + tuple.length, elements.length)).toBeNull();
          elements.forEach((e, i) => {
            expect([...buffer.subarray(layout.start(i), layout.end(i))]).toEqual([...e]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a range that is cut short or runs on, naming the same problem as reset', () => {
    const layout = new TupleLayout();
    const tuple = tupleOf([Uint8Array.of(1, 2), Uint8Array.of(3)], 0, 0);
    const buffer = Uint8Array.of(9, 9, ...tuple, 7);
    // One byte short: the last element ends past the value area.
    expect(layout.resetRange(buffer, 2, 2 + tuple.length - 1, 2)).toBe('element 1 ends at 3, outside 2..2');
    // One byte more: the elements end before the value area does.
    expect(layout.resetRange(buffer, 2, 2 + tuple.length + 1, 2)).toBe(
      'the 2 elements end at 3 but the value area has 4 bytes',
    );
    expect(layout.resetRange(buffer, 2, 2, 2)).toBe('the tuple is empty (no header byte)');
    expect(layout.resetRange(buffer, 2, 4, 2)).toBe('2 bytes cannot hold the offset table of 2 elements');
    expect(layout.resetRange(buffer, 2, 2 + tuple.length, 2)).toBeNull();
    expect(layout.length(0)).toBe(2);
  });
});
