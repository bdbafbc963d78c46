/**
 * Reading the two schema signals out of errors: a node's `SCHEMA_VERSION_MISMATCH` (with the version it
 * expects in the `expected-schema-ver` extension) and the row codec's unknown-column error (the cached schema
 * may be stale). Pure functions; the views and the streamer sink decide what to do about them.
 */
import { ErrorExtensionKeys, ProtocolError, type UnknownColumnError } from '@datastreamer/protocol';

/** How many times one request is re-encoded for a version a node asked for before the mismatch is surfaced. */
export const MAX_SCHEMA_ROUNDS = 4;

/** The schema version a `SCHEMA_VERSION_MISMATCH` error asks for, or `undefined` for any other error. */
export function expectedSchemaVersion(error: unknown): number | undefined {
  if (!(error instanceof ProtocolError) || error.code !== 'SCHEMA_VERSION_MISMATCH') return undefined;
  const expected = error.extensions[ErrorExtensionKeys.expectedSchemaVersion];
  return typeof expected === 'number' && Number.isSafeInteger(expected) && expected > 0
    ? expected
    : undefined;
}

/** Whether `error` is the row codec's "not a column of this schema" (see `UnknownColumnError`). */
export function isUnknownColumnError(error: unknown): error is UnknownColumnError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { unknownColumn?: unknown }).unknownColumn === true
  );
}
