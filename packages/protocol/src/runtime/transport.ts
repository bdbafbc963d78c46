/**
 * How bytes move between a client and a node, or between nodes. A connection carries a byte stream in each
 * direction, in order; framing is the protocol's job (see `FrameDecoder`), so the frame codec runs over every
 * transport, simulated or real, and framing bugs surface in the simulation.
 */
export interface Transport {
  /**
   * Opens a connection to `endpoint` (a node name in the simulation, `host:port` over TCP).
   * Rejects with a `ProtocolError` of code `NODE_UNAVAILABLE` when the endpoint cannot be reached.
   */
  connect(endpoint: string): Promise<Connection>;
}

/** Receives what arrives on a connection. */
export interface ConnectionListener {
  /** A chunk of bytes, in order; chunk boundaries mean nothing. */
  data(chunk: Uint8Array): void;
  /** The connection is closed, by either side or by a failure (`error` says which); no data follows. */
  close(error?: Error): void;
}

/** One open, ordered, bidirectional byte stream. */
export interface Connection {
  /** The name of this side's endpoint, e.g. `client-1`. */
  readonly local: string;
  /** The name of the other side's endpoint, e.g. `node-2`. */
  readonly remote: string;
  /** Whether `send` still delivers. */
  readonly isOpen: boolean;
  /** Sets the listener; bytes that arrived before one was set are held and delivered to it. */
  setListener(listener: ConnectionListener): void;
  /** Queues bytes for the other side. Throws `ProtocolError` `CONNECTION_LOST` when the connection is closed. */
  send(bytes: Uint8Array): void;
  /** Closes both directions; the other side's listener gets `close()`. Idempotent. */
  close(): void;
}

/** Accepts connections for a node: called once per incoming connection. */
export type Acceptor = (connection: Connection) => void;
