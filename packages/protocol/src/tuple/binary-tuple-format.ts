/**
 * Constants of the BinaryTuple format (IEP-92, Ignite 3), shared by the builder and the reader.
 *
 * Layout: one header byte; an offset table with one entry per element holding the element's END offset
 * relative to the start of the value area; the value area. No null map: NULL is a zero-length element.
 */
export const BinaryTupleFormat = {
  /** Bytes before the offset table. */
  headerSize: 1,
  /** Header bits 0-1: log2 of the offset-entry size (0: 1 byte, 1: 2 bytes, 2: 4 bytes; 3 is unsupported). */
  offsetSizeMask: 0b011,
  /** Header bit 2: the offset table is wider than needed. Builders never set it; readers ignore it. */
  offsetTableOversized: 0b100,
  /** Header bit 3: the tuple is a prefix (index lookups); not used by rows. */
  prefixFlag: 0b1000,
  /** Header bit 4: the equality flag of prefixes; not used by rows. */
  equalityFlag: 0b1_0000,
  /** An empty string or byte array is this single byte; a byte array starting with it gets one more in front. */
  varlenEmptyByte: 0x80,
} as const;

/**
 * The log2 of the smallest offset-entry size for a value area of `valueSize` bytes: up to 0xFF fits 1 byte,
 * up to 0xFFFF 2 bytes, otherwise 4 bytes.
 */
export function offsetSizeLog2(valueSize: number): 0 | 1 | 2 {
  if (valueSize <= 0xff) return 0;
  if (valueSize <= 0xffff) return 1;
  return 2;
}

/**
 * The end offset stored in entry `index` of the offset table of the tuple starting at `bytes[start]` (default
 * 0), for entries of `entrySize` bytes (1, 2 or 4, little-endian). The caller has checked that the table fits
 * in `bytes`. A 4-byte entry with the top bit set reads as a large positive number (`>>> 0`), so a bounds check
 * refuses it.
 */
export function offsetEntry(bytes: Uint8Array, entrySize: number, index: number, start = 0): number {
  const header = start + BinaryTupleFormat.headerSize;
  switch (entrySize) {
    case 1:
      return bytes[header + index] as number;
    case 2: {
      const at = header + index * 2;
      return (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    }
    default:
      return int32LE(bytes, header + index * 4) >>> 0;
  }
}

/** The little-endian int32 at `bytes[at..at + 4)` (in range: the caller checked). */
export function int32LE(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) |
    ((bytes[at + 1] as number) << 8) |
    ((bytes[at + 2] as number) << 16) |
    ((bytes[at + 3] as number) << 24)
  );
}
