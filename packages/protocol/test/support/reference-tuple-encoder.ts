/**
 * A test-only BinaryTuple encoder, written from WIRE.md and Ignite 3's `BinaryTupleBuilder` independently of
 * the production builder, to produce expected bytes. It favours being obviously right over being fast:
 * integers go through `BigInt.asIntN` width probes, floats through Node's `Buffer`, strings through
 * `Buffer.from(text, 'utf8')`, and every element is a plain `number[]`.
 *
 * It shares no code with `src/tuple` or `src/schema`.
 */

/** `value` as `width` little-endian bytes of two's complement. */
export function le(value: bigint | number, width: number): number[] {
  const v = BigInt.asUintN(width * 8, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** The smallest of 1, 2, 4, 8 bytes whose signed range holds `value`. */
export function intWidth(value: bigint): number {
  for (const width of [1, 2, 4, 8]) if (BigInt.asIntN(width * 8, value) === value) return width;
  throw new Error(`${value} does not fit in 64 bits`);
}

/** Java's `BigInteger.toByteArray()`: the fewest big-endian two's complement bytes. */
export function javaBigIntegerBytes(value: bigint): number[] {
  let width = 1;
  while (BigInt.asIntN(width * 8, value) !== value) width++;
  return le(value, width).reverse();
}

/** One element's bytes, by kind. */
export const ref = {
  null: (): number[] => [],
  boolean: (value: boolean): number[] => [value ? 1 : 0],
  /** INT8, INT16, INT32 and INT64 all use the smallest width. */
  int: (value: bigint | number): number[] => le(BigInt(value), intWidth(BigInt(value))),
  float: (value: number): number[] => {
    const buf = Buffer.alloc(4);
    buf.writeFloatLE(value);
    return [...buf];
  },
  double: (value: number): number[] => {
    const buf = Buffer.alloc(4);
    buf.writeFloatLE(value);
    // Java's `value == (float) value`: NaN never equals itself, -0 equals 0.
    if (buf.readFloatLE(0) === value) return [...buf];
    const wide = Buffer.alloc(8);
    wide.writeDoubleLE(value);
    return [...wide];
  },
  /** A DECIMAL `unscaled * 10^-scale` written for a column of scale `columnScale`. */
  decimal: (unscaled: bigint, scale: number, columnScale: number): number[] => {
    let u = unscaled;
    let s = scale;
    if (s > columnScale) {
      const d = 10n ** BigInt(s - columnScale);
      const negative = u < 0n;
      const abs = negative ? -u : u;
      let q = abs / d;
      if ((abs - q * d) * 2n >= d) q += 1n;
      u = negative ? -q : q;
      s = columnScale;
    }
    if (u === 0n) s = 0;
    while (u !== 0n && u % 10n === 0n) {
      u /= 10n;
      s -= 1;
    }
    return [...le(s, 2), ...javaBigIntegerBytes(u)];
  },
  string: (value: string): number[] => (value === '' ? [0x80] : [...Buffer.from(value, 'utf8')]),
  bytes: (value: readonly number[] | Uint8Array): number[] =>
    value.length === 0 || value[0] === 0x80 ? [0x80, ...value] : [...value],
  /** From the text form: each 8-byte half of the 16 text-order bytes, reversed. */
  uuid: (text: string): number[] => {
    const hex = text.replaceAll('-', '');
    const bytes: number[] = [];
    for (let i = 0; i < 32; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
    return [...bytes.slice(0, 8).reverse(), ...bytes.slice(8).reverse()];
  },
  date: (year: number, month: number, day: number): number[] => le(year * 512 + month * 32 + day, 3),
  time: (hour: number, minute: number, second: number, nano: number): number[] => {
    const [h, m, s] = [BigInt(hour), BigInt(minute), BigInt(second)];
    if (nano % 1000 !== 0) return le((h << 42n) | (m << 36n) | (s << 30n) | BigInt(nano), 6);
    if (nano % 1_000_000 !== 0) return le((h << 32n) | (m << 26n) | (s << 20n) | BigInt(nano / 1000), 5);
    return le((h << 22n) | (m << 16n) | (s << 10n) | BigInt(nano / 1_000_000), 4);
  },
  dateTime: (y: number, mo: number, d: number, h: number, mi: number, s: number, nano: number): number[] => [
    ...ref.date(y, mo, d),
    ...ref.time(h, mi, s, nano),
  ],
  timestamp: (seconds: bigint | number, nanos: number): number[] =>
    nanos === 0 ? le(seconds, 8) : [...le(seconds, 8), ...le(nanos, 4)],
};

/**
 * A whole tuple from its elements' bytes. `entrySize` forces the offset-entry size (the reader must accept
 * any); by default it is the smallest for the value area, as builders emit.
 */
export function refTuple(elements: readonly (readonly number[])[], entrySize?: 1 | 2 | 4): Uint8Array {
  const total = elements.reduce((sum, e) => sum + e.length, 0);
  const size = entrySize ?? (total <= 0xff ? 1 : total <= 0xffff ? 2 : 4);
  const out: number[] = [size === 1 ? 0 : size === 2 ? 1 : 2];
  let end = 0;
  for (const element of elements) {
    end += element.length;
    out.push(...le(end, size));
  }
  for (const element of elements) for (const byte of element) out.push(byte);
  return Uint8Array.from(out);
}

/** The elements' bytes of a tuple of `count` elements (any entry size), for re-writing it. */
export function refElements(tuple: Uint8Array, count: number): number[][] {
  const size = 1 << ((tuple[0] as number) & 3);
  const base = 1 + count * size;
  const elements: number[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = 0;
    for (let b = 0; b < size; b++) end += (tuple[1 + i * size + b] as number) * 2 ** (8 * b);
    elements.push([...tuple.subarray(base + start, base + end)]);
    start = end;
  }
  return elements;
}

/** The same tuple with its offset table re-written at `entrySize` bytes per entry. */
export function withEntrySize(tuple: Uint8Array, count: number, entrySize: 1 | 2 | 4): Uint8Array {
  return refTuple(refElements(tuple, count), entrySize);
}

/** Bytes from hex text, spaces ignored: `hex('00 01 02')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replaceAll(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hex text of bytes, space-separated upper case, for readable assertion failures. */
export function toHex(bytes: Uint8Array | readonly number[]): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}
