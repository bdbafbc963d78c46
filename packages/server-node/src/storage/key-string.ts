/**
 * Map keys for encoded key tuples. A JavaScript `Map` compares `Uint8Array`s by identity, so the store keys
 * its map by a string with one UTF-16 code unit per byte (latin1 decoding): a bijection between byte arrays
 * and such strings, cheap to build for the short keys of key tuples, and hashed by the engine once.
 * It does not hash, compress or validate the bytes.
 */

/** The map key for the encoded key `bytes` (one char code 0-255 per byte). */
export function keyToString(bytes: Uint8Array): string {
  // Concatenating single chars measured as fast as String.fromCharCode.apply or Buffer's latin1Slice for
  // 8-32 byte keys, and needs no spread (no argument-count limit) and no Buffer wrapper per key.
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** The encoded key bytes back from a map key made by {@link keyToString}. */
export function keyFromString(key: string): Uint8Array {
  const bytes = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) bytes[i] = key.charCodeAt(i);
  return bytes;
}

/** Up to the first 32 bytes of a key in hex, for error messages. */
export function keyHex(bytes: Uint8Array): string {
  const shown = Math.min(bytes.length, 32);
  let s = '';
  for (let i = 0; i < shown; i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
  return shown < bytes.length ? `${s}... (${bytes.length} bytes)` : s;
}
