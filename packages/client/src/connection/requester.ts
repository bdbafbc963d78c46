/**
 * The one thing caches and views need from the connections: send a request, to a given node when possible
 * (any open connection otherwise), and get its answer. The connection pool implements it; tests may fake it.
 */
import type { OpName } from '@datastreamer/protocol';
import type { Reply, RequestOptions, RequestPayload } from './node-connection.js';

export interface Requester {
  /**
   * Sends `op` with `payload` on the connection to `node` when it is open, else on any open connection.
   * @throws ClientError `NODE_UNAVAILABLE` when no connection is open, or as `NodeConnection.request`.
   */
  request<K extends OpName>(
    op: K,
    payload: RequestPayload<K>,
    node?: string | null,
    options?: RequestOptions,
  ): Promise<Reply<K>>;
}
