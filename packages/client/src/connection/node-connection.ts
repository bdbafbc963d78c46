/**
 * One connection from the client to one node: it opens the transport connection, sends the `IGNI` preamble
 * and the handshake, checks the answer, then carries any number of requests at once, each with its own id,
 * and matches responses to requests by that id (a node may answer in any order).
 *
 * - Every request has a timeout on the injected clock: when it passes, the request fails with the retryable
 *   `REQUEST_TIMEOUT` and a late answer is decoded and dropped (the connection stays usable).
 * - When the connection closes under it (the node went away, the network cut it, bytes that cannot be
 *   framed), every pending request fails with the retryable `CONNECTION_LOST`: its outcome is unknown.
 *   When the client closes it, they fail with `CLOSED`.
 * - Responses that carry the assignment-changed flag are reported to `onAssignmentVersion`, error responses
 *   included, so the partition-assignment cache hears of every topology change.
 * - Dead connections: when no whole message has arrived for `heartbeatIntervalMs`, a HEARTBEAT is sent; when
 *   its answer does not come within `heartbeatTimeoutMs` the connection is taken for dead (a peer that stopped
 *   sending, or a frame whose length prefix promises bytes that never come) and closed as lost: pending
 *   requests fail with `CONNECTION_LOST`, and the pool reconnects.
 * - Credentials, when given, travel in the handshake as Ignite 3's basic authentication extensions; a node's
 *   `AUTHENTICATION_FAILED` rejection fails `open` as it came (not retryable).
 *
 * Errors the node answers with are rejected as the protocol's decoded `ProtocolError` (code, message,
 * extensions such as `expected-schema-ver`). It does not reconnect (the pool does) or retry anything.
 */
import {
  type Buggify,
  type Clock,
  type Connection,
  checkHandshakeResponse,
  decodeHandshakeResponse,
  decodeResponse,
  encodeRequestFrame,
  FrameDecoder,
  type Logger,
  MessageDecodeError,
  neverBuggify,
  type OpName,
  PROTOCOL_VERSION,
  ProtocolError,
  type Request,
  type Response,
  SUPPORTED_FEATURES,
  type TimerHandle,
  type Transport,
} from '@datastreamer/protocol';
import { ClientError } from '../errors/client-error.js';
import { clientHandshake } from './client-handshake.js';
import type { BasicCredentials } from './connection-options.js';
import { Heartbeat } from './heartbeat.js';
import { PendingRequest, PendingRequests } from './pending-requests.js';
import type { Reply, RequestOptions, RequestPayload } from './requester.js';
import type { SignalWatches } from './signal-watches.js';

/** What a {@link NodeConnection} needs; the pool passes the client's resolved options. */
export interface NodeConnectionOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default timeout of each request, in ms (> 0). */
  readonly requestTimeoutMs: number;
  /** Limit on the transport connect plus the handshake, in ms (> 0). */
  readonly connectTimeoutMs: number;
  /** The name given in the handshake. Default: the transport connection's local name. */
  readonly name?: string | undefined;
  /** Called with the node's assignment version whenever a response carries the assignment-changed flag. */
  readonly onAssignmentVersion?: ((version: number) => void) | undefined;
  /** Called once when the connection closes, with the reason (`undefined`: closed by the client). */
  readonly onClose?: ((connection: NodeConnection, error: ClientError | undefined) => void) | undefined;
  /** Sent in the handshake (basic authentication). Default: none. */
  readonly credentials?: BasicCredentials | undefined;
  /** Quiet time before a heartbeat, in ms; 0 (the default): no heartbeats. */
  readonly heartbeatIntervalMs?: number | undefined;
  /** How long a heartbeat may wait for its answer, in ms (> 0). Default 5000. */
  readonly heartbeatTimeoutMs?: number | undefined;
  /** Fault points (simulation only): `frame.byte-at-a-time` for the decoder. Default: none fires. */
  readonly buggify?: Buggify | undefined;
  /**
   * Where requests' abort signals are watched: the client's, shared by its connections, so a signal carried
   * by many requests over many connections has one listener. Default: the connection's own.
   */
  readonly signalWatches?: SignalWatches | undefined;
  /** The features announced in the handshake. Default: every feature the protocol package has. */
  readonly features?: Uint8Array | undefined;
}

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000;

