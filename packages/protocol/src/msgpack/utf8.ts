/**
 * UTF-8 encoding into a caller's buffer and strict decoding out of one, for MessagePack strings.
 *
 * Short strings go through a hand loop (no call into the platform codec, which costs more than it saves for a
 * table name); long ones through `TextEncoder.encodeInto` / a fatal `TextDecoder`. Both paths give the same
 * bytes: a lone surrogate becomes U+FFFD (EF BF BD), as `TextEncoder` does. Decoding never drops a leading
 * byte-order mark (it is data) and rejects malformed UTF-8 instead of substituting. `firstInvalidUtf8` checks
 * bytes in place without decoding them, by the same rule the fatal decoder applies (the well-formed byte
 * sequences of Unicode's table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF).
 */

/** Strings shorter than this are encoded and decoded by hand. */
const SHORT_STRING = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Writes `text` as UTF-8 into `target` at `offset` and returns the number of bytes written. The caller
 * guarantees room for `3 * text.length` bytes (the most UTF-8 needs per UTF-16 code unit).
 */
export function encodeUtf8Into(text: string, target: Uint8Array, offset: number): number {
  const length = text.length;
  if (length >= SHORT_STRING) {
    return encoder.encodeInto(text, target.subarray(offset)).written;
  }
  let pos = offset;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      target[pos++] = code;
      continue;
    }
    if (code < 0x800) {
      target[pos++] = 0xc0 | (code >> 6);
      target[pos++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        target[pos++] = 0xf0 | (code >> 18);
        target[pos++] = 0x80 | ((code >> 12) & 0x3f);
        target[pos++] = 0x80 | ((code >> 6) & 0x3f);
        target[pos++] = 0x80 | (code & 0x3f);
        continue;
      }
      code = 0xfffd;
    }
    target[pos++] = 0xe0 | (code >> 12);
    target[pos++] = 0x80 | ((code >> 6) & 0x3f);
    target[pos++] = 0x80 | (code & 0x3f);
  }
  return pos - offset;
}

/**
 * Decodes `source[start, end)` as UTF-8. Returns `undefined` when the bytes are not well-formed UTF-8, so the
 * caller can say which field was bad.
 */
export function decodeUtf8(source: Uint8Array, start: number, end: number): string | undefined {
  if (end - start < SHORT_STRING) {
    let ascii = '';
    let i = start;
    for (; i < end; i++) {
      const byte = source[i] as number;
      if (byte >= 0x80) break;
      ascii += String.fromCharCode(byte);
    }
    if (i === end) return ascii;
  }
  try {
    return decoder.decode(source.subarray(start, end));
  } catch {
    return undefined;
  }
}

/**
 * Where `source[start, end)` stops being well-formed UTF-8: the offset of the first byte of the first bad or
 * truncated sequence, or -1 when all of it is well-formed (exactly when {@link decodeUtf8} gives a string).
 * Reads the bytes in place and allocates nothing, so a write path can check text it never decodes.
 */
export function firstInvalidUtf8(source: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const lead = source[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // The second byte's range depends on the lead (table 3-7); later bytes are plain continuation bytes.
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead < 0xc2) return i;
    if (lead < 0xe0) length = 2;
    else if (lead < 0xf0) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead < 0xf5) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else {
      return i;
    }
    if (i + length > end) return i;
    const second = source[i + 1] as number;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if (((source[i + k] as number) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}
