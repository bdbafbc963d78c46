/**
 * UUID text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case) to and from the internal
 * {@link UuidValue}: the two 64-bit halves as signed bigints, most significant first, as Java's `UUID` keeps them.
 *
 * It does not generate UUIDs, and does not accept other spellings (no braces, no `urn:uuid:`, no missing dashes).
 */
import type { UuidValue } from './values.js';

const UUID_SYNTAX = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The halves of a UUID in text form; `undefined` when the text has another shape. */
export function parseUuidText(text: string): UuidValue | undefined {
  if (!UUID_SYNTAX.test(text)) return undefined;
  const msb = BigInt.asIntN(64, BigInt(`0x${text.slice(0, 8)}${text.slice(9, 13)}${text.slice(14, 18)}`));
  const lsb = BigInt.asIntN(64, BigInt(`0x${text.slice(19, 23)}${text.slice(24, 36)}`));
  return { msb, lsb };
}

function hex16(half: bigint): string {
  return BigInt.asUintN(64, half).toString(16).padStart(16, '0');
}

/** The lower-case text form of a UUID. */
export function formatUuid(value: UuidValue): string {
  const hi = hex16(value.msb);
  const lo = hex16(value.lsb);
  return `${hi.slice(0, 8)}-${hi.slice(8, 12)}-${hi.slice(12, 16)}-${lo.slice(0, 4)}-${lo.slice(4, 16)}`;
}