export type { Reply, RequestOptions, RequestPayload } from './requester.js';

/** Where a connection is in its life; it only moves forward. */
export type NodeConnectionState = 'handshaking' | 'open' | 'closed';

/** One handshaken connection to one node, multiplexing requests by id. */
export class NodeConnection {
  /** The endpoint this connection was opened to (as given to the transport). */
  readonly endpoint: string;
  readonly #raw: Connection;
  readonly #options: NodeConnectionOptions;
  readonly #logger: Logger;
  readonly #decoder: FrameDecoder;
  readonly #pending: PendingRequests<Reply<OpName>>;
  #state: NodeConnectionState = 'handshaking';
  #nodeName = '';
  #features: Uint8Array = new Uint8Array(0);
  #nextRequestId = 1;
  #handshake:
    | { readonly resolve: () => void; readonly reject: (error: unknown) => void; timer: TimerHandle }
    | undefined;
  /** Watches for a dead connection once open (see heartbeat.ts). */
  #heartbeat: Heartbeat | undefined;

  private constructor(endpoint: string, raw: Connection, options: NodeConnectionOptions) {
    this.endpoint = endpoint;
    this.#raw = raw;
    this.#options = options;
    this.#logger = options.logger.child({ component: 'connection', endpoint });
    this.#pending = new PendingRequests(options.clock, options.signalWatches);
    this.#decoder = new FrameDecoder({ buggify: options.buggify ?? neverBuggify });
  }

