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
 *
 * It does not decide where a request should go (the caches and views do) and does not retry requests.
 */
import type { Buggify, Clock, Logger, OpName, Rng, TimerHandle, Transport } from '@datastreamer/protocol';
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
}

/** The state of one endpoint; consumed by exhaustive switches. */
type EndpointState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open'; readonly connection: NodeConnection }
  | { readonly kind: 'waiting'; readonly timer: TimerHandle }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'closed' };

class EndpointSlot {
  readonly endpoint: string;
  state: EndpointState = { kind: 'connecting' };
  /** Failed attempts since the last open connection: the exponent of the next backoff. */
  failures = 0;
  /** Why the last attempt failed or the last connection closed. */
  lastError: unknown;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }
}

/** What {@link ConnectionPool.endpoints} reports about each endpoint. */
export interface EndpointStatus {
  readonly endpoint: string;
  readonly state: EndpointState['kind'];
  /** The node's name, once a handshake succeeded on the current connection. */
  readonly node: string | undefined;
}

/** The client's connections, by endpoint and by node name. */
export class ConnectionPool implements Requester {
  readonly #options: ConnectionPoolOptions;
  readonly #logger: Logger;
  readonly #rng: Rng;
  readonly #slots: EndpointSlot[];
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
    this.#slots = options.endpoints.map((endpoint) => new EndpointSlot(endpoint));
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
      if (isRetryable(error)) this.#scheduleReconnect(slot);
      else slot.state = { kind: 'failed', error };
      return false;
    }
    if (this.#closed) {
      connection.close();
      return false;
    }
    slot.failures = 0;
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
    this.#scheduleReconnect(slot);
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
