/**
 * The client's connections: one per endpoint, opened at start, reopened in the background when lost.
 *
 * - Opening: every endpoint is tried at once; the pool opens when at least one handshake succeeded and
 *   fails with one clear error naming every endpoint only when none did (`AUTHENTICATION_FAILED` when a node
 *   refused the credentials: no retry can help, so that is the error, not `NODE_UNAVAILABLE`). Endpoints not
 *   reached are retried in the background.
 * - Reconnecting: a lost connection, or a failed attempt, schedules the next attempt on the injected clock
 *   after an exponential backoff with jitter from the injected `Rng` (`initialMs * multiplier^(n-1)`, capped
 *   at `maxMs`, the `jitter` share random). Attempts go on until one succeeds or the pool closes; an
 *   endpoint that refuses the handshake for good (e.g. another protocol version) is not retried.
 * - Routing: connections are found by the node name each one learned in its handshake, so a partition's
 *   primary (a node name in the assignment) maps to its connection; when that one is down, any open
 *   connection serves (the node forwards).
 * - Following the cluster (`clusterDiscovery`, on by default): `learn` takes the member list a node sent
 *   with a partition assignment. A member no endpoint reaches yet gets a connection of its own (a *learned*
 *   endpoint), while the pool holds fewer than `maxConnections` endpoints; an endpoint absent from the
 *   newest list has *left*: it is dropped as soon as it is not open (its reconnection stops), so the pool
 *   ends up holding the members, whatever endpoints it was given. A lost connection is reported to
 *   `onTopologyHint`, so the client can fetch a newer list through the connections still open.
 *
 * It does not decide where a request should go (the caches and views do), does not fetch member lists (the
 * assignment cache does) and does not retry requests.
 */
import {
  type Buggify,
  type Clock,
  type Logger,
  type OpName,
  ProtocolFeatures,
  type Rng,
  SUPPORTED_FEATURES,
  type TimerHandle,
  type Transport,
} from '@datastreamer/protocol';
import { bitmaskOf, type ClusterMember } from '@datastreamer/protocol/internal';
import { ClientError } from '../errors/client-error.js';
import { backoffDelay } from '../runtime/backoff.js';
import type { BasicCredentials, ReconnectOptions } from './connection-options.js';
import { NodeConnection, type Reply, type RequestOptions, type RequestPayload } from './node-connection.js';
import type { Requester } from './requester.js';
import { SignalWatches } from './signal-watches.js';

/** What the pool needs: the client's resolved options and where to report assignment versions. */
export interface ConnectionPoolOptions {
  readonly transport: Transport;
  readonly endpoints: readonly string[];
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  /** Fault points (simulation only). */
  readonly buggify?: Buggify;
  readonly connectTimeoutMs: number;
  /** `null`: no background reconnection. */
  readonly reconnect: Required<ReconnectOptions> | null;
  readonly name: string | undefined;
  readonly auth: BasicCredentials | undefined;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly onAssignmentVersion: (version: number) => void;
  /** Whether to follow the cluster's member lists (see the module header). */
  readonly clusterDiscovery: boolean;
  /** Most endpoints held at once, given ones included; learned endpoints only fill up to it. */
  readonly maxConnections: number;
  /** Told when a connection was lost: the cluster's members may have changed (discovery on only). */
  readonly onTopologyHint?: () => void;
}

/** What a client without discovery announces: every feature but TOPOLOGY_DISCOVERY (the old result shape). */
const FEATURES_WITHOUT_DISCOVERY = bitmaskOf(
  Object.values(ProtocolFeatures).filter((bit) => bit !== ProtocolFeatures.TOPOLOGY_DISCOVERY),
);

/** The state of one endpoint; consumed by exhaustive switches. */
type EndpointState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open'; readonly connection: NodeConnection }
  | { readonly kind: 'waiting'; readonly timer: TimerHandle }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'closed' };

class EndpointSlot {
  readonly endpoint: string;
  /** Learned from a member list, not given in the options. */
  readonly learned: boolean;
  state: EndpointState = { kind: 'connecting' };
  /** Failed attempts since the last open connection: the exponent of the next backoff. */
  failures = 0;
  /** Why the last attempt failed or the last connection closed. */
  lastError: unknown;
  /** The node's name from the last handshake on this endpoint (kept once the connection closed). */
  node: string | undefined;
  /** Absent from the newest member list: dropped once it is not open, never reconnected. */
  left = false;

  constructor(endpoint: string, learned: boolean) {
    this.endpoint = endpoint;
    this.learned = learned;
  }
}

/** What {@link ConnectionPool.endpoints} reports about each endpoint. */
export interface EndpointStatus {
  readonly endpoint: string;
  readonly state: EndpointState['kind'];
  /** The node's name, once a handshake succeeded on the current connection. */
  readonly node: string | undefined;
  /** Whether the client learned the endpoint from the cluster's member list (not given in its options). */
  readonly learned: boolean;
}

