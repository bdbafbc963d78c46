/**
 * The hash a partition store indexes its keys by: 32-bit FNV-1a over the key bytes with a final avalanche
 * (murmur3's fmix32), so the low bits a power-of-two table uses depend on every byte. Not the colocation
 * hash: that one is defined over column values, and the store only sees encoded key tuples.
 */

/** The 32-bit hash of `bytes` (any length, 0 included). */
export function hashKey(bytes: Uint8Array): number {
  return hashKeyRange(bytes, 0, bytes.length);
}

/**
 * The hash of the `length` bytes of `bytes` at `start`: equal to {@link hashKey} of those bytes alone, so a
 * key inside a larger buffer is hashed without making a view of it.
 */
export function hashKeyRange(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  const end = start + length;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
