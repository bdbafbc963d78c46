/**
 * Bit sets as the BITMASK extension type carries them: a `Uint8Array` where bit i is bit `i & 7` of byte
 * `i >> 3` (little-endian bit order, as Java's `BitSet.toByteArray`). Bits past the end of the array are 0,
 * so trailing zero bytes carry nothing and the writer trims them.
 *
 * These helpers neither read nor write MessagePack; `MsgPackWriter.writeBitmask` and
 * `MsgPackReader.readBitmask` do.
 */

/** An empty bit set: every bit 0. */
export const EMPTY_BITMASK: Uint8Array = new Uint8Array(0);

/** A zeroed bit set with room for `bitCount` bits. */
export function createBitmask(bitCount: number): Uint8Array {
  return new Uint8Array((bitCount + 7) >> 3);
}

/** Whether bit `index` is set (bits past the end of `mask` are 0). */
export function bitmaskGet(mask: Uint8Array, index: number): boolean {
  const byte = mask[index >> 3];
  return byte !== undefined && (byte & (1 << (index & 7))) !== 0;
}

/** Sets bit `index`; `mask` must be long enough (see {@link createBitmask}). */
export function bitmaskSet(mask: Uint8Array, index: number): void {
  const at = index >> 3;
  mask[at] = (mask[at] as number) | (1 << (index & 7));
}

/** The length of `mask` without its trailing zero bytes: what goes on the wire. */
export function bitmaskTrimmedLength(mask: Uint8Array): number {
  let length = mask.length;
  while (length > 0 && mask[length - 1] === 0) length--;
  return length;
}

/** Whether no bit is set. */
export function bitmaskIsEmpty(mask: Uint8Array): boolean {
  return bitmaskTrimmedLength(mask) === 0;
}

/** A bit set with exactly the bits at `indexes` set. */
export function bitmaskOf(indexes: readonly number[]): Uint8Array {
  let max = -1;
  for (const index of indexes) if (index > max) max = index;
  const mask = createBitmask(max + 1);
  for (const index of indexes) bitmaskSet(mask, index);
  return mask;
}
