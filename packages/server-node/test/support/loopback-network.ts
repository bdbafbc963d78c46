/**
 * A tiny in-memory `Transport` for tests: named endpoints with acceptors, connections whose bytes arrive in
 * order one microtask later (never inside the `send` call, so no handler re-enters its caller), a graceful
 * close that delivers the bytes sent before it, and endpoints that can be made unreachable. No faults, no
 * delays: the simulated network of sim-cluster is the place for those.
 */

import {
  type Acceptor,
  type Connection,
  type ConnectionListener,
  ProtocolError,
  type Transport,
} from '@datastreamer/protocol';

class LoopbackEnd implements Connection {
  readonly local: string;
  readonly remote: string;
  peer: LoopbackEnd | undefined;
  #open = true;
  #listener: ConnectionListener | undefined;
  readonly #held: Uint8Array[] = [];
  #heldClose = false;
  #closeDelivered = false;
  readonly #sent: Uint8Array[];

  constructor(local: string, remote: string, sent: Uint8Array[]) {
    this.local = local;
    this.remote = remote;
    this.#sent = sent;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  setListener(listener: ConnectionListener): void {
    this.#listener = listener;
    for (const chunk of this.#held.splice(0)) listener.data(chunk);
    if (this.#heldClose) this.#deliverClose();
  }

  send(bytes: Uint8Array): void {
    if (!this.#open) throw new ProtocolError('CONNECTION_LOST', `${this.local} -> ${this.remote} is closed`);
    this.#sent.push(bytes);
    const peer = this.peer;
    queueMicrotask(() => peer?.receive(bytes));
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const peer = this.peer;
    queueMicrotask(() => {
      peer?.remoteClosed();
      this.#deliverClose();
    });
  }

  receive(bytes: Uint8Array): void {
    if (this.#closeDelivered) return;
    if (this.#listener === undefined) this.#held.push(bytes);
    else this.#listener.data(bytes);
  }

  remoteClosed(): void {
    this.#open = false;
    this.#deliverClose();
  }

  #deliverClose(): void {
    if (this.#closeDelivered) return;
    if (this.#listener === undefined) {
      this.#heldClose = true;
      return;
    }
    this.#closeDelivered = true;
    this.#listener.close();
  }
}

export class LoopbackNetwork {
  readonly #acceptors = new Map<string, Acceptor>();
  readonly #unreachable = new Set<string>();
  /** Every chunk every endpoint sent, by sender name (for tests that look at the bytes). */
  readonly sent = new Map<string, Uint8Array[]>();

  /** Makes `name` reachable, its connections handed to `acceptor`. */
  listen(name: string, acceptor: Acceptor): void {
    this.#acceptors.set(name, acceptor);
  }

  /** Makes `name` unreachable (connecting fails with `NODE_UNAVAILABLE`) or reachable again. */
  setReachable(name: string, reachable: boolean): void {
    if (reachable) this.#unreachable.delete(name);
    else this.#unreachable.add(name);
  }

  /** The transport endpoint `local` connects with. */
  transport(local: string): Transport {
    return { connect: (endpoint) => this.connect(local, endpoint) };
  }

  /** Opens a connection from `local` to `remote`; the acceptor of `remote` gets the other end. */
  async connect(local: string, remote: string): Promise<Connection> {
    await Promise.resolve();
    const acceptor = this.#acceptors.get(remote);
    if (acceptor === undefined || this.#unreachable.has(remote)) {
      throw new ProtocolError('NODE_UNAVAILABLE', `${remote} cannot be reached from ${local}`);
    }
    const mine = new LoopbackEnd(local, remote, this.#sentBy(local));
    const theirs = new LoopbackEnd(remote, local, this.#sentBy(remote));
    mine.peer = theirs;
    theirs.peer = mine;
    acceptor(theirs);
    return mine;
  }

  #sentBy(name: string): Uint8Array[] {
    let list = this.sent.get(name);
    if (list === undefined) {
      list = [];
      this.sent.set(name, list);
    }
    return list;
  }
}
