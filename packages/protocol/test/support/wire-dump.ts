/**
 * A test-only MessagePack dumper: one line per value or header, `hex  # what it is`, nested items indented.
 * docs/PROTOCOL.md shows golden messages in this form; the document check reads back only the hex before
 * each `#`. Independent of `src/msgpack` (it reads bytes with plain arithmetic).
 */
import { hex } from './wire-builder.js';

const HEX_WIDTH = 16;

function readUint(bytes: Uint8Array, at: number, size: number): bigint {
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(bytes[at + i] ?? 0);
  return value;
}

function readInt(bytes: Uint8Array, at: number, size: number): bigint {
  const value = readUint(bytes, at, size);
  const bits = BigInt(size * 8);
  return value >= 1n << (bits - 1n) ? value - (1n << bits) : value;
}

interface Token {
  readonly length: number;
  readonly text: string;
  /** Items that follow and belong to this one (array items, map keys and values). */
  readonly children: number;
}

function describeExt(type: number, payload: Uint8Array): string {
  if (type === 3 && payload.length === 16) {
    const half = (from: number) =>
      hex(Array.from(payload.subarray(from, from + 8)).reverse()).replaceAll(' ', '');
    const text = half(0) + half(8);
    return `uuid ${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }
  if (type === 8) {
    const bits: number[] = [];
    payload.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) bits.push(i * 8 + bit);
    });
    return `BITMASK {${bits.join(', ')}}`;
  }
  if (type === -1) {
    let seconds: bigint;
    let nanos: bigint;
    if (payload.length === 4) {
      seconds = readUint(payload, 0, 4);
      nanos = 0n;
    } else if (payload.length === 8) {
      const all = readUint(payload, 0, 8);
      nanos = all >> 34n;
      seconds = all & ((1n << 34n) - 1n);
    } else {
      nanos = readUint(payload, 0, 4);
      seconds = readInt(payload, 4, 8);
    }
    return `timestamp ${new Date(Number(seconds) * 1000 + Number(nanos / 1_000_000n)).toISOString()}`;
  }
  return `ext type ${type}`;
}

function token(bytes: Uint8Array, at: number): Token {
  const f = bytes[at] ?? 0;
  const str = (headerLength: number, length: number): Token => ({
    length: headerLength + length,
    text: `str ${JSON.stringify(Buffer.from(bytes.subarray(at + headerLength, at + headerLength + length)).toString('utf8'))}`,
    children: 0,
  });
  const bin = (headerLength: number, length: number): Token => ({
    length: headerLength + length,
    text: `bin, ${length} byte(s)`,
    children: 0,
  });
  const ext = (headerLength: number, length: number): Token => {
    const type = Number(readInt(bytes, at + headerLength - 1, 1));
    return {
      length: headerLength + length,
      text: describeExt(type, bytes.subarray(at + headerLength, at + headerLength + length)),
      children: 0,
    };
  };
  const int = (size: number, signed: boolean): Token => ({
    length: 1 + size,
    text: `int ${signed ? readInt(bytes, at + 1, size) : readUint(bytes, at + 1, size)}`,
    children: 0,
  });
  if (f <= 0x7f) return { length: 1, text: `int ${f}`, children: 0 };
  if (f >= 0xe0) return { length: 1, text: `int ${f - 0x100}`, children: 0 };
  if (f <= 0x8f) return { length: 1, text: `map of ${f & 0x0f}`, children: 2 * (f & 0x0f) };
  if (f <= 0x9f) return { length: 1, text: `array of ${f & 0x0f}`, children: f & 0x0f };
  if (f <= 0xbf) return str(1, f & 0x1f);
  const n8 = Number(readUint(bytes, at + 1, 1));
  const n16 = Number(readUint(bytes, at + 1, 2));
  const n32 = Number(readUint(bytes, at + 1, 4));
  switch (f) {
    case 0xc0:
      return { length: 1, text: 'nil', children: 0 };
    case 0xc2:
      return { length: 1, text: 'false', children: 0 };
    case 0xc3:
      return { length: 1, text: 'true', children: 0 };
    case 0xc4:
      return bin(2, n8);
    case 0xc5:
      return bin(3, n16);
    case 0xc6:
      return bin(5, n32);
    case 0xc7:
      return ext(3, n8);
    case 0xc8:
      return ext(4, n16);
    case 0xc9:
      return ext(6, n32);
    case 0xca:
      return {
        length: 5,
        text: `float32 ${Buffer.from(bytes.subarray(at + 1, at + 5)).readFloatBE()}`,
        children: 0,
      };
    case 0xcb:
      return {
        length: 9,
        text: `float64 ${Buffer.from(bytes.subarray(at + 1, at + 9)).readDoubleBE()}`,
        children: 0,
      };
    case 0xcc:
      return int(1, false);
    case 0xcd:
      return int(2, false);
    case 0xce:
      return int(4, false);
    case 0xcf:
      return int(8, false);
    case 0xd0:
      return int(1, true);
    case 0xd1:
      return int(2, true);
    case 0xd2:
      return int(4, true);
    case 0xd3:
      return int(8, true);
    case 0xd4:
      return ext(2, 1);
    case 0xd5:
      return ext(2, 2);
    case 0xd6:
      return ext(2, 4);
    case 0xd7:
      return ext(2, 8);
    case 0xd8:
      return ext(2, 16);
    case 0xd9:
      return str(2, n8);
    case 0xda:
      return str(3, n16);
    case 0xdb:
      return str(5, n32);
    case 0xdc:
      return { length: 3, text: `array of ${n16}`, children: n16 };
    case 0xdd:
      return { length: 5, text: `array of ${n32}`, children: n32 };
    case 0xde:
      return { length: 3, text: `map of ${n16}`, children: 2 * n16 };
    case 0xdf:
      return { length: 5, text: `map of ${n32}`, children: 2 * n32 };
    default:
      return { length: 1, text: `never used 0x${f.toString(16)}`, children: 0 };
  }
}

/**
 * Dumps a sequence of MessagePack values (a message body), one line per value or header.
 * @param labels names for the first top-level values, in order (e.g. the envelope's fields).
 */
export function dumpMsgPack(bytes: Uint8Array, labels: readonly string[] = []): string[] {
  const lines: string[] = [];
  const pending: number[] = [];
  let at = 0;
  let topLevel = 0;
  while (at < bytes.length) {
    const t = token(bytes, at);
    const indent = '  '.repeat(pending.length);
    const label = pending.length === 0 ? labels[topLevel++] : undefined;
    const text = label === undefined ? t.text : `${label}: ${t.text}`;
    const own = Array.from(bytes.subarray(at, at + t.length));
    for (let i = 0; i < own.length || i === 0; i += HEX_WIDTH) {
      const part = hex(own.slice(i, i + HEX_WIDTH)).padEnd(HEX_WIDTH * 3 - 1);
      lines.push(i === 0 ? `${part}  # ${indent}${text}` : part.trimEnd());
    }
    at += t.length;
    // This value is one item of the innermost open container; close every container it completes.
    if (pending.length > 0) pending[pending.length - 1] = (pending.at(-1) ?? 1) - 1;
    while (pending.length > 0 && pending.at(-1) === 0) pending.pop();
    if (t.children > 0) pending.push(t.children);
  }
  if (labels.length > topLevel) {
    throw new Error(`${labels.length} labels for ${topLevel} top-level values: the labels are out of step`);
  }
  return lines;
}
