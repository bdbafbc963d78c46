/**
 * One side of a simulated connection, as the client or node holding it sees it: the `Connection` contract
 * and nothing else. All state lives in the connection pair behind it (see `connection-pair.ts`); this class
 * only says which side it is.
 */
import type { Connection, ConnectionListener } from '@datastreamer/protocol';

/** Side 0 opened the connection, side 1 accepted it. */
export type Side = 0 | 1;

/** What a side needs from the pair that owns it. */
export interface ConnectionCore {
  isOpen(side: Side): boolean;
  setListener(side: Side, listener: ConnectionListener): void;
  send(side: Side, bytes: Uint8Array): void;
  close(side: Side): void;
}

/** One side of a simulated connection. */
export class SimConnection implements Connection {
  /** The connection's number in its network (shared by both sides, as in the network's events). */
  readonly id: number;
  readonly local: string;
  readonly remote: string;
  readonly #core: ConnectionCore;
  readonly #side: Side;

  constructor(core: ConnectionCore, side: Side, id: number, local: string, remote: string) {
    this.#core = core;
    this.#side = side;
    this.id = id;
    this.local = local;
    this.remote = remote;
  }

  /** False once this side closed, was reset, or learnt that the other side closed. */
  get isOpen(): boolean {
    return this.#core.isOpen(this.#side);
  }

  /**
   * Sets (or replaces) the listener. Units that arrived before, and a close that happened before, are
   * handed to it at once, in order.
   */
  setListener(listener: ConnectionListener): void {
    this.#core.setListener(this.#side, listener);
  }

  /**
   * Sends `bytes` as one unit. The bytes are copied, so the caller may reuse its buffer. When the other
   * side already closed (and this side has not learnt it yet), the unit is lost, as it would be on a real
   * connection. When the unit would put more than `maxInFlightBytes` in flight, the connection is reset
   * instead (both sides get `close(error)`); `send` itself does not throw then.
   *
   * @throws ProtocolError `CONNECTION_LOST` when this side is closed.
   */
  send(bytes: Uint8Array): void {
    this.#core.send(this.#side, bytes);
  }

  /**
   * Closes both directions. Units this side sent before still arrive, then the other side gets `close()`;
   * units on their way to this side are discarded. This side's listener also gets `close()` (after the
   * current event). Idempotent.
   */
  close(): void {
    this.#core.close(this.#side);
  }
}
