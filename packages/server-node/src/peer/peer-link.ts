/**
 * One node-to-node connection, opened by this node to send requests to another node (forwarded batches and
 * tuple operations): connect through the injected `Transport`, send the preamble and a handshake as peer type
 * `node`, prove the cluster secret over the challenge the peer answers with (NODE_AUTHENTICATE, the link's
 * first request: see auth/peer-proof.ts), then requests with ids of its own; responses are matched to pending
 * requests by id.
 *
 * Every failure ends as an error on the pending requests, never a hang. A refused proof (or a peer that
 * refuses this node's handshake for its credentials) -> `AUTHENTICATION_FAILED`, not retryable: the nodes
 * do not share a secret. Everything else is retryable: the peer cannot be reached or refuses the handshake
 * -> `NODE_UNAVAILABLE`; the connection closes with requests in flight ->
 * `NODE_UNAVAILABLE` (their outcome is unknown: the owner may have applied them, which at-least-once allows);
 * no answer within the timeout -> `REQUEST_TIMEOUT`. Error responses of the peer are passed on as they came
 * (`SCHEMA_VERSION_MISMATCH` keeps its expected version). A closed link is not reused: the forwarder opens
 * a new one for the next request.
 *
 * It does not retry and does not choose the peer (the forwarder and the handlers do).
 */
import {
  type Clock,
  type Connection,
  checkHandshakeResponse,
  decodeHandshakeResponse,
  decodeResponse,
  encodeHandshakeRequest,
  encodeRequestFrame,
  FrameDecoder,
  HandshakeExtensionKeys,
  type Logger,
  type OpName,
  PROTOCOL_VERSION,
  ProtocolError,
  type Request,
  type ResultOf,
  type Transport,
} from '@datastreamer/protocol';
import type { Authenticator } from '../auth/authenticator.js';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';

/** What a link needs from its node. */
export interface PeerLinkOptions {
  /** This node's name, sent in the handshake. */
  readonly name: string;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Moved past every response's observable timestamp. */
  readonly hlc: HybridClock;
  readonly log: Logger;
  /** Features this node announces. */
  readonly features: Uint8Array;
  readonly maxFrameSize: number;
  /** How long a request may wait for its response. */
  readonly timeoutMs: number;
  /** Proves this node to the peer (the cluster secret). */
  readonly auth: Authenticator;
}

interface Pending {
  readonly op: OpName;
  /** Settle the caller's promise (and cancel its timer). */
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

const LinkStates = {
  CONNECTING: 'CONNECTING',
  /** Handshaken; the proof of the cluster secret is on its way. */
  AUTHENTICATING: 'AUTHENTICATING',
  OPEN: 'OPEN',
  CLOSED: 'CLOSED',
} as const;

type LinkState = (typeof LinkStates)[keyof typeof LinkStates];

export class PeerLink {
  readonly peer: string;
  readonly #options: PeerLinkOptions;
  readonly #onClosed: (link: PeerLink) => void;
  readonly #decoder: FrameDecoder;
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<void>;
  #resolveReady: () => void = () => {};
  #rejectReady: (error: unknown) => void = () => {};
  #state: LinkState = LinkStates.CONNECTING;
  #connection: Connection | undefined;
  #nextId = 1;

  /** Starts connecting to `peer` at once; `onClosed` is told when the link is done. */
  constructor(peer: string, options: PeerLinkOptions, onClosed: (link: PeerLink) => void) {
    this.peer = peer;
    this.#options = options;
    this.#onClosed = onClosed;
    this.#decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Requests wait on `#ready`; a failure before any request would otherwise be an unhandled rejection.
    this.#ready.catch(() => {});
    void this.#connect();
  }

  /** Whether the link can no longer carry requests. */
  get closed(): boolean {
    return this.#state === LinkStates.CLOSED;
  }