  /**
   * Connects to `endpoint` and completes the handshake.
   *
   * @throws ProtocolError `NODE_UNAVAILABLE` (retryable) when the transport cannot reach the endpoint.
   * @throws ClientError `NODE_UNAVAILABLE` (retryable) when the connection closes or `connectTimeoutMs`
   *   passes before the handshake is answered.
   * @throws ProtocolError the node's rejection (e.g. `UNSUPPORTED_PROTOCOL`), or `PROTOCOL_ERROR` for an
   *   answer that is not a handshake.
   */
  static async open(
    transport: Transport,
    endpoint: string,
    options: NodeConnectionOptions,
  ): Promise<NodeConnection> {
    const clock = options.clock;
    const started = clock.now();
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = clock.setTimer(options.connectTimeoutMs, () => {
        reject(
          new ClientError(
            'NODE_UNAVAILABLE',
            `connecting to ${endpoint} took longer than connectTimeoutMs (${options.connectTimeoutMs} ms)`,
          ),
        );
      });
    });
    const connecting = transport.connect(endpoint);
    try {
      const raw = await Promise.race([connecting, timeout]);
      const connection = new NodeConnection(endpoint, raw, options);
      const remaining = Math.max(1, options.connectTimeoutMs - (clock.now() - started));
      await connection.#startHandshake(remaining);
      return connection;
    } catch (error) {
      // A transport connection that arrives after the timeout must not leak.
      connecting.then((late) => late.close()).catch(() => {});
      throw error;
    } finally {
      timer?.cancel();
    }
  }

  /** The node's name, as it gave it in the handshake. */
  get nodeName(): string {
    return this.#nodeName;
  }

  /** The optional features both sides have (see the protocol's `ProtocolFeatures`). */
  get features(): Uint8Array {
    return this.#features;
  }

  get state(): NodeConnectionState {
    return this.#state;
  }

  /** Whether requests can be sent. */
  get isOpen(): boolean {
    return this.#state === 'open' && this.#raw.isOpen;
  }

  /** Requests sent and not answered yet. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /**
   * Sends a request and resolves with the node's answer.
   *
   * @throws ClientError `CONNECTION_LOST` (retryable) when the connection is closed or closes before the
   *   answer; `REQUEST_TIMEOUT` (retryable) when no answer comes within the timeout; `CANCELLED` when
   *   `options.signal` aborts; `CLOSED` when the client closes the connection meanwhile.
   * @throws ProtocolError the node's error answer, or an encoding error of the request (`INVALID_ARGUMENT`,
   *   `VALUE_NOT_ENCODABLE`, `FRAME_TOO_LARGE`) before anything is sent.
   */
  request<K extends OpName>(
    op: K,
    payload: RequestPayload<K>,
    options: RequestOptions = {},
  ): Promise<Reply<K>> {
    if (!this.isOpen) {
      return Promise.reject(
        new ClientError('CONNECTION_LOST', `${op}: the connection to ${this.#describe()} is closed`),
      );
    }
    const signal = options.signal;
    if (signal?.aborted === true) {
      return Promise.reject(
        new ClientError('CANCELLED', `${op}: cancelled before it was sent`, { cause: signal.reason }),
      );
    }
    const requestId = this.#nextRequestId++;
    let frame: Uint8Array;
    try {
      // The op table ties each op to its payload; TypeScript cannot follow that through the spread.
      frame = encodeRequestFrame({ ...payload, op, requestId } as Request);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Reply<K>>((resolve, reject) => {
      // The answer's result is typed by the op it answers, which the decoder looked up by this request's id.
      const settlement = { resolve: resolve as (reply: Reply<OpName>) => void, reject };
      const pending = new PendingRequest(requestId, op, frame.length, settlement);
      this.#pending.add(pending, options.timeoutMs ?? this.#options.requestTimeoutMs, signal, this.#describe);
      try {
        this.#raw.send(frame);
        options.onSent?.();
      } catch (error) {
        this.#pending.take(requestId);
        pending.reject(
          new ClientError('CONNECTION_LOST', `${op}: could not send to ${this.#describe()}`, {
            cause: error,
          }),
        );
      }
    });
  }

  /**
   * Closes the connection; pending requests fail with `CLOSED`. Idempotent. `onClose` is called with
   * `undefined` (a close the client asked for).
   */
  close(): void {
    this.#shutdown(
      undefined,
      () => new ClientError('CLOSED', `the connection to ${this.#describe()} was closed`),
    );
  }

  readonly #describe = (): string =>
    this.#nodeName === '' || this.#nodeName === this.endpoint
      ? this.endpoint
      : `${this.#nodeName} (${this.endpoint})`;

  #startHandshake(timeoutMs: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      const timer = this.#options.clock.setTimer(timeoutMs, () => {
        this.#failHandshake(
          new ClientError(
            'NODE_UNAVAILABLE',
            `the handshake with ${this.endpoint} got no answer within connectTimeoutMs (${this.#options.connectTimeoutMs} ms)`,
          ),
        );
      });
      this.#handshake = { resolve, reject, timer };
    });
    this.#raw.setListener({
      data: (chunk) => this.#onData(chunk),
      close: (error) => this.#onTransportClose(error),
    });
    try {
      this.#raw.send(
        clientHandshake(
          this.#options.name ?? this.#raw.local,
          this.#options.credentials,
          this.#options.features,
        ),
      );
    } catch (error) {
      this.#failHandshake(
        new ClientError('NODE_UNAVAILABLE', `could not send the handshake to ${this.endpoint}`, {
          cause: error,
        }),
      );
    }
    return done;
  }

  #failHandshake(error: unknown): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    this.#handshake = undefined;
    handshake.timer.cancel();
    this.#state = 'closed';
    this.#raw.close();
    handshake.reject(error);
  }

  #onData(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.decode(chunk);
    } catch (error) {
      this.#onBrokenStream(error);
      return;
    }
    if (frames.length > 0) this.#heartbeat?.received();
    for (const frame of frames) {
      switch (this.#state) {
        case 'handshaking':
          this.#onHandshakeAnswer(frame);
          break;
        case 'open':
          this.#onResponse(frame);
          break;
        case 'closed':
          return;
      }
    }
  }

  #onHandshakeAnswer(body: Uint8Array): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    try {
      const result = checkHandshakeResponse(
        decodeHandshakeResponse(body),
        PROTOCOL_VERSION,
        this.#options.features ?? SUPPORTED_FEATURES,
      );
      this.#nodeName = result.nodeName;
      this.#features = result.features;
      this.#state = 'open';
      this.#handshake = undefined;
      handshake.timer.cancel();
      this.#logger.debug({ node: result.nodeName }, 'connected');
      this.#startHeartbeat();
      handshake.resolve();
    } catch (error) {
      this.#failHandshake(error);
    }
  }

  #onResponse(body: Uint8Array): void {
    let response: Response;
    try {
      response = decodeResponse(body, this.#pending.opOf);
    } catch (error) {
      if (error instanceof MessageDecodeError && error.requestId !== undefined) {
        // The frame was well delimited, so the stream is still in step: only that request is lost.
        this.#failOne(error.requestId, error);
        return;
      }
      this.#onBrokenStream(error);
      return;
    }
    if (response.assignmentVersion !== undefined)
      this.#options.onAssignmentVersion?.(response.assignmentVersion);
    const pending = this.#pending.take(response.requestId);
    if (pending === undefined) {
      // The answer to a request that timed out or was cancelled: nobody waits for it any more.
      this.#pending.forgetAbandoned(response.requestId);
      return;
    }
    if (response.kind === 'error') {
      pending.reject(response.error);
      return;
    }
    pending.resolve({
      result: response.result,
      node: this.#nodeName,
      bytes: pending.bytes,
      assignmentVersion: response.assignmentVersion,
    });
  }

  #failOne(requestId: number, error: ProtocolError): void {
    const pending = this.#pending.take(requestId);
    if (pending !== undefined) {
      pending.reject(error);
    } else if (!this.#pending.forgetAbandoned(requestId)) {
      this.#logger.warn({ requestId, error: error.message }, 'undecodable response to no request');
    }
  }

  #onBrokenStream(error: unknown): void {
    this.#logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'unreadable bytes');
    const lost = new ClientError(
      'CONNECTION_LOST',
      `the connection to ${this.#describe()} sent unreadable bytes`,
      {
        cause: error,
      },
    );
    if (this.#state === 'handshaking') {
      this.#failHandshake(error instanceof ProtocolError ? error : lost);
      return;
    }
    this.#shutdown(lost, () => lost);
  }

  #onTransportClose(error: Error | undefined): void {
    if (this.#state === 'handshaking') {
      this.#failHandshake(
        new ClientError('NODE_UNAVAILABLE', `${this.endpoint} closed the connection during the handshake`, {
          cause: error,
        }),
      );
      return;
    }
    const lost = new ClientError('CONNECTION_LOST', `the connection to ${this.#describe()} was lost`, {
      cause: error,
    });
    this.#shutdown(lost, () => lost);
  }

  #startHeartbeat(): void {
    const timeoutMs = this.#options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#heartbeat = new Heartbeat({
      clock: this.#options.clock,
      intervalMs: this.#options.heartbeatIntervalMs ?? 0,
      timeoutMs,
      probe: (ms) => this.request('HEARTBEAT', {}, { timeoutMs: ms }),
      onDead: (quietFor) => {
        const lost = new ClientError(
          'CONNECTION_LOST',
          `the connection to ${this.#describe()} is dead: no message for ${quietFor} ms and no answer to a ` +
            `heartbeat within heartbeatTimeoutMs (${timeoutMs} ms)`,
        );
        this.#logger.warn({ node: this.#nodeName, quietForMs: quietFor }, 'dead connection');
        this.#shutdown(lost, () => lost);
      },
    });
  }

  /** Closes once; fails every pending request with `failure()`; tells `onClose` why (`reason`). */
  #shutdown(reason: ClientError | undefined, failure: () => ClientError): void {
    switch (this.#state) {
      case 'closed':
        return;
      case 'handshaking':
        this.#failHandshake(failure());
        return;
      case 'open':
        break;
    }
    this.#state = 'closed';
    this.#heartbeat?.stop();
    this.#raw.close();
    const pending = this.#pending.drain();
    if (pending.length > 0) {
      const error = failure();
      for (const request of pending) request.reject(error);
    }
    if (reason !== undefined)
      this.#logger.info({ node: this.#nodeName, pending: pending.length }, 'connection lost');
    this.#options.onClose?.(this, reason);
  }
}
