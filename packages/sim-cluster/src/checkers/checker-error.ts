/**
 * The error the checkers throw when they cannot judge: a bad option (not a function, a negative bound), a
 * user function that throws or returns something unusable (`seq(row)` not a number), or a history that
 * contradicts itself (an ack of an item never submitted). A history that merely shows a bug is not an error:
 * it gives a failing verdict. A `SimClusterError`: it carries `code`, `retryable` and `cause`.
 */
import { SimClusterError } from '../errors/sim-cluster-error.js';

export class CheckerError extends SimClusterError {
  override readonly name: string = 'CheckerError';
}