  /**
   * Sends `request` (its `requestId` is replaced by one of this link's) once the link is open, and resolves
   * with the peer's result. The timeout runs from this call, so a peer that never completes the handshake
   * fails the request as surely as one that never answers it.
   * @throws ServerError `NODE_UNAVAILABLE` or `REQUEST_TIMEOUT` (both retryable); the peer's own error as it
   *   answered it.
   */
  call<R extends Request>(request: R): Promise<ResultOf<R['op']>> {
    if (this.#state === LinkStates.CLOSED) {
      return Promise.reject(this.#unavailable(`the link to ${this.peer} is closed`, undefined, false));
    }
    return new Promise<ResultOf<R['op']>>((resolve, reject) => {
      const { clock, timeoutMs, name } = this.#options;
      let requestId = 0;
      let settled = false;
      const timer = clock.setTimer(timeoutMs, () => {
        if (settled) return;
        settled = true;
        if (requestId !== 0) this.#pending.delete(requestId);
        // A link that could not open in a whole timeout is given up, so the next request connects afresh.
        else if (this.#state === LinkStates.CONNECTING || this.#state === LinkStates.AUTHENTICATING)
          this.close(`${this.peer} did not complete the handshake`);
        reject(
          new ServerError(
            'REQUEST_TIMEOUT',
            `${this.peer} did not answer ${request.op} from ${name} within ${timeoutMs} ms` +
              (requestId === 0
                ? ' (it was never sent: the link did not open)'
                : '; it may or may not have been applied'),
          ),
        );
      });
      const pending: Pending = {
        op: request.op,
        // The table of ops ties each result to its op; the pending map holds results of every op.
        resolve: (result) => {
          settled = true;
          timer.cancel();
          resolve(result as ResultOf<R['op']>);
        },
        reject: (error) => {
          settled = true;
          timer.cancel();
          reject(error);
        },
      };
      const send = (): void => {
        if (settled) return;
        requestId = this.#send(request, pending);
      };
      if (this.#state === LinkStates.OPEN) send();
      else void this.#ready.then(send, pending.reject);
    });
  }

  /** Closes the link; pending requests fail with `NODE_UNAVAILABLE` naming `reason`. */
  close(reason: string, cause?: unknown): void {
    this.#closeWith(this.#unavailable(reason, cause, false), () => this.#unavailable(reason, cause, true));
  }

  /**
   * Closes the link: requests not sent yet fail with `notSent`, requests in flight with `inFlight()`.
   */
  #closeWith(notSent: unknown, inFlight: () => unknown): void {
    if (this.#state === LinkStates.CLOSED) return;
    this.#state = LinkStates.CLOSED;
    this.#rejectReady(notSent);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    const error = pending.length === 0 ? undefined : inFlight();
    for (const entry of pending) entry.reject(error);
    this.#connection?.close();
    this.#onClosed(this);
  }

  /** Closes the link for a refused authentication: every request fails with `error`, not retryable. */
  #authenticationFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const failure = new ServerError(
      'AUTHENTICATION_FAILED',
      `${this.peer} refused ${this.#options.name}: ${message}`,
      {
        cause: error,
      },
    );
    this.#options.log.warn({ peer: this.peer, err: error }, 'node link refused');
    this.#closeWith(failure, () => failure);
  }

  async #connect(): Promise<void> {
    const { transport, name, features, log } = this.#options;
    let connection: Connection;
    try {
      connection = await transport.connect(this.peer);
    } catch (cause) {
      this.close(`${name} cannot connect to ${this.peer}`, cause);
      return;
    }
    if (this.#state === LinkStates.CLOSED) {
      // Closed (the node crashed) while connecting.
      connection.close();
      return;
    }
    this.#connection = connection;
    connection.setListener({
      data: (chunk) => this.#data(chunk),
      close: (error) => this.close(`the connection from ${name} to ${this.peer} closed`, error),
    });
    try {
      connection.send(
        encodeHandshakeRequest({ version: PROTOCOL_VERSION, peerType: 'node', features, name }),
      );
    } catch (cause) {
      this.close(`${name} cannot send its handshake to ${this.peer}`, cause);
      return;
    }
    log.debug({ peer: this.peer }, 'node link connecting');
  }