/** The client's connections, by endpoint and by node name. */
export class ConnectionPool implements Requester {
  readonly #options: ConnectionPoolOptions;
  readonly #logger: Logger;
  readonly #rng: Rng;
  readonly #slots: EndpointSlot[];
  /** The assignment version of the newest member list followed (older ones are ignored). */
  #membersVersion = -1;
  readonly #byNode = new Map<string, NodeConnection>();
  /** Open connections, for round-robin fallback. */
  readonly #open: NodeConnection[] = [];
  #next = 0;
  #closed = false;
  /** Abort signals of requests on any connection, one listener each (signal-watches.ts). */
  readonly #signalWatches = new SignalWatches();

  private constructor(options: ConnectionPoolOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'connection-pool' });
    this.#rng = options.rng.child('reconnect');
    this.#slots = options.endpoints.map((endpoint) => new EndpointSlot(endpoint, false));
  }

  /**
   * Connects to every endpoint and resolves once each attempt ended, when at least one connection is open.
   *
   * @throws ClientError `NODE_UNAVAILABLE` naming every endpoint and why it failed, when none could be
   *   reached (nothing is retried then: the pool is closed).
   */
  static async open(options: ConnectionPoolOptions): Promise<ConnectionPool> {
    const pool = new ConnectionPool(options);
    const outcomes = await Promise.all(pool.#slots.map((slot) => pool.#attempt(slot)));
    if (outcomes.some((ok) => ok)) return pool;
    const reasons = pool.#slots.map((slot) => `${slot.endpoint} (${describeError(slot.lastError)})`);
    const refused = pool.#slots.find((slot) => codeOf(slot.lastError) === 'AUTHENTICATION_FAILED');
    const first = refused?.lastError ?? pool.#slots[0]?.lastError;
    pool.close();
    const code = refused === undefined ? 'NODE_UNAVAILABLE' : 'AUTHENTICATION_FAILED';
    throw new ClientError(code, `could not connect to any endpoint: ${reasons.join(', ')}`, {
      cause: first,
    });
  }

  /** Every endpoint and its state. */
  get endpoints(): readonly EndpointStatus[] {
    return this.#slots.map((slot) => ({
      endpoint: slot.endpoint,
      state: slot.state.kind,
      node: slot.state.kind === 'open' ? slot.state.connection.nodeName : undefined,
      learned: slot.learned,
    }));
  }

  /** The open connections, in the order they opened. */
  get connections(): readonly NodeConnection[] {
    return this.#open;
  }

  /** How long a request may go unanswered before it fails with `REQUEST_TIMEOUT`, in ms. */
  get requestTimeoutMs(): number {
    return this.#options.requestTimeoutMs;
  }

  /** Whether `close` was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** The open connection to the node named `node`, if there is one. */
  byNode(node: string): NodeConnection | undefined {
    const connection = this.#byNode.get(node);
    return connection?.isOpen === true ? connection : undefined;
  }

  /** Every open connection, in the order they opened. */
  openConnections(): NodeConnection[] {
    return this.#open.filter((connection) => connection.isOpen);
  }

  /** Some open connection (round robin, so fallback load spreads), or `undefined` when none is open. */
  any(): NodeConnection | undefined {
    const open = this.#open;
    for (let tries = 0; tries < open.length; tries++) {
      const connection = open[this.#next++ % open.length] as NodeConnection;
      if (connection.isOpen) return connection;
    }
    return undefined;
  }

  /**
   * The connection to `node` when it is open, else any open connection (the node it reaches forwards).
   *
   * @throws ClientError `CLOSED` once the pool is closed; `NODE_UNAVAILABLE` (retryable) when no connection
   *   is open at all.
   */
  pick(node: string | null | undefined): NodeConnection {
    if (this.#closed) throw new ClientError('CLOSED', 'the client is closed');
    const preferred = node === null || node === undefined ? undefined : this.byNode(node);
    const connection = preferred ?? this.any();
    if (connection === undefined) {
      throw new ClientError(
        'NODE_UNAVAILABLE',
        `no connection is open (endpoints: ${this.#slots.map((slot) => slot.endpoint).join(', ')}); reconnecting`,
      );
    }
    return connection;
  }

  /**
   * Sends a request on the connection to `node` (any open one when it is down or not given).
   * @throws as {@link pick} and {@link NodeConnection.request}.
   */
  async request<K extends OpName>(
    op: K,
    payload: RequestPayload<K>,
    node?: string | null,
    options?: RequestOptions,
  ): Promise<Reply<K>> {
    return this.pick(node).request(op, payload, options);
  }

  /**
   * Follows the member list of assignment version `version` (see the module header): members no endpoint
   * reaches get a learned endpoint while fewer than `maxConnections` are held; endpoints absent from the list
   * are dropped once not open. A list older than one already followed, and any list with discovery off or
   * after `close`, is ignored.
   */
  learn(members: readonly ClusterMember[], version: number): void {
    if (!this.#options.clusterDiscovery || this.#closed || version < this.#membersVersion) return;
    this.#membersVersion = version;
    const names = new Set(members.map((member) => member.name));
    const endpoints = new Set(members.map((member) => member.endpoint));
    for (const slot of [...this.#slots]) {
      slot.left = !endpoints.has(slot.endpoint) && !(slot.node !== undefined && names.has(slot.node));
      // One being opened is dropped when its attempt fails, an open one when it closes.
      if (slot.left && slot.state.kind !== 'open' && slot.state.kind !== 'connecting') this.#drop(slot);
    }
    for (const member of members) {
      if (this.#slots.length >= this.#options.maxConnections) break;
      if (member.endpoint === '') continue;
      const known = this.#slots.some((s) => s.endpoint === member.endpoint || s.node === member.name);
      if (known) continue;
      const slot = new EndpointSlot(member.endpoint, true);
      this.#slots.push(slot);
      this.#logger.info({ endpoint: member.endpoint, node: member.name }, 'learned a member');
      void this.#attempt(slot);
    }
  }

  /** Closes every connection (pending requests fail with `CLOSED`) and stops reconnecting. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      const state = slot.state;
      slot.state = { kind: 'closed' };
      switch (state.kind) {
        case 'open':
          state.connection.close();
          break;
        case 'waiting':
          state.timer.cancel();
          break;
        case 'connecting':
        case 'failed':
        case 'closed':
          break;
      }
    }
    this.#open.length = 0;
    this.#byNode.clear();
  }

  /** One connection attempt; resolves whether it opened. Never rejects. */
  async #attempt(slot: EndpointSlot): Promise<boolean> {
    slot.state = { kind: 'connecting' };
    const options = this.#options;
    let connection: NodeConnection;
    try {
      connection = await NodeConnection.open(options.transport, slot.endpoint, {
        clock: options.clock,
        logger: options.logger,
        requestTimeoutMs: options.requestTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        name: options.name,
        credentials: options.auth,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        features: options.clusterDiscovery ? SUPPORTED_FEATURES : FEATURES_WITHOUT_DISCOVERY,
        buggify: options.buggify,
        signalWatches: this.#signalWatches,
        onAssignmentVersion: options.onAssignmentVersion,
        onClose: (closed, reason) => this.#onConnectionClose(slot, closed, reason),
      });
    } catch (error) {
      slot.lastError = error;
      slot.failures++;
      if (this.#closed) return false;
      this.#logger.debug(
        { endpoint: slot.endpoint, failures: slot.failures, error: describeError(error) },
        'connect failed',
      );
      if (slot.left) this.#drop(slot);
      else if (isRetryable(error)) this.#scheduleReconnect(slot);
      else slot.state = { kind: 'failed', error };
      return false;
    }
    if (this.#closed) {
      connection.close();
      return false;
    }
    slot.failures = 0;
    slot.node = connection.nodeName;
    slot.state = { kind: 'open', connection };
    this.#byNode.set(connection.nodeName, connection);
    this.#open.push(connection);
    this.#logger.info({ endpoint: slot.endpoint, node: connection.nodeName }, 'connected');
    return true;
  }

  #onConnectionClose(slot: EndpointSlot, connection: NodeConnection, reason: ClientError | undefined): void {
    const index = this.#open.indexOf(connection);
    if (index >= 0) this.#open.splice(index, 1);
    if (this.#byNode.get(connection.nodeName) === connection) this.#byNode.delete(connection.nodeName);
    if (this.#closed || reason === undefined) return;
    slot.lastError = reason;
    slot.failures = Math.max(slot.failures, 1);
    if (slot.left) this.#drop(slot);
    else this.#scheduleReconnect(slot);
    if (this.#options.clusterDiscovery) this.#options.onTopologyHint?.();
  }

  /** Forgets an endpoint whose node left the cluster: no reconnection, no longer listed. */
  #drop(slot: EndpointSlot): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    if (slot.state.kind === 'waiting') slot.state.timer.cancel();
    slot.state = { kind: 'closed' };
    this.#slots.splice(index, 1);
    this.#logger.info({ endpoint: slot.endpoint, node: slot.node }, 'dropped a member that left');
  }

  #scheduleReconnect(slot: EndpointSlot): void {
    const policy = this.#options.reconnect;
    if (policy === null || this.#closed) {
      slot.state = { kind: 'failed', error: slot.lastError };
      return;
    }
    const delayMs = backoffDelay(slot.failures, policy, this.#rng);
    this.#logger.debug({ endpoint: slot.endpoint, attempt: slot.failures, delayMs }, 'reconnecting');
    const timer = this.#options.clock.setTimer(delayMs, () => {
      if (this.#closed) return;
      this.#attempt(slot).catch(() => {});
    });
    slot.state = { kind: 'waiting', timer };
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
