/**
 * Rows at rest: a stored row is the row's BinaryTuple behind a 1- or 2-byte prefix holding the schema version
 * the tuple was written with, so a read knows which columns the tuple has and can upgrade it to the latest
 * schema. Building a stored row copies the tuple once, which also stops a stored row from pinning the whole
 * request frame it arrived in.
 *
 * Prefix: versions 1..127 take one byte (`0vvvvvvv`); versions 128..32767 take two (`1vvvvvvv vvvvvvvv`, the
 * high bits first). It does not know schemas or tuples beyond their offset in the stored bytes.
 */
import { ServerError } from '../errors/server-error.js';

/** The highest schema version a stored row can name. */
export const MAX_STORED_SCHEMA_VERSION = 0x7fff;

/**
 * The bytes the prefix of `version` takes.
 * @throws ServerError `INVALID_SCHEMA` when `version` is outside 1..{@link MAX_STORED_SCHEMA_VERSION}.
 */
export function versionPrefixLength(version: number): 1 | 2 {
  if (!Number.isInteger(version) || version < 1 || version > MAX_STORED_SCHEMA_VERSION) {
    throw new ServerError(
      'INVALID_SCHEMA',
      `schema version ${version} cannot be stored with a row: versions 1..${MAX_STORED_SCHEMA_VERSION} can`,
    );
  }
  return version < 0x80 ? 1 : 2;
}

/**
 * Writes the prefix of `version` (checked by {@link versionPrefixLength}) into `target` at `at` (default 0,
 * the start of a stored row of its own).
 */
export function writeVersionPrefix(target: Uint8Array, version: number, at = 0): void {
  if (version < 0x80) {
    target[at] = version;
    return;
  }
  target[at] = 0x80 | (version >> 8);
  target[at + 1] = version & 0xff;
}

/** A stored row holding a copy of `tuple`, written with schema `version`. */
export function storedRowOf(tuple: Uint8Array, version: number): Uint8Array {
  const prefix = versionPrefixLength(version);
  const stored = new Uint8Array(prefix + tuple.length);
  writeVersionPrefix(stored, version);
  stored.set(tuple, prefix);
  return stored;
}

/** The schema version a stored row was written with. */
export function storedRowVersion(stored: Uint8Array): number {
  const first = stored[0] as number;
  return first < 0x80 ? first : ((first & 0x7f) << 8) | (stored[1] as number);
}

/** Where the tuple starts in a stored row. */
export function storedRowTupleOffset(stored: Uint8Array): 1 | 2 {
  return (stored[0] as number) < 0x80 ? 1 : 2;
}

/** The tuple of a stored row, as a view (no copy). */
export function storedRowTuple(stored: Uint8Array): Uint8Array {
  return stored.subarray(storedRowTupleOffset(stored));
}
