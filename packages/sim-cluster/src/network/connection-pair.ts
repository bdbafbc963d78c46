/**
 * Both sides of one simulated connection and the two pipes between them: set-up, data with faults, close
 * and reset. The network creates one per `connect` and keeps it until both sides are closed.
 *
 * Life of a connection (side 0 opened it, side 1 accepted it):
 * - `connecting`: an `open` unit travels to side 1. On arrival the network admits it (side 1 opens, its
 *   acceptor gets the connection, an `accept` unit travels back) or refuses it (a `refuse` unit travels
 *   back). Side 0 opens, and `connect` resolves, when `accept` arrives; `refuse` rejects it. So a connect
 *   costs one round trip, and a refusal arrives after the same simulated delay.
 * - `open`: each `send` is one data unit; faults are drawn per unit, at send time, from the network's `Rng`
 *   (always the same four draws per unit, so a probability change never shifts later draws).
 * - `closed`: by `close` (graceful: the sender's units still arrive, then a `close` unit), by a reset (both
 *   sides at once, everything in flight lost), or on the arrival of the other side's `close`.
 *
 * Listeners hear about a reset or their own close after the current event (a clock timer at 0), never from
 * inside the call that caused it, so a fault injected from a listener or a test cannot re-enter the code it
 * interrupts. A close that arrives over the wire is handed over at once, behind the data before it.
 */
import {
  type Acceptor,
  type Clock,
  type ConnectionListener,
  ProtocolError,
  type Rng,
} from '@datastreamer/protocol';
import { InFlightPipe, type InFlightUnit, UnitKinds } from './in-flight-pipe.js';
import type { NetworkEvent, RefusalReason, ResetReason } from './network-event.js';
import { type ResolvedFaults, sampleDelay } from './network-faults.js';
import type { NetworkCounters } from './network-stats.js';
import { type ConnectionCore, type Side, SimConnection } from './sim-connection.js';
import { SimNetworkError } from './sim-network-error.js';

/** What a pair needs from its network. */
export interface PairHost {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly counters: NetworkCounters;
  /** Per direction of a connection; a send that would exceed it resets the connection. */
  readonly maxInFlightBytes: number;
  /** The faults in force on the link `linkKey` now. */
  faults(linkKey: string): ResolvedFaults;
  clogEnd(from: string, to: string): number;
  isOneWayCut(from: string, to: string): boolean;
  /** On the arrival of an `open`: the acceptor of `to`, or why `from` cannot connect to it. */
  admit(from: string, to: string): Acceptor | RefusalReason;
  emit(event: NetworkEvent): void;
  /** Both sides are closed: the pair is done and leaves the network's table. */
  retire(pair: ConnectionPair): void;
}

type SideState = 'connecting' | 'open' | 'closed';

/** One side's state. */
class SideSlot {
  state: SideState = 'connecting';
  listener: ConnectionListener | undefined;
  /** Data that arrived before a listener was set, in order. */
  readonly held: Uint8Array[] = [];
  /** Why this side closed (`undefined`: a graceful close). */
  closeError: Error | undefined;
  /** Closed, and the listener was not told yet. */
  closePending = false;
}

/** The first unit of each direction carries the preamble and the handshake (both sides send them in one `send`): never duplicated. */
const HANDSHAKE_UNITS = 1;

const RESET_MESSAGES: Readonly<Record<ResetReason, string>> = {
  partition: 'a network partition separates the endpoints',
  isolate: 'an endpoint was isolated from the network',
  disconnect: 'the network disconnected the endpoints',
  down: 'an endpoint went down',
  fault: 'reset by an injected fault',
  overflow: 'a send exceeded the bytes allowed in flight in one direction',
};

const REFUSAL_MESSAGES: Readonly<Record<RefusalReason, string>> = {
  'not-listening': 'nothing listens there',
  down: 'an endpoint is down',
  cut: 'the network between them is cut',
};

function otherSide(side: Side): Side {
  return side === 0 ? 1 : 0;
}

