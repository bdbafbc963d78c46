/**
 * The one table of error codes shared by client and server. Every error that crosses the wire carries the
 * numeric `id` of one of these entries; both sides derive `retryable` from this table, never from the message.
 *
 * Ids are stable wire values: never renumber an entry, only append.
 */
export const ErrorCodes = {
  /** Bytes that are not a valid frame or message: truncated, wrong types, unknown op code. */
  PROTOCOL_ERROR: { id: 1, retryable: false },
  /** The peer speaks a protocol version or needs a feature this side cannot serve. */
  UNSUPPORTED_PROTOCOL: { id: 2, retryable: false },
  /** A frame's length prefix is over the configured maximum frame size. */
  FRAME_TOO_LARGE: { id: 3, retryable: false },
  /** A request arrived before the handshake completed, or a handshake arrived twice. */
  HANDSHAKE_REQUIRED: { id: 4, retryable: false },
  /** A value that a codec cannot represent (receiver payloads, arguments, results). */
  VALUE_NOT_ENCODABLE: { id: 5, retryable: false },
  /** A row does not fit the table schema: a missing key column, a wrong type, a null in a non-nullable column. */
  INVALID_ROW: { id: 6, retryable: false },
  /** A table definition or column change that the catalog refuses. */
  INVALID_SCHEMA: { id: 7, retryable: false },
  TABLE_NOT_FOUND: { id: 8, retryable: false },
  TABLE_ALREADY_EXISTS: { id: 9, retryable: false },
  COLUMN_ALREADY_EXISTS: { id: 10, retryable: false },
  /** The request was written with a schema version the server does not expect; the error carries the expected one. */
  SCHEMA_VERSION_MISMATCH: { id: 11, retryable: true },
  /** The receiving node is not the primary of the partition and could not forward. */
  NOT_PRIMARY: { id: 12, retryable: true },
  /** The partition moved to another node while the request was in flight. */
  PARTITION_MOVED: { id: 13, retryable: true },
  /** The node that owns the partition cannot be reached right now. */
  NODE_UNAVAILABLE: { id: 14, retryable: true },
  /** The node sheds load; try again later. */
  OVERLOADED: { id: 15, retryable: true },
  /** A write-write conflict: another transaction wrote the key first (first committer wins). */
  TX_CONFLICT: { id: 16, retryable: true },
  /** The transaction is unknown, already finished, or was aborted. */
  TX_NOT_ACTIVE: { id: 17, retryable: false },
  /** No response arrived within the request timeout. */
  REQUEST_TIMEOUT: { id: 18, retryable: true },
  /** The connection closed while the request was in flight; its outcome is unknown. */
  CONNECTION_LOST: { id: 19, retryable: true },
  /** No receiver is deployed under the requested name. */
  RECEIVER_NOT_FOUND: { id: 20, retryable: false },
  /** A receiver threw or rejected while processing a batch. */
  RECEIVER_FAILED: { id: 21, retryable: false },
  /** The operation was cancelled by its caller (an AbortSignal). */
  CANCELLED: { id: 22, retryable: false },
  /** A bad argument or option given by the caller. */
  INVALID_ARGUMENT: { id: 23, retryable: false },
  /** A bug or an unexpected state on the server. */
  INTERNAL: { id: 24, retryable: false },
  /** The client or node has been closed. */
  CLOSED: { id: 25, retryable: false },
  /** The caller's source (iterable, stream, Observable, publisher) threw or errored. */
  SOURCE_FAILED: { id: 26, retryable: false },
  /** A caller's callback (e.g. the streamer's `onBatch`) threw or rejected. */
  CALLBACK_FAILED: { id: 27, retryable: false },
  /** A source that cannot be paused (an Observable) outran its bounded buffer (`maxBufferedItems`). */
  BUFFER_OVERFLOW: { id: 28, retryable: false },
  /**
   * A batch or seal of a producer's epoch that can no longer apply: a newer epoch of the same producer
   * started (another run took over), or this epoch was sealed on the partition.
   */
  PRODUCER_FENCED: { id: 29, retryable: false },
  /** One item is larger than a batch may be (`pageBytes`): it can never be sent. */
  ROW_TOO_LARGE: { id: 30, retryable: false },
  /**
   * A Raft membership change cannot start yet: the previous one is not committed, the leader has not
   * committed an entry of its own term, or the learner to promote has not caught up.
   */
  MEMBERSHIP_CHANGE_NOT_READY: { id: 35, retryable: true },
  /**
   * A replicated partition has no primary that can reach a majority of its replicas right now (an election
   * or a lease hand-over in progress, or a majority down or cut off): the write was not taken, or its
   * outcome is unknown; retry once a majority is back.
   */
  NO_QUORUM: { id: 36, retryable: true },
  /**
   * Credentials were missing or wrong (a client's user name and password, a node peer's proof of the
   * cluster secret): the connection is refused and closed. Retrying with the same credentials cannot help.
   */
  AUTHENTICATION_FAILED: { id: 31, retryable: false },
  /**
   * A hybrid-clock timestamp from a peer lies further ahead of this node's physical clock than its
   * `maxClockOffsetMs`, or a node's stored clock high-water mark does: refused before it touches the clock.
   */
  CLOCK_OFFSET_EXCEEDED: { id: 32, retryable: false },
  /**
   * A streamer batch came before its turn: the partition has not applied the producer's previous batch of
   * that epoch yet (a client with several batches of a partition under way, whose earlier one is being
   * retried). Sent again, it applies once the earlier one did.
   */
  OUT_OF_ORDER_BATCH: { id: 40, retryable: true },
  /**
   * The node's copy of the metastorage is older than the request: it names a table or schema version from a
   * newer catalog than the node has learned. The node is catching up through its watch; sent again (here or
   * to another node), it is served.
   */
  STALE_METADATA: { id: 43, retryable: true },
} as const satisfies Record<string, { readonly id: number; readonly retryable: boolean }>;

/** The name of an error code, e.g. `'SCHEMA_VERSION_MISMATCH'`. */
export type ErrorCode = keyof typeof ErrorCodes;

const byId = new Map<number, ErrorCode>(
  (Object.keys(ErrorCodes) as ErrorCode[]).map((code) => [ErrorCodes[code].id, code]),
);

/** The code whose wire id is `id`, or `undefined` for an id this version does not know. */
export function errorCodeFromId(id: number): ErrorCode | undefined {
  return byId.get(id);
}

/** Whether an error with this code may succeed when retried. */
export function isRetryableCode(code: ErrorCode): boolean {
  return ErrorCodes[code].retryable;
}
