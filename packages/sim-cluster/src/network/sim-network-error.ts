/**
 * The error the simulated network throws when it is used wrongly: a bad endpoint name, a fault option out of
 * range, a second `listen` on one name. A `SimClusterError`: it carries `code`, `retryable` and `cause`.
 *
 * It is not what a connection reports: transport failures (an unreachable endpoint, a reset connection) are
 * `ProtocolError`s, because that is what the `Transport` contract promises to the client and the nodes.
 */
import { SimClusterError } from '../errors/sim-cluster-error.js';

export class SimNetworkError extends SimClusterError {
  override readonly name: string = 'SimNetworkError';
}
