/**
 * Conversion between a UUID's text form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) and the 16 payload bytes of
 * the UUID extension type, in Ignite 3's order: the most significant 64 bits as a little-endian int64, then
 * the least significant 64 bits the same way. So the text `00112233-4455-6677-8899-aabbccddeeff` is the bytes
 * `77 66 55 44 33 22 11 00 ff ee dd cc bb aa 99 88`.
 *
 * It does not generate UUIDs (randomness comes from the injected `Rng`).
 */

/** Offsets of the 32 hex digits in the text form, skipping the dashes. */
const HEX_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34] as const;

const HEX = '0123456789abcdef';

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Whether `text` is a UUID in the 8-4-4-4-12 hex form (either case). */
export function isUuidText(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (hexValue(code) < 0) {
      return false;
    }
  }
  return true;
}

/**
 * Writes the 16 payload bytes of `text` at `offset`. The caller has checked `isUuidText(text)`.
 */
export function writeUuidBytes(text: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const at = HEX_POSITIONS[i] as number;
    const byte = (hexValue(text.charCodeAt(at)) << 4) | hexValue(text.charCodeAt(at + 1));
    // Text byte i (big-endian order) goes to its mirror position within its 8-byte half.
    const half = i < 8 ? 0 : 8;
    target[offset + half + 7 - (i - half)] = byte;
  }
}

/** Reads the 16 payload bytes at `offset` as the lower-case text form. */
export function readUuidText(source: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    const half = i < 8 ? 0 : 8;
    const byte = source[offset + half + 7 - (i - half)] as number;
    text += HEX[byte >> 4];
    text += HEX[byte & 0x0f];
  }
  return text;
}
