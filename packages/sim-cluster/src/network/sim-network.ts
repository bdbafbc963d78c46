/**
 * The simulated network: named endpoints, connections between them that carry byte units with simulated
 * delays, and the faults a test or the cluster injects (drop, duplicate, reset, delay, reorder, clog,
 * partition, isolation, one-way cut, disconnect, endpoint down/up).
 *
 * Model, in short (details on each method):
 * - An endpoint is a name. `listen(name, acceptor)` makes it accept connections; `transport(name)` is the
 *   `Transport` an endpoint (client or node) opens connections with. A connect costs one simulated round
 *   trip and fails with `ProtocolError` `NODE_UNAVAILABLE` when nothing listens, an endpoint is down, or a
 *   cut lies between.
 * - Each `send` is one unit. The protocol sends one whole frame per `send`, so a dropped or duplicated unit
 *   is a dropped or duplicated frame, and the frame decoder on the other side stays aligned.
 * - A link is the UNORDERED pair of two endpoints: `setFaults({ between: [a, b] })` and `clog([a, b])`
 *   act on both directions between them. Order, delays and capacity are per connection and direction.
 * - `drop` is a pure loss: the unit vanishes and the connection stays open, as when a frame is lost at the
 *   application boundary. A real TCP connection never loses bytes silently, so this is the harsher fault:
 *   the sender learns of it only by its request timeout, which is exactly the path it must recover by. A
 *   loss that the sender can see is the `reset` fault (the connection dies with the unit and everything else
 *   in flight), or `disconnect`.
 * - Capacity: at most `maxInFlightBytes` of data per connection and direction (default 64 MiB). A send that
 *   would go over resets the connection, as a peer that stops reading eventually gets a sender killed; a
 *   client that respects its own in-flight limits never gets near it.
 *
 * Determinism: all randomness comes from the injected `Rng`, all time from the injected `Clock`, and every
 * iteration runs in insertion order, so the same seed and the same calls give the same deliveries.
 *
 * It does not frame, parse or look inside the bytes; it does not restart nodes (`up` only makes an endpoint
 * reachable again: a restarted node calls `listen` again).
 */
import {
  type Acceptor,
  type Clock,
  type Connection,
  type Logger,
  ProtocolError,
  type Rng,
  silentLogger,
  type Transport,
} from '@datastreamer/protocol';
import { ConnectionPair, type PairHost } from './connection-pair.js';
import { checkEndpointName, linkKey } from './endpoint-name.js';
import { NetworkCuts } from './network-cuts.js';
import type { NetworkEvent, NetworkEventListener, ResetReason } from './network-event.js';
import {
  checkDelayRange,
  checkFaults,
  type DelayRange,
  isEmptyFaults,
  type NetworkFaults,
  type NetworkFaultsInput,
  type ResolvedFaults,
  resolveFaults,
} from './network-faults.js';
import { NetworkCounters, type NetworkStats } from './network-stats.js';
import { SimNetworkError } from './sim-network-error.js';

/** Default `baseDelayMs`: every unit takes 1 ms one way. */
export const DEFAULT_BASE_DELAY_MS: DelayRange = [1, 1];
/** Default `maxInFlightBytes`: 64 MiB per connection and direction. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

export interface SimNetworkOptions {
  /** Where delays and clogs are measured; the `SimClock` in simulation. */
  readonly clock: Clock;
  /** The network's own random stream: pass the root generator's `child('net')`. */
  readonly rng: Rng;
  /** Fault events are logged at debug level. Default: silent. */
  readonly logger?: Logger;
  /** One-way delay `[min, max]` ms when no fault setting overrides it. Default {@link DEFAULT_BASE_DELAY_MS}. */
  readonly baseDelayMs?: DelayRange;
  /**
   * Data bytes allowed in flight per connection and direction; a send past it resets the connection.
   * Default {@link DEFAULT_MAX_IN_FLIGHT_BYTES}; `Infinity` for no limit.
   */
  readonly maxInFlightBytes?: number;
}

function checkGroup(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value)) {
    throw new SimNetworkError('INVALID_ARGUMENT', `${what} must be an array of endpoint names`);
  }
  return value.map((name, index) => checkEndpointName(name, `${what}[${index}]`));
}

function checkOverlap(groupA: readonly string[], groupB: readonly string[]): void {
  const inA = new Set(groupA);
  const both = groupB.find((name) => inA.has(name));
  if (both !== undefined) {
    throw new SimNetworkError('INVALID_ARGUMENT', `${both} is in both groups of the partition`);
  }
}

