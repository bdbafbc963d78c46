/**
 * The one thing caches and views need from the connections: send a request, to a given node when possible
 * (any open connection otherwise), and get its answer; and the shapes of a request and its answer. The
 * connection pool implements it; tests may fake it.
 */
import type { OpName, RequestMap, ResultMap } from '@datastreamer/protocol';

/** Per-request options. */
export interface RequestOptions {
  /** Overrides the connection's default timeout, in ms (> 0). */
  readonly timeoutMs?: number;
  /** Aborting it fails the request with `CANCELLED` and drops the answer when it comes. */
  readonly signal?: AbortSignal;
  /**
   * Called once the request's frame was handed to the transport: from then on the node may act on it even
   * if no answer comes. Not called when the request fails before that (closed connection, encoding error).
   */
  readonly onSent?: () => void;
}

/** A request's payload: the request without its op (given apart) and its id (the connection assigns it). */
export type RequestPayload<K extends OpName> = Omit<RequestMap[K], 'op' | 'requestId'>;

/** A successful answer. */
export interface Reply<K extends OpName> {
  readonly result: ResultMap[K];
  /** The node that answered (its handshake name). */
  readonly node: string;
  /** The request's size on the wire, length prefix included. */
  readonly bytes: number;
  /** Present when the response carried the assignment-changed flag: the node's assignment version. */
  readonly assignmentVersion: number | undefined;
}

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
