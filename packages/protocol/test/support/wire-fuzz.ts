/**
 * Test-only helpers for the fuzz tests: a small seeded PRNG (so every run feeds the same inputs and a
 * failure reproduces from its seed) and the mutations applied to valid bytes.
 */

/** mulberry32: a tiny, fast, seeded 32-bit generator; plenty for picking mutations. */
export class FuzzRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** An unsigned 32-bit integer. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return bound <= 0 ? 0 : this.next() % bound;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** Bytes that MessagePack gives meaning to, so mutations hit format boundaries often. */
const INTERESTING = [
  0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9,
  0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd,
  0xde, 0xdf, 0xe0, 0xff,
];

/**
 * A copy of `source` with one to four random mutations: a bit flip, a byte replaced by an interesting one,
 * a byte inserted or deleted, a truncation, a run of random bytes, or a slice of `donor` spliced in.
 */
export function mutate(random: FuzzRandom, source: Uint8Array, donor: Uint8Array): Uint8Array {
  let bytes = Array.from(source);
  const rounds = 1 + random.below(4);
  for (let round = 0; round < rounds; round++) {
    const at = random.below(bytes.length + 1);
    switch (random.below(7)) {
      case 0:
        if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ (1 << random.below(8));
        break;
      case 1:
        if (at < bytes.length) bytes[at] = random.pick(INTERESTING);
        break;
      case 2:
        bytes.splice(at, 0, random.pick(INTERESTING));
        break;
      case 3:
        bytes.splice(at, 1);
        break;
      case 4:
        bytes = bytes.slice(0, at);
        break;
      case 5:
        bytes.splice(at, random.below(4), ...random.bytes(1 + random.below(6)));
        break;
      default: {
        const from = random.below(donor.length);
        bytes.splice(at, 0, ...donor.subarray(from, from + 1 + random.below(12)));
      }
    }
  }
  return Uint8Array.from(bytes);
}
