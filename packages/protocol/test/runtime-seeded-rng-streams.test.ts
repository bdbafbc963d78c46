// Child streams must be stable and independent: a replayed run only reproduces if adding a draw in one
// subsystem shifts no other subsystem's choices, and if a name always maps to the same stream.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { createRng, entropySeed } from '../src/runtime/seeded-rng.js';

const seedArb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

function take(rng: { nextUint32(): number }, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

describe('createRng', () => {
  test.prop([seedArb])('gives the same stream for the same seed', (seed) => {
    expect(take(createRng(seed), 8)).toEqual(take(createRng(seed), 8));
  });

  test.prop([fc.maxSafeNat()])('gives a number seed and the equal bigint the same stream', (seed) => {
    expect(take(createRng(seed), 8)).toEqual(take(createRng(BigInt(seed)), 8));
  });

  it('gives neighbouring seeds unrelated streams', () => {
    const a = take(createRng(1), 4);
    const b = take(createRng(2), 4);
    expect(a.filter((value, i) => value === b[i])).toEqual([]);
  });

  it.each([
    [-1, /non-negative safe integer, got -1/],
    [1.5, /non-negative safe integer, got 1.5/],
    [Number.NaN, /got NaN/],
    [2 ** 53, /non-negative safe integer/],
    [-1n, /\[0, 2\^64\), got -1/],
    [1n << 64n, /\[0, 2\^64\), got 18446744073709551616/],
  ])('rejects the seed %s with INVALID_ARGUMENT', (seed, message) => {
    const attempt = () => createRng(seed);
    expect(attempt).toThrow(ProtocolError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
    }
  });
});

describe('SeededRng.child', () => {
  test.prop([seedArb, fc.string(), fc.nat({ max: 50 })])(
    'gives the same stream for a name however many draws the parent made',
    (seed, name, parentDraws) => {
      const fresh = createRng(seed);
      const used = createRng(seed);
      take(used, parentDraws);
      expect(take(used.child(name), 6)).toEqual(take(fresh.child(name), 6));
    },
  );

  it('leaves the parent stream where it was', () => {
    const parent = createRng(9);
    const reference = createRng(9);
    take(parent.child('net'), 10);
    expect(take(parent, 5)).toEqual(take(reference, 5));
  });

  it('gives different names, and different nesting orders, different streams', () => {
    const root = createRng(9);
    const streams = [
      root.child('net'),
      root.child('topology'),
      root.child('net').child('topology'),
      root.child('topology').child('net'),
      root.child(''),
    ].map((rng) => take(rng, 4).join(','));
    expect(new Set(streams).size).toBe(streams.length);
    expect(streams).not.toContain(take(createRng(9), 4).join(','));
  });

  it('carries the derived seed', () => {
    const child = createRng(9).child('net');
    expect(take(createRng(child.seed), 5)).toEqual(take(child, 5));
  });
});

describe('SeededRng draws', () => {
  test.prop([seedArb, fc.maxSafeInteger(), fc.nat({ max: 2 ** 40 })])(
    'keeps int(min, max) within both bounds',
    (seed, min, width) => {
      fc.pre(min + width <= Number.MAX_SAFE_INTEGER);
      const rng = createRng(seed);
      for (let i = 0; i < 20; i++) {
        const value = rng.int(min, min + width);
        expect(Number.isSafeInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(min);
        expect(value).toBeLessThanOrEqual(min + width);
      }
    },
  );

  it('covers the whole range when it is wider than 2^32', () => {
    const rng = createRng(5);
    const max = Number.MAX_SAFE_INTEGER;
    let sawHigh = false;
    let sawLow = false;
    for (let i = 0; i < 200; i++) {
      const value = rng.int(0, max);
      sawHigh ||= value > max / 2;
      sawLow ||= value < max / 2;
    }
    expect(sawHigh && sawLow).toBe(true);
    expect(rng.int(-max, 0)).toBeLessThanOrEqual(0);
  });

  it('returns min for a single-value range', () => {
    expect(createRng(1).int(17, 17)).toBe(17);
  });

  test.prop([seedArb])('keeps next() in [0, 1) and nextUint32() in [0, 2^32)', (seed) => {
    const rng = createRng(seed);
    for (let i = 0; i < 50; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const u = rng.nextUint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
    }
  });

  it('never fires chance(0) and always fires chance(1), drawing once each time', () => {
    const rng = createRng(3);
    const reference = createRng(3);
    for (let i = 0; i < 1000; i++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
    take(reference, 2000);
    expect(rng.nextUint32()).toBe(reference.nextUint32());
  });

  it.each([
    [2, 1],
    [0.5, 3],
    [0, Number.POSITIVE_INFINITY],
    [Number.NaN, 3],
    [-(2 ** 53), 2 ** 53 - 1],
  ])('rejects int(%s, %s) with INVALID_ARGUMENT', (min, max) => {
    expect(() => createRng(1).int(min, max)).toThrow(ProtocolError);
    expect(() => createRng(1).int(min, max)).toThrow(/int\(min, max\)/);
  });

  it.each([[-0.1], [1.1], [Number.NaN]])('rejects chance(%s) with INVALID_ARGUMENT', (p) => {
    expect(() => createRng(1).chance(p)).toThrow(/chance\(p\) needs a probability in \[0, 1\]/);
  });

  it('still draws the same stream after a rejected argument', () => {
    const rng = createRng(11);
    const reference = createRng(11);
    expect(() => rng.int(3, 1)).toThrow(ProtocolError);
    expect(take(rng, 4)).toEqual(take(reference, 4));
  });
});

describe('entropySeed', () => {
  it('returns non-negative safe integers that differ between calls', () => {
    const seeds = Array.from({ length: 8 }, entropySeed);
    for (const seed of seeds) {
      expect(Number.isSafeInteger(seed) && seed >= 0).toBe(true);
    }
    expect(new Set(seeds).size).toBe(seeds.length);
    expect(() => createRng(seeds[0] ?? 0)).not.toThrow();
  });
});
