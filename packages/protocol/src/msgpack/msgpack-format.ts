/**
 * The MessagePack format bytes this package reads and writes, the extension types it gives meaning to, and a
 * short name for any format byte (used in error messages: "expected int, found str (0xa3)").
 *
 * It does not encode or decode anything; `MsgPackWriter` and `MsgPackReader` do.
 */

/** First bytes of each MessagePack format (the fix formats carry their value or length in the low bits). */
export const MsgPackFormat = {
  POSITIVE_FIXINT_MAX: 0x7f,
  FIXMAP: 0x80,
  FIXARRAY: 0x90,
  FIXSTR: 0xa0,
  NIL: 0xc0,
  NEVER_USED: 0xc1,
  FALSE: 0xc2,
  TRUE: 0xc3,
  BIN8: 0xc4,
  BIN16: 0xc5,
  BIN32: 0xc6,
  EXT8: 0xc7,
  EXT16: 0xc8,
  EXT32: 0xc9,
  FLOAT32: 0xca,
  FLOAT64: 0xcb,
  UINT8: 0xcc,
  UINT16: 0xcd,
  UINT32: 0xce,
  UINT64: 0xcf,
  INT8: 0xd0,
  INT16: 0xd1,
  INT32: 0xd2,
  INT64: 0xd3,
  FIXEXT1: 0xd4,
  FIXEXT2: 0xd5,
  FIXEXT4: 0xd6,
  FIXEXT8: 0xd7,
  FIXEXT16: 0xd8,
  STR8: 0xd9,
  STR16: 0xda,
  STR32: 0xdb,
  ARRAY16: 0xdc,
  ARRAY32: 0xdd,
  MAP16: 0xde,
  MAP32: 0xdf,
  NEGATIVE_FIXINT_MIN: 0xe0,
} as const;

/**
 * Extension type codes. UUID and BITMASK are Ignite 3's (`ClientMsgPackType`); TIMESTAMP is MessagePack's
 * own predefined type, which the value codec uses for `Date`.
 */
export const MsgPackExtType = {
  /** 16 bytes: the most significant 64 bits as a little-endian int64, then the least significant the same way. */
  UUID: 3,
  /** The bytes of a bit set, bit i in byte i >> 3 at bit i & 7; trailing zero bytes trimmed. */
  BITMASK: 8,
  /** MessagePack's timestamp: 4, 8 or 12 bytes (timestamp 32, 64 or 96). */
  TIMESTAMP: -1,
} as const;

/** The kind of value a format byte starts, as MessagePack's spec names its families. */
export type MsgPackKind =
  | 'nil'
  | 'bool'
  | 'int'
  | 'float'
  | 'str'
  | 'bin'
  | 'array'
  | 'map'
  | 'ext'
  | 'never-used';

/** The kind of value that starts with `format`. */
export function kindOf(format: number): MsgPackKind {
  if (format <= MsgPackFormat.POSITIVE_FIXINT_MAX || format >= MsgPackFormat.NEGATIVE_FIXINT_MIN)
    return 'int';
  if (format < MsgPackFormat.FIXARRAY) return 'map';
  if (format < MsgPackFormat.FIXSTR) return 'array';
  if (format < MsgPackFormat.NIL) return 'str';
  switch (format) {
    case MsgPackFormat.NIL:
      return 'nil';
    case MsgPackFormat.NEVER_USED:
      return 'never-used';
    case MsgPackFormat.FALSE:
    case MsgPackFormat.TRUE:
      return 'bool';
    case MsgPackFormat.BIN8:
    case MsgPackFormat.BIN16:
    case MsgPackFormat.BIN32:
      return 'bin';
    case MsgPackFormat.FLOAT32:
    case MsgPackFormat.FLOAT64:
      return 'float';
    case MsgPackFormat.STR8:
    case MsgPackFormat.STR16:
    case MsgPackFormat.STR32:
      return 'str';
    case MsgPackFormat.ARRAY16:
    case MsgPackFormat.ARRAY32:
      return 'array';
    case MsgPackFormat.MAP16:
    case MsgPackFormat.MAP32:
      return 'map';
    default:
      // 0xc7-0xc9 and 0xd4-0xd8 are the ext formats; the int formats 0xcc-0xd3 remain.
      return (format >= MsgPackFormat.EXT8 && format <= MsgPackFormat.EXT32) ||
        (format >= MsgPackFormat.FIXEXT1 && format <= MsgPackFormat.FIXEXT16)
        ? 'ext'
        : 'int';
  }
}

/** `str (0xa3)`: how error messages name what was found. */
export function describeFormat(format: number): string {
  return `${kindOf(format)} (0x${format.toString(16).padStart(2, '0')})`;
}