  #data(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.decode(chunk);
    } catch (cause) {
      this.close(`${this.peer} sent bytes that are not frames`, cause);
      return;
    }
    for (const body of frames) {
      if (this.#state === LinkStates.CLOSED) return;
      if (this.#state === LinkStates.CONNECTING) this.#handshake(body);
      else this.#response(body);
    }
  }

  #handshake(body: Uint8Array): void {
    let challenge: string | Uint8Array | undefined;
    try {
      const result = checkHandshakeResponse(
        decodeHandshakeResponse(body),
        PROTOCOL_VERSION,
        this.#options.features,
      );
      challenge = result.extensions.get(HandshakeExtensionKeys.authnChallenge);
    } catch (cause) {
      if (cause instanceof ProtocolError && cause.code === 'AUTHENTICATION_FAILED') {
        this.#authenticationFailed(cause);
      } else {
        this.close(`${this.peer} refused the handshake of ${this.#options.name}`, cause);
      }
      return;
    }
    if (!(challenge instanceof Uint8Array)) {
      // No challenge: the peer asks for no proof.
      this.#opened();
      return;
    }
    let proof: Uint8Array;
    try {
      proof = this.#options.auth.proveTo(this.peer, challenge);
    } catch (error) {
      this.#authenticationFailed(error);
      return;
    }
    this.#state = LinkStates.AUTHENTICATING;
    this.#send(
      { op: 'NODE_AUTHENTICATE', requestId: 0, proof },
      {
        op: 'NODE_AUTHENTICATE',
        resolve: () => this.#opened(),
        reject: (error) => this.#authenticationFailed(error),
      },
    );
  }

  #opened(): void {
    if (this.#state === LinkStates.CLOSED) return;
    this.#state = LinkStates.OPEN;
    this.#resolveReady();
  }

  #response(body: Uint8Array): void {
    let response: ReturnType<typeof decodeResponse>;
    try {
      response = decodeResponse(body, (id) => this.#pending.get(id)?.op);
    } catch (cause) {
      // A late answer to a request that timed out has no pending entry: nothing waits for it.
      this.#options.log.debug({ peer: this.peer, err: cause }, 'node link dropped an unreadable response');
      return;
    }
    const entry = this.#pending.get(response.requestId);
    if (entry === undefined) return;
    this.#pending.delete(response.requestId);
    try {
      this.#options.hlc.update(response.observableTimestamp);
    } catch (cause) {
      this.#options.log.warn({ peer: this.peer, err: cause }, 'a node answered with an unusable timestamp');
    }
    if (response.kind === 'error') entry.reject(response.error);
    else entry.resolve(response.result);
  }

  /** Sends `request` under a new id with `pending` waiting for it; returns the id (0 if it failed at once). */
  #send(request: Request, pending: Pending): number {
    const connection = this.#connection;
    const sendable =
      this.#state === LinkStates.OPEN ||
      (this.#state === LinkStates.AUTHENTICATING && request.op === 'NODE_AUTHENTICATE');
    if (!sendable || connection === undefined) {
      pending.reject(this.#unavailable(`the link to ${this.peer} is closed`, undefined, false));
      return 0;
    }
    const requestId = this.#nextId++;
    let frame: Uint8Array;
    try {
      frame = encodeRequestFrame({ ...request, requestId }, this.#options.maxFrameSize);
    } catch (error) {
      pending.reject(error);
      return 0;
    }
    this.#pending.set(requestId, pending);
    try {
      connection.send(frame);
    } catch (cause) {
      this.close(`${this.#options.name} lost its connection to ${this.peer}`, cause);
    }
    return requestId;
  }

  /** @param inFlight whether the request was sent (its outcome is then unknown). */
  #unavailable(reason: string, cause: unknown, inFlight: boolean): ServerError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    const outcome = inFlight ? '; the request was in flight and may or may not have been applied' : '';
    return new ServerError(
      'NODE_UNAVAILABLE',
      `${reason}${detail}${outcome}`,
      cause === undefined ? {} : { cause },
    );
  }
}
