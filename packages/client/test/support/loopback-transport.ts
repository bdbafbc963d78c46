/**
 * Test support: an in-memory `Transport`. Each `connect` makes a pair of connected `Connection`s and hands
 * the accepting side to whoever listens on the endpoint. Bytes are delivered on a microtask (never
 * synchronously inside `send`, as on a real socket), optionally cut into small chunks so frame reassembly
 * is exercised. Endpoints can be made unreachable and their connections cut.
 *
 * It does not simulate latency or loss (the fake node's hooks do that) and reads no platform time.
 */
import {
  type Acceptor,
  type Clock,
  type Connection,
  type ConnectionListener,
  ProtocolError,
  type Transport,
} from '@datastreamer/protocol';

interface Pending {
  readonly kind: 'data' | 'close';
  readonly chunk?: Uint8Array;
  readonly error?: Error;
}

/** One side of an in-memory connection. */
export class LoopbackConnection implements Connection {
  readonly local: string;
  readonly remote: string;
  peer: LoopbackConnection | undefined;
  /** Every send of this side, in order (copies). */
  readonly sent: Uint8Array[] = [];
  #open = true;
  #listener: ConnectionListener | undefined;
  readonly #held: Pending[] = [];
  readonly #chunkSize: number;

  constructor(local: string, remote: string, chunkSize: number) {
    this.local = local;
    this.remote = remote;
    this.#chunkSize = chunkSize;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  setListener(listener: ConnectionListener): void {
    this.#listener = listener;
    for (const event of this.#held.splice(0)) this.#dispatch(event);
  }

  send(bytes: Uint8Array): void {
    if (!this.#open) throw new ProtocolError('CONNECTION_LOST', `${this.local} -> ${this.remote}: closed`);
    const peer = this.peer;
    if (peer === undefined) return;
    const copy = bytes.slice();
    this.sent.push(copy);
    for (let at = 0; at < copy.length; at += this.#chunkSize) {
      const chunk = copy.subarray(at, Math.min(copy.length, at + this.#chunkSize));
      queueMicrotask(() => peer.#deliver({ kind: 'data', chunk }));
    }
  }

  close(): void {
    this.#reset(undefined);
  }

  /** Closes both sides; each side's listener gets `close(error)`. */
  reset(error: Error | undefined): void {
    this.#reset(error);
  }

  #reset(error: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    const peer = this.peer;
    if (peer?.isOpen === true) {
      peer.#open = false;
      queueMicrotask(() => peer.#deliver(error === undefined ? { kind: 'close' } : { kind: 'close', error }));
    }
    if (error !== undefined) queueMicrotask(() => this.#deliver({ kind: 'close', error }));
  }

  #deliver(event: Pending): void {
    if (this.#listener === undefined) this.#held.push(event);
    else this.#dispatch(event);
  }

  #dispatch(event: Pending): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    if (event.kind === 'data' && event.chunk !== undefined) listener.data(event.chunk);
    else if (event.kind === 'close') listener.close(event.error);
  }
}

export interface LoopbackTransportOptions {
  /** Deliver bytes in chunks of at most this many bytes. Default: whole sends. */
  readonly chunkSize?: number;
  /** Stamps connection attempts (to check reconnect backoff). Default: none. */
  readonly clock?: Clock;
}

/** An attempt to connect, as the transport saw it. */
export interface ConnectAttempt {
  readonly endpoint: string;
  readonly at: number;
  readonly ok: boolean;
}

/** The in-memory transport. */
export class LoopbackTransport implements Transport {
  readonly #acceptors = new Map<string, Acceptor>();
  readonly #unreachable = new Set<string>();
  readonly #connections = new Map<string, LoopbackConnection[]>();
  readonly #chunkSize: number;
  readonly #clock: Clock | undefined;
  readonly attempts: ConnectAttempt[] = [];
  #clients = 0;

  constructor(options: LoopbackTransportOptions = {}) {
    this.#chunkSize = options.chunkSize ?? Number.MAX_SAFE_INTEGER;
    this.#clock = options.clock;
  }

  /** Accepts connections to `endpoint` with `acceptor`. */
  listen(endpoint: string, acceptor: Acceptor): void {
    this.#acceptors.set(endpoint, acceptor);
  }

  /** Makes `endpoint` refuse (or accept again) new connections. */
  setReachable(endpoint: string, reachable: boolean): void {
    if (reachable) this.#unreachable.delete(endpoint);
    else this.#unreachable.add(endpoint);
  }

  /** Resets every open connection to `endpoint` (both sides see a close with an error). */
  cut(endpoint: string): void {
    for (const connection of this.#connections.get(endpoint) ?? []) {
      connection.reset(new Error(`connection to ${endpoint} reset`));
    }
  }

  /** Client-side connections opened to `endpoint`, open or not, oldest first. */
  clientConnections(endpoint: string): readonly LoopbackConnection[] {
    return this.#connections.get(endpoint) ?? [];
  }

  /** Client-side connections opened to `endpoint` and still open. */
  openConnections(endpoint: string): number {
    return (this.#connections.get(endpoint) ?? []).filter((c) => c.isOpen).length;
  }

  async connect(endpoint: string): Promise<Connection> {
    await Promise.resolve();
    const acceptor = this.#acceptors.get(endpoint);
    const ok = acceptor !== undefined && !this.#unreachable.has(endpoint);
    this.attempts.push({ endpoint, at: this.#clock?.now() ?? 0, ok });
    if (acceptor === undefined || !ok) {
      throw new ProtocolError('NODE_UNAVAILABLE', `${endpoint} cannot be reached`);
    }
    this.#clients++;
    const name = `client-${this.#clients}`;
    const clientSide = new LoopbackConnection(name, endpoint, this.#chunkSize);
    const nodeSide = new LoopbackConnection(endpoint, name, this.#chunkSize);
    clientSide.peer = nodeSide;
    nodeSide.peer = clientSide;
    const list = this.#connections.get(endpoint) ?? [];
    list.push(clientSide);
    this.#connections.set(endpoint, list);
    acceptor(nodeSide);
    return clientSide;
  }
}
