/** Catching the protocol's typed errors in tests: anything that is not a `ProtocolError` is rethrown. */
import { ProtocolError } from '../../src/errors/protocol-error.js';

/** The `ProtocolError` `run` throws; fails the test when it throws nothing. */
export function caught(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}