export class SimNetwork {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #baseDelayMs: DelayRange;
  readonly #acceptors = new Map<string, Acceptor>();
  readonly #transports = new Map<string, Transport>();
  /** Live connections by id: insertion order is creation order, so faults hit them in a fixed order. */
  readonly #pairs = new Map<number, ConnectionPair>();
  readonly #cuts = new NetworkCuts();
  readonly #counters = new NetworkCounters();
  #listeners: readonly NetworkEventListener[] = [];
  #globalFaults: NetworkFaults = {};
  readonly #linkFaults = new Map<string, NetworkFaults>();
  /** Effective faults per link, filled on demand and dropped whenever a setting changes. */
  readonly #resolved = new Map<string, ResolvedFaults>();
  #nextId = 1;
  readonly #host: PairHost;

  /**
   * @throws SimNetworkError `INVALID_ARGUMENT` when `clock` or `rng` is missing, `baseDelayMs` is not a
   *   valid range, or `maxInFlightBytes` is not a positive number.
   */
  constructor(options: SimNetworkOptions) {
    if (typeof options?.clock?.setTimer !== 'function' || typeof options.rng?.next !== 'function') {
      throw new SimNetworkError('INVALID_ARGUMENT', 'SimNetwork needs a clock and an rng');
    }
    const maxInFlightBytes = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
    if (!(maxInFlightBytes > 0)) {
      throw new SimNetworkError(
        'INVALID_ARGUMENT',
        `maxInFlightBytes must be a positive number or Infinity, got ${maxInFlightBytes}`,
      );
    }
    this.#clock = options.clock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'sim-network' });
    this.#baseDelayMs =
      options.baseDelayMs === undefined
        ? DEFAULT_BASE_DELAY_MS
        : checkDelayRange('baseDelayMs', options.baseDelayMs);
    const cuts = this.#cuts;
    this.#host = {
      clock: options.clock,
      rng: options.rng,
      counters: this.#counters,
      maxInFlightBytes,
      faults: (key) => this.#faultsOf(key),
      clogEnd: (from, to) => cuts.clogEnd(from, to),
      isOneWayCut: (from, to) => cuts.isOneWayCut(from, to),
      admit: (from, to) => cuts.refusal(from, to) ?? this.#acceptors.get(to) ?? 'not-listening',
      emit: (event) => this.#emit(event),
      retire: (pair) => {
        this.#pairs.delete(pair.id);
      },
    };
  }

  /**
   * Makes `name` accept connections: `acceptor` gets the accepting side of each. Allowed while `name` is
   * down (connections are refused until `up`).
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name, or when `name` already listens.
   */
  listen(name: string, acceptor: Acceptor): void {
    checkEndpointName(name, 'name');
    if (typeof acceptor !== 'function') {
      throw new SimNetworkError('INVALID_ARGUMENT', `the acceptor of ${name} must be a function`);
    }
    if (this.#acceptors.has(name)) {
      throw new SimNetworkError('INVALID_ARGUMENT', `${name} is already listening`);
    }
    this.#acceptors.set(name, acceptor);
  }

  /** Stops `name` accepting new connections; its open connections stay open (as closing a server socket). */
  unlisten(name: string): void {
    this.#acceptors.delete(name);
  }

  /** Whether `name` has an acceptor (whether it is reachable also depends on cuts and `down`). */
  isListening(name: string): boolean {
    return this.#acceptors.has(name);
  }

  /**
   * The `Transport` of endpoint `local` (one object per name). Its `connect(remote)` resolves after one
   * simulated round trip with `local`'s side of a new connection; it rejects with `ProtocolError`
   * `NODE_UNAVAILABLE` after that same delay when `remote` does not listen, is down or is cut off from
   * `local`, or the connection is reset while being set up; at once when `local` itself is down. A bad
   * remote name rejects with `ProtocolError` `INVALID_ARGUMENT`.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad `local` name.
   */
  transport(local: string): Transport {
    checkEndpointName(local, 'local');
    let transport = this.#transports.get(local);
    if (transport === undefined) {
      transport = { connect: (remote: string) => this.#connect(local, remote) };
      this.#transports.set(local, transport);
    }
    return transport;
  }

  /**
   * Sets the fault settings for every link, or for the link `between` (both directions). The settings
   * given replace the previous ones of the same scope; each field a link leaves out falls back to the
   * global setting, then to the default. Applies to units sent from now on. See {@link NetworkFaults}.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` naming the bad field.
   */
  setFaults(input: NetworkFaultsInput): void {
    const { faults, between } = checkFaults(input);
    if (between === undefined) {
      this.#globalFaults = faults;
    } else if (isEmptyFaults(faults)) {
      this.#linkFaults.delete(linkKey(between[0], between[1]));
    } else {
      this.#linkFaults.set(linkKey(between[0], between[1]), faults);
    }
    this.#resolved.clear();
    this.#emit({
      kind: 'faults',
      atMs: this.#clock.now(),
      ...(between === undefined ? {} : { between }),
      faults,
    });
  }

  /**
   * Symmetric partition: nothing passes between any endpoint of `groupA` and any of `groupB` until `heal`.
   * Connections between them are reset now (requests in flight lost, both sides get `close(error)`); new
   * connections between them fail. Names may be endpoints that do not exist yet.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name, or a name in both groups.
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    const a = checkGroup(groupA, 'groupA');
    const b = checkGroup(groupB, 'groupB');
    checkOverlap(a, b);
    for (const x of a) {
      for (const y of b) {
        this.#cuts.cut(x, y);
      }
    }
    this.#emit({ kind: 'partition', atMs: this.#clock.now(), groupA: a, groupB: b, oneWay: false });
    this.#resetWhere('partition', (pair) => this.#cuts.separates(pair.names[0], pair.names[1]));
  }

  /**
   * Asymmetric partition: data units from any endpoint of `from` to any of `to` are lost (counted as
   * drops with cause `'cut'`), the other direction flows. Open connections are NOT reset (a one-way loss
   * goes unnoticed until a timeout); new connections between the groups fail, either way, since a
   * handshake needs both directions. Connection set-up and close units are not affected. Until `heal`.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name, or a name in both groups.
   */
  partitionOneWay(from: readonly string[], to: readonly string[]): void {
    const a = checkGroup(from, 'from');
    const b = checkGroup(to, 'to');
    checkOverlap(a, b);
    for (const x of a) {
      for (const y of b) {
        this.#cuts.cutOneWay(x, y);
      }
    }
    this.#emit({ kind: 'partition', atMs: this.#clock.now(), groupA: a, groupB: b, oneWay: true });
  }

  /**
   * Cuts `name` from every other endpoint, including ones that appear later, until `heal`: its connections
   * are reset and new ones fail. Connections of `name` to itself are left alone.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name.
   */
  isolate(name: string): void {
    checkEndpointName(name, 'name');
    this.#cuts.isolate(name);
    this.#emit({ kind: 'isolate', atMs: this.#clock.now(), endpoint: name });
    this.#resetWhere('isolate', (pair) => this.#cuts.separates(pair.names[0], pair.names[1]));
  }

  /**
   * Resets every connection between `a` and `b` now, whichever opened it, including one still being set
   * up: units in flight are never delivered, both sides get `close(error)`. New connections are allowed.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name.
   */
  disconnect(a: string, b: string): void {
    checkEndpointName(a, 'a');
    checkEndpointName(b, 'b');
    this.#emit({ kind: 'disconnect', atMs: this.#clock.now(), from: a, to: b });
    this.#resetWhere('disconnect', (pair) => pair.joins(a, b));
  }

  /**
   * Holds every unit to and from an endpoint (`target` a name), or on a link (`target` a pair), for `ms`:
   * nothing is delivered until then, after which everything held flows in its usual order. Units are
   * not lost and connections stay open (so in-flight windows fill up). A later clog may extend an earlier
   * one, never shorten it; `heal` lifts it at once.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad target, or `ms` not a finite number >= 0.
   */
  clog(target: string | readonly [string, string], ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) {
      throw new SimNetworkError('INVALID_ARGUMENT', `clog ms must be a finite number >= 0, got ${ms}`);
    }
    const untilMs = this.#clock.now() + ms;
    if (typeof target === 'string') {
      this.#cuts.clogEndpoint(checkEndpointName(target, 'target'), untilMs);
      this.#emit({ kind: 'clog', atMs: this.#clock.now(), target, untilMs });
      return;
    }
    if (!Array.isArray(target) || target.length !== 2) {
      throw new SimNetworkError(
        'INVALID_ARGUMENT',
        `clog target must be an endpoint name or a pair of them, got ${JSON.stringify(target)}`,
      );
    }
    const a = checkEndpointName(target[0], 'target[0]');
    const b = checkEndpointName(target[1], 'target[1]');
    this.#cuts.clogLink(a, b, untilMs);
    this.#emit({ kind: 'clog', atMs: this.#clock.now(), target: [a, b], untilMs });
  }

  /**
   * Ends every fault: cuts, isolations and one-way cuts are lifted, clogs end now (held units flow), and
   * fault settings go back to the defaults. Connections reset earlier stay closed. Down endpoints stay down:
   * bringing a node back is `up` (and the node's restart).
   */
  heal(): void {
    this.#cuts.clearFaults();
    this.#globalFaults = {};
    this.#linkFaults.clear();
    this.#resolved.clear();
    this.#emit({ kind: 'heal', atMs: this.#clock.now() });
    for (const pair of [...this.#pairs.values()]) {
      pair.rearm();
    }
  }

  /**
   * Takes `name` off the network, as a crash does: its connections are reset (both sides get
   * `close(error)`, everything in flight to and from it is lost), its acceptor is removed (a crashed
   * process loses its listening socket: a restarted node calls `listen` again), and connections from or to
   * it fail until `up`.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name.
   */
  down(name: string): void {
    checkEndpointName(name, 'name');
    this.#cuts.setDown(name, true);
    this.#acceptors.delete(name);
    this.#emit({ kind: 'down', atMs: this.#clock.now(), endpoint: name });
    this.#resetWhere('down', (pair) => pair.touches(name));
  }

  /**
   * Puts `name` back on the network: connections from it are allowed again, and to it once it listens.
   *
   * @throws SimNetworkError `INVALID_ARGUMENT` for a bad name.
   */
  up(name: string): void {
    checkEndpointName(name, 'name');
    this.#cuts.setDown(name, false);
    this.#emit({ kind: 'up', atMs: this.#clock.now(), endpoint: name });
  }

  /** Whether `name` is down. */
  isDown(name: string): boolean {
    return this.#cuts.isDown(name);
  }

  /**
   * Calls `listener` with every event, synchronously, as it happens (from inside the `send`, fault call or
   * delivery that caused it, so it must not throw or call back into the network). Returns the function that
   * removes it.
   */
  onEvent(listener: NetworkEventListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** A snapshot of the counters (see {@link NetworkStats}). */
  get stats(): NetworkStats {
    let inFlight = 0;
    for (const pair of this.#pairs.values()) {
      inFlight += pair.unitsInFlight;
    }
    return this.#counters.snapshot(inFlight, this.#pairs.size);
  }

  #connect(local: string, remote: string): Promise<Connection> {
    try {
      checkEndpointName(remote, 'endpoint');
    } catch (error) {
      return Promise.reject(
        new ProtocolError('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error), {
          cause: error,
        }),
      );
    }
    const id = this.#nextId++;
    if (this.#cuts.isDown(local)) {
      this.#counters.connectionsRefused++;
      this.#emit({
        kind: 'refuse',
        atMs: this.#clock.now(),
        from: local,
        to: remote,
        connectionId: id,
        reason: 'down',
      });
      return Promise.reject(
        new ProtocolError('NODE_UNAVAILABLE', `cannot connect ${local} -> ${remote}: ${local} is down`),
      );
    }
    return new Promise<Connection>((resolve, reject) => {
      const pair = new ConnectionPair(this.#host, id, local, remote, linkKey(local, remote), resolve, reject);
      this.#pairs.set(id, pair);
    });
  }

  #faultsOf(key: string): ResolvedFaults {
    let faults = this.#resolved.get(key);
    if (faults === undefined) {
      faults = resolveFaults(this.#globalFaults, this.#linkFaults.get(key), this.#baseDelayMs);
      this.#resolved.set(key, faults);
    }
    return faults;
  }

  /** Resets, in creation order, every live connection `matches` picks. */
  #resetWhere(reason: ResetReason, matches: (pair: ConnectionPair) => boolean): void {
    for (const pair of [...this.#pairs.values()]) {
      if (matches(pair)) {
        pair.reset(reason);
      }
    }
  }

  #emit(event: NetworkEvent): void {
    this.#logger.debug({ event }, 'network event');
    for (const listener of this.#listeners) {
      listener(event);
    }
  }
}
