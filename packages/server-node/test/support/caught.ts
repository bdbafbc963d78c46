/** Catching the node's typed errors in tests: anything that is not a `ServerError` is rethrown. */
import { ServerError } from '../../src/errors/server-error.js';

/** The `ServerError` `f` throws, or `undefined` when it returns normally. */
export function caughtOrNone(f: () => unknown): ServerError | undefined {
  try {
    f();
  } catch (error) {
    if (error instanceof ServerError) return error;
    throw error;
  }
  return undefined;
}

/** The `ServerError` `f` throws; fails the test when it throws nothing. */
export function caught(f: () => unknown): ServerError {
  const error = caughtOrNone(f);
  if (error === undefined) throw new Error('expected a ServerError, nothing was thrown');
  return error;
}
