/**
 * Seeded randomness: the `Rng` every simulated subsystem draws from, and the seed for real runs.
 *
 * The algorithm is pinned, because a printed seed must replay the same run on every machine and version:
 * - the generator is xoshiro128** 1.1 (Blackman and Vigna): 128 bits of state, 32-bit outputs, only 32-bit
 *   integer operations, so it is fast in JavaScript without BigInt;
 * - a 64-bit seed fills that state with the first two outputs of SplitMix64 (the authors' recommended
 *   seeding), the low 32 bits of each output first;
 * - `child(name)` derives the child's seed from the parent's seed and the FNV-1a 64 hash of the name, never
 *   from the parent's position, so draws in one stream never shift another and a name always gives the same
 *   stream.
 *
 * It is not cryptographic and must never protect anything. Changing any step above changes every seeded run:
 * the golden test (test/runtime-seeded-rng-golden.test.ts) exists to make that a deliberate act.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { Rng } from './rng.js';

const MASK64 = 0xffff_ffff_ffff_ffffn;
const SPLITMIX64_GAMMA = 0x9e37_79b9_7f4a_7c15n;
const FNV64_OFFSET_BASIS = 0xcbf2_9ce4_8422_2325n;
const FNV64_PRIME = 0x100_0000_01b3n;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

/** The SplitMix64 output function: a bijective 64-bit mixer (Stafford's "Mix13" variant). */
function mix64(value: bigint): bigint {
  let z = value;
  z = ((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * SplitMix64 (Steele, Lea and Flood; Vigna's `splitmix64.c`), in BigInt. Used only to expand seeds, never
 * per draw, so BigInt's cost does not matter here.
 */
export class SplitMix64 {
  #state: bigint;

  /** @param seed the 64-bit state; bits above 64 are dropped. */
  constructor(seed: bigint) {
    this.#state = seed & MASK64;
  }

  /** The next unsigned 64-bit output. */
  next(): bigint {
    this.#state = (this.#state + SPLITMIX64_GAMMA) & MASK64;
    return mix64(this.#state);
  }
}

/**
 * FNV-1a 64 of `text` encoded as UTF-8. A lone surrogate is encoded as its own three bytes (as WTF-8 does)
 * rather than replaced by U+FFFD, so two different strings never encode alike.
 */
export function fnv1a64(text: string): bigint {
  let hash = FNV64_OFFSET_BASIS;
  const step = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  };
  for (let i = 0; i < text.length; i++) {
    // codePointAt gives the full code point at a valid pair and the bare unit at a lone surrogate.
    const cp = text.codePointAt(i) ?? 0;
    if (cp > 0xffff) {
      i++;
    }
    if (cp < 0x80) {
      step(cp);
    } else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return hash;
}

/**
 * The seed of the child stream `name` of a stream seeded with `parentSeed`:
 * `mix64(parentSeed XOR mix64(fnv1a64(name)))`. Mixing twice keeps `child(a).child(b)` apart from
 * `child(b).child(a)` and spreads names that hash close together.
 */
export function deriveChildSeed(parentSeed: bigint, name: string): bigint {
  return mix64((parentSeed & MASK64) ^ mix64(fnv1a64(name)));
}

/**
 * The xoshiro128** 1.1 generator on a raw 128-bit state (four 32-bit words, `s[0]` first as in the
 * reference C code). Only raw 32-bit outputs; `createRng` builds the `Rng` on top of it.
 */
export class Xoshiro128StarStar {
  // Plain number fields (int32 bit patterns) keep the step free of BigInt and typed-array bounds checks.
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * @throws ProtocolError `INVALID_ARGUMENT` when all four words are zero (the one state that only ever
   *   yields zeros).
   */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) {
      throw new ProtocolError('INVALID_ARGUMENT', 'xoshiro128** state must not be all zeros');
    }
    this.#s0 = s0 | 0;
    this.#s1 = s1 | 0;
    this.#s2 = s2 | 0;
    this.#s3 = s3 | 0;
  }

  /** The next output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.#s1;
    const scrambled = Math.imul(s1, 5);
    const result = Math.imul((scrambled << 7) | (scrambled >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.#s2 ^ this.#s0;
    const s3 = this.#s3 ^ s1;
    this.#s1 = s1 ^ s2;
    this.#s0 ^= s3;
    this.#s2 = s2 ^ t;
    this.#s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }
}

/** An `Rng` that knows its seed, so a failing run can print it and a child's seed can be reported. */
export interface SeededRng extends Rng {
  /** The 64-bit seed this stream started from. */
  readonly seed: bigint;
  child(name: string): SeededRng;
}

class XoshiroRng extends Xoshiro128StarStar implements SeededRng {
  readonly seed: bigint;

  constructor(seed: bigint) {
    const seeder = new SplitMix64(seed);
    const a = seeder.next();
    const b = seeder.next();
    // Two consecutive SplitMix64 outputs are never both zero (its output function is a bijection of a
    // state that changes every step), so the all-zero check in the base class cannot trip here.
    super(Number(a & 0xffff_ffffn), Number(a >> 32n), Number(b & 0xffff_ffffn), Number(b >> 32n));
    this.seed = seed;
  }

  next(): number {
    // 53 random bits (27 + 26), the full precision of a double in [0, 1).
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67_108_864 + lo) / TWO_POW_53;
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `int(min, max) needs safe integers with min <= max, got min=${min}, max=${max}`,
      );
    }
    const span = max - min;
    if (span > Number.MAX_SAFE_INTEGER) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `int(min, max) supports at most 2^53 distinct values, got min=${min}, max=${max}`,
      );
    }
    const range = span + 1;
    // Rejection sampling: draws at or above the largest multiple of `range` are redrawn, so every value
    // has the same number of preimages (no modulo bias). At worst half the draws are rejected.
    if (range <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % range);
      let u = this.nextUint32();
      while (u >= limit) {
        u = this.nextUint32();
      }
      return min + (u % range);
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % range);
    let x = this.#next53();
    while (x >= limit) {
      x = this.#next53();
    }
    return min + (x % range);
  }

  chance(p: number): boolean {
    if (!(p >= 0 && p <= 1)) {
      throw new ProtocolError('INVALID_ARGUMENT', `chance(p) needs a probability in [0, 1], got ${p}`);
    }
    // Always exactly one draw, even for p = 0 or 1, so tuning a probability never shifts later draws.
    return this.nextUint32() < p * TWO_POW_32;
  }

  child(name: string): SeededRng {
    return new XoshiroRng(deriveChildSeed(this.seed, name));
  }

  #next53(): number {
    const hi = this.nextUint32() >>> 11;
    return hi * TWO_POW_32 + this.nextUint32();
  }
}

/**
 * A seeded random stream (xoshiro128** seeded by SplitMix64; see the module header). The same seed always
 * gives the same stream, on every platform; a `number` seed and the equal `bigint` give the same stream.
 *
 * @param seed an integer in [0, 2^64): a non-negative safe integer, or a bigint.
 * @throws ProtocolError `INVALID_ARGUMENT` when `seed` is not such an integer.
 */
export function createRng(seed: number | bigint): SeededRng {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new ProtocolError('INVALID_ARGUMENT', `seed must be a non-negative safe integer, got ${seed}`);
    }
    return new XoshiroRng(BigInt(seed));
  }
  if (seed < 0n || seed > MASK64) {
    throw new ProtocolError('INVALID_ARGUMENT', `seed must be an integer in [0, 2^64), got ${seed}`);
  }
  return new XoshiroRng(seed);
}

/**
 * A fresh seed from the platform's cryptographic generator, for real (non-simulated) runs. It is a
 * non-negative safe integer (53 bits), so it prints and parses back without loss; log it to replay the run.
 */
export function entropySeed(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  const hi = (words[0] ?? 0) & 0x1f_ffff;
  const lo = words[1] ?? 0;
  return hi * TWO_POW_32 + lo;
}