export class ConnectionPair implements ConnectionCore {
  readonly id: number;
  /** `[opener, acceptor]`. */
  readonly names: readonly [string, string];
  readonly linkKey: string;
  /** `[opener's side, acceptor's side]`. */
  readonly connections: readonly [SimConnection, SimConnection];
  readonly #host: PairHost;
  readonly #slots: readonly [SideSlot, SideSlot] = [new SideSlot(), new SideSlot()];
  /** Data units sent so far, per side. */
  readonly #unitsSent: [number, number] = [0, 0];
  /** `#pipes[s]` carries units sent BY side `s`. */
  readonly #pipes: readonly [InFlightPipe, InFlightPipe];
  #resolve: ((connection: SimConnection) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  #refusal: RefusalReason = 'not-listening';
  #retired = false;

  /** Starts the connection: sends the `open` unit. `resolve`/`reject` settle the caller's `connect`. */
  constructor(
    host: PairHost,
    id: number,
    from: string,
    to: string,
    linkKey: string,
    resolve: (connection: SimConnection) => void,
    reject: (error: Error) => void,
  ) {
    this.#host = host;
    this.id = id;
    this.names = [from, to];
    this.linkKey = linkKey;
    this.#resolve = resolve;
    this.#reject = reject;
    this.connections = [new SimConnection(this, 0, id, from, to), new SimConnection(this, 1, id, to, from)];
    this.#pipes = [
      new InFlightPipe(
        host.clock,
        () => host.clogEnd(from, to),
        (unit) => this.#arrive(1, unit),
      ),
      new InFlightPipe(
        host.clock,
        () => host.clogEnd(to, from),
        (unit) => this.#arrive(0, unit),
      ),
    ];
    this.#pipes[0].pushControl(UnitKinds.open, this.#delay());
  }

  /** Data units in flight in both directions. */
  get unitsInFlight(): number {
    return this.#pipes[0].dataUnits + this.#pipes[1].dataUnits;
  }

  /** Re-computes both pipes' next delivery: after clogs were lifted early. */
  rearm(): void {
    this.#pipes[0].rearm();
    this.#pipes[1].rearm();
  }

  /** Whether either side is `name`. */
  touches(name: string): boolean {
    return this.names[0] === name || this.names[1] === name;
  }

  /** Whether the pair joins `a` and `b` (in either direction). */
  joins(a: string, b: string): boolean {
    const [x, y] = this.names;
    return (x === a && y === b) || (x === b && y === a);
  }

  isOpen(side: Side): boolean {
    return this.#slots[side].state === 'open';
  }

  setListener(side: Side, listener: ConnectionListener): void {
    const slot = this.#slots[side];
    slot.listener = listener;
    // `shift` rather than an index: a listener may replace itself while held data is handed over, and the
    // rest then goes to the new one (its own `setListener` call drains it).
    while (slot.listener === listener && slot.held.length > 0) {
      listener.data(slot.held.shift() as Uint8Array);
    }
    this.#deliverClose(side);
  }

  send(side: Side, bytes: Uint8Array): void {
    const slot = this.#slots[side];
    if (slot.state !== 'open') {
      throw new ProtocolError(
        'CONNECTION_LOST',
        `connection ${this.id} (${this.connections[side].local} -> ${this.connections[side].remote}) is closed`,
        slot.closeError === undefined ? {} : { cause: slot.closeError },
      );
    }
    const host = this.#host;
    const counters = host.counters;
    const length = bytes.length;
    counters.unitsSent++;
    counters.bytesSent += length;
    if (this.#slots[otherSide(side)].state === 'closed') {
      // The other side closed and its `close` is still on the way: a real socket would accept the bytes
      // and the peer would throw them away.
      counters.unitsDiscarded++;
      return;
    }
    const pipe = this.#pipes[side];
    if (pipe.dataBytes + length > host.maxInFlightBytes) {
      counters.unitsDiscarded++;
      this.reset('overflow');
      return;
    }
    const faults = host.faults(this.linkKey);
    const rng = host.rng;
    const dropped = rng.chance(faults.drop);
    // The draw always happens, so the `net` stream's positions do not depend on it. A connection's first
    // unit per direction (the preamble and the handshake) is never duplicated: a duplicate models a message
    // delivered twice above the framing, and a repeated preamble would only corrupt the byte stream, which a
    // real connection never does.
    const unitIndex = this.#unitsSent[side]++;
    const duplicated = rng.chance(faults.duplicate) && unitIndex >= HANDSHAKE_UNITS;
    const resetOnArrival = rng.chance(faults.reset);
    const delay = sampleDelay(rng, faults);
    const from = this.connections[side].local;
    const to = this.connections[side].remote;
    if (dropped) {
      counters.unitsDropped++;
      host.emit({
        kind: 'drop',
        atMs: host.clock.now(),
        from,
        to,
        connectionId: this.id,
        bytes: length,
        cause: 'fault',
      });
      return;
    }
    // A copy, so the sender may reuse its buffer; a plain Uint8Array even when given a Buffer.
    const copy = new Uint8Array(bytes);
    pipe.pushData(copy, delay, !faults.reorder, resetOnArrival);
    if (duplicated) {
      counters.unitsDuplicated++;
      host.emit({
        kind: 'duplicate',
        atMs: host.clock.now(),
        from,
        to,
        connectionId: this.id,
        bytes: length,
      });
      // Its own copy: the receiver may keep or change the first one.
      pipe.pushData(new Uint8Array(copy), sampleDelay(rng, faults), !faults.reorder, false);
    }
  }

  close(side: Side): void {
    const slot = this.#slots[side];
    if (slot.state === 'closed') {
      return;
    }
    slot.state = 'closed';
    this.#host.counters.unitsDiscarded += this.#pipes[otherSide(side)].clear();
    if (this.#slots[otherSide(side)].state !== 'closed') {
      this.#pipes[side].pushControl(UnitKinds.close, this.#delay());
    }
    this.#scheduleClose(side);
    this.#retireIfDone();
  }

  /**
   * Resets the connection now: everything in flight is lost, both sides are closed with a
   * `ProtocolError` `CONNECTION_LOST` (their listeners hear it after the current event), and a `connect`
   * still waiting for this connection rejects with `NODE_UNAVAILABLE`. No-op once the pair is done.
   */
  reset(reason: ResetReason): void {
    if (this.#retired) {
      return;
    }
    const host = this.#host;
    const [from, to] = this.names;
    const error = new ProtocolError(
      'CONNECTION_LOST',
      `connection ${this.id} (${from} -> ${to}) reset: ${RESET_MESSAGES[reason]}`,
    );
    host.counters.connectionsReset++;
    host.counters.unitsDiscarded += this.#pipes[0].clear() + this.#pipes[1].clear();
    host.emit({ kind: 'reset', atMs: host.clock.now(), from, to, connectionId: this.id, reason });
    for (const side of [0, 1] as const) {
      const slot = this.#slots[side];
      const was = slot.state;
      if (was === 'closed') {
        continue;
      }
      slot.state = 'closed';
      slot.closeError = error;
      if (was === 'open') {
        this.#scheduleClose(side);
      } else if (side === 0) {
        // Never handed out: the caller's `connect` fails instead.
        host.counters.connectionsRefused++;
        this.#settle(
          new ProtocolError(
            'NODE_UNAVAILABLE',
            `cannot connect ${from} -> ${to}: the connection was reset while being set up (${RESET_MESSAGES[reason]})`,
            { cause: error },
          ),
        );
      }
    }
    this.#retire();
  }

  #delay(): number {
    return sampleDelay(this.#host.rng, this.#host.faults(this.linkKey));
  }

  /** A unit from the other side reached `side`. */
  #arrive(side: Side, unit: InFlightUnit): void {
    switch (unit.kind) {
      case UnitKinds.data:
        this.#arriveData(side, unit);
        return;
      case UnitKinds.open:
        this.#arriveOpen();
        return;
      case UnitKinds.accept:
        this.#slots[0].state = 'open';
        this.#settle(this.connections[0]);
        return;
      case UnitKinds.refuse:
        this.#arriveRefuse();
        return;
      case UnitKinds.close:
        this.#arriveClose(side);
        return;
      default: {
        const never: never = unit.kind;
        throw new SimNetworkError('INTERNAL', `unknown unit kind ${String(never)}`);
      }
    }
  }

  #arriveData(side: Side, unit: InFlightUnit): void {
    const host = this.#host;
    const counters = host.counters;
    if (unit.resetOnArrival) {
      counters.unitsDiscarded++;
      this.reset('fault');
      return;
    }
    const to = this.connections[side].local;
    const from = this.connections[side].remote;
    if (host.isOneWayCut(from, to)) {
      counters.unitsDropped++;
      host.emit({
        kind: 'drop',
        atMs: host.clock.now(),
        from,
        to,
        connectionId: this.id,
        bytes: unit.bytes.length,
        cause: 'cut',
      });
      return;
    }
    const slot = this.#slots[side];
    if (slot.state === 'closed') {
      // Unreachable while a closing side clears the pipe towards it; kept so the counters stay exact.
      counters.unitsDiscarded++;
      return;
    }
    counters.unitsDelivered++;
    counters.bytesDelivered += unit.bytes.length;
    if (slot.listener === undefined) {
      slot.held.push(unit.bytes);
    } else {
      slot.listener.data(unit.bytes);
    }
  }

  #arriveOpen(): void {
    const [from, to] = this.names;
    const admitted = this.#host.admit(from, to);
    if (typeof admitted !== 'function') {
      this.#slots[1].state = 'closed';
      this.#refusal = admitted;
      this.#pipes[1].pushControl(UnitKinds.refuse, this.#delay());
      return;
    }
    this.#slots[1].state = 'open';
    this.#host.counters.connectionsOpened++;
    // Queued before the acceptor runs, so whatever it sends travels behind the `accept`.
    this.#pipes[1].pushControl(UnitKinds.accept, this.#delay());
    admitted(this.connections[1]);
  }

  #arriveRefuse(): void {
    const host = this.#host;
    const [from, to] = this.names;
    this.#slots[0].state = 'closed';
    host.counters.connectionsRefused++;
    host.emit({
      kind: 'refuse',
      atMs: host.clock.now(),
      from,
      to,
      connectionId: this.id,
      reason: this.#refusal,
    });
    this.#settle(
      new ProtocolError(
        'NODE_UNAVAILABLE',
        `cannot connect ${from} -> ${to}: ${REFUSAL_MESSAGES[this.#refusal]}`,
      ),
    );
    this.#retire();
  }

  #arriveClose(side: Side): void {
    const slot = this.#slots[side];
    if (slot.state === 'closed') {
      return;
    }
    slot.state = 'closed';
    slot.closePending = true;
    this.#deliverClose(side);
    this.#retireIfDone();
  }

  /** Resolves (with a connection) or rejects (with an error) the pending `connect`, once. */
  #settle(outcome: SimConnection | Error): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = undefined;
    this.#reject = undefined;
    if (outcome instanceof SimConnection) {
      resolve?.(outcome);
    } else {
      reject?.(outcome);
    }
  }

  #scheduleClose(side: Side): void {
    this.#slots[side].closePending = true;
    this.#host.clock.setTimer(0, () => this.#deliverClose(side));
  }

  /** Tells the listener that `side` closed, if it was not told yet, has a listener and no held data left. */
  #deliverClose(side: Side): void {
    const slot = this.#slots[side];
    if (!slot.closePending || slot.listener === undefined || slot.held.length > 0) {
      return;
    }
    slot.closePending = false;
    slot.listener.close(slot.closeError);
  }

  #retireIfDone(): void {
    if (this.#slots[0].state === 'closed' && this.#slots[1].state === 'closed') {
      this.#retire();
    }
  }

  #retire(): void {
    if (!this.#retired) {
      this.#retired = true;
      this.#host.retire(this);
    }
  }
}
