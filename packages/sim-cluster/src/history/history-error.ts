/**
 * The error the history reports: a value it cannot encode into JSON lines, a JSON line that is not a valid
 * event, or a recorded field of the wrong type. A `SimClusterError`: it carries `code`, `retryable` and `cause`.
 */
import { SimClusterError } from '../errors/sim-cluster-error.js';

export class HistoryError extends SimClusterError {
  override readonly name: string = 'HistoryError';
}
