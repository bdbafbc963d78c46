import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { partitionFor } from '../src/hash/partition.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const int32 = fc.integer({ min: INT32_MIN, max: INT32_MAX });

/** Ignite's client formula, for contrast: `Math.abs(hash % partitions)`. */
const clientFormula = (hash: number, partitions: number): number => Math.abs(hash % partitions);

function rejection(call: () => unknown): ProtocolError {
  try {
    call();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

describe('partitionFor', () => {
  it('maps hash -2^31 to partition 0 for every partition count, as the Ignite server does', () => {
    for (const partitions of [1, 2, 3, 7, 10, 16, 25, 1000, 65_000]) {
      expect(partitionFor(INT32_MIN, partitions)).toBe(0);
    }
    // Where Ignite's clients disagree: a count that is not a power of two.
    expect(clientFormula(INT32_MIN, 10)).toBe(8);
    expect(clientFormula(INT32_MIN, 16)).toBe(0);
  });

  it('uses the magnitude of a negative hash', () => {
    expect(partitionFor(-1, 10)).toBe(1);
    expect(partitionFor(-5, 4)).toBe(1);
    expect(partitionFor(-25, 25)).toBe(0);
    expect(partitionFor(INT32_MIN + 1, 10)).toBe(7);
    expect(partitionFor(INT32_MAX, 10)).toBe(7);
    expect(Object.is(partitionFor(-0, 3), 0)).toBe(true);
  });

  it('returns an integer partition in 0..partitions-1', () => {
    fc.assert(
      fc.property(int32, fc.integer({ min: 1, max: 100_000 }), (hash, partitions) => {
        const p = partitionFor(hash, partitions);
        expect(Number.isInteger(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(partitions);
      }),
    );
  });

  it("agrees with Ignite's client formula except for hash -2^31", () => {
    fc.assert(
      fc.property(int32, fc.integer({ min: 1, max: 100_000 }), (hash, partitions) => {
        fc.pre(hash !== INT32_MIN);
        expect(partitionFor(hash, partitions)).toBe(clientFormula(hash, partitions));
      }),
    );
    for (const partitions of [1, 2, 4, 32, 1024]) {
      expect(partitionFor(INT32_MIN, partitions)).toBe(clientFormula(INT32_MIN, partitions));
    }
  });

  it('rejects a partition count that is not a positive integer, naming the argument', () => {
    for (const partitions of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const error = rejection(() => partitionFor(1, partitions));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('partitions');
      expect(error.message).toContain(String(partitions));
    }
  });

  it('rejects a hash that is not a 32-bit signed integer, naming the argument', () => {
    for (const hash of [2 ** 31, INT32_MIN - 1, 0.5, Number.NaN]) {
      const error = rejection(() => partitionFor(hash, 8));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('hash');
    }
  });
});
