/** The argument check the views' many-row methods share. */
import { ClientError } from '../errors/client-error.js';

/**
 * `value` itself when it is an array.
 * @throws ClientError `INVALID_ARGUMENT` naming the method and argument otherwise.
 */
export function checkArray<T>(method: string, argument: string, value: readonly T[]): readonly T[] {
  if (!Array.isArray(value)) {
    throw new ClientError('INVALID_ARGUMENT', `${method}: ${argument} must be an array`);
  }
  return value;
}
