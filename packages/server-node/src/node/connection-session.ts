/**
 * One connection a node serves, from a client or another node: the preamble and the handshake, then frames
 * decoded as they arrive, each request dispatched and answered, possibly out of order (a forwarded request
 * answers later than a local one).
 *
 * Lifecycle: `HANDSHAKE` (the first frame must be the handshake; a peer that cannot be served gets a
 * rejection naming why, then the connection closes) -> `OPEN` -> `CLOSED`; a node peer goes through
 * `CHALLENGED` first: its handshake answer carries a fresh challenge, and its first request must be
 * NODE_AUTHENTICATE with the proof of the cluster secret over it (anything else, or a wrong proof, is answered
 * `AUTHENTICATION_FAILED` and the connection closes). A client of a node with users must give its user name
 * and password in the handshake (auth/authenticator.ts decides). Failures and their reach:
 * - a request body that does not decode, or an unknown op: an error response to that request id, and the
 *   connection keeps serving (nothing else was disturbed);
 * - a body whose request id cannot even be read: the connection closes (nothing can be answered, and closing
 *   fails the peer's pending requests at once instead of leaving them to time out);
 * - a bad preamble or a frame over the maximum size: the byte stream cannot be resynchronised, so the
 *   connection closes (after a handshake rejection if it happened before the handshake).
 * Each of these closes at most this connection; the node's other connections never notice.
 *
 * Every response to a client carries the assignment-changed flag and version when the client's assignment
 * is older than the node's: for a streamer batch, older than the version the batch was routed with; for
 * anything else, older than the last version this connection saw (set at handshake and by
 * PARTITION_ASSIGNMENT_GET, and moved up once it has been flagged, as Ignite 3 does).
 */
import {
  answerHandshake,
  type Buggify,
  type Connection,
  decodeRequest,
  encodeHandshakeResponse,
  encodeResponseFrame,
  FrameDecoder,
  HandshakeExtensionKeys,
  type HandshakeExtensions,
  type HandshakeRequest,
  type Logger,
  MessageDecodeError,
  type OkResponse,
  type OpName,
  type PeerType,
  PROTOCOL_VERSION,
  ProtocolError,
  type Request,
  type Response,
} from '@datastreamer/protocol';
import { errorStructureOf } from '@datastreamer/protocol/internal';
import type { Authenticator } from '../auth/authenticator.js';
import { ServerError } from '../errors/server-error.js';
import type { RequestContext } from './node-context.js';
import type { NodeMetrics } from './node-metrics.js';
import type { Outcome } from './request-router.js';

/** What a session needs from its node. */
export interface SessionHost {
  readonly nodeName: string;
  readonly maxFrameSize: number;
  /** Fault points (simulation only): `frame.byte-at-a-time` for the session's decoder. */
  readonly buggify: Buggify;
  /** Features the node announces in handshake answers. */
  readonly features: Uint8Array;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  /** Admits clients and node peers. */
  readonly auth: Authenticator;
  nextTraceId(): string;
  /** The node's hybrid-clock time, for the response header. */
  observableTimestamp(): bigint;
  /** The node's partition-assignment version now. */
  assignmentVersion(): number;
  /** Serves one request. */
  dispatch(request: Request, context: RequestContext): Outcome<OpName>;
  /** The session closed (either side, or the node crashed). */
  sessionClosed(session: ConnectionSession): void;
}

export const SessionStates = {
  HANDSHAKE: 'HANDSHAKE',
  /** A node peer was sent a challenge; its first request must prove the cluster secret. */
  CHALLENGED: 'CHALLENGED',
  OPEN: 'OPEN',
  CLOSED: 'CLOSED',
} as const;

export type SessionState = (typeof SessionStates)[keyof typeof SessionStates];

export class ConnectionSession implements RequestContext {
  readonly connection: Connection;
  readonly #host: SessionHost;
  readonly #decoder: FrameDecoder;
  #state: SessionState = SessionStates.HANDSHAKE;
  #peer: PeerType = 'client';
  #remote: string;
  /** The newest assignment version this client is known to have seen. */
  #knownAssignment = 0;
  /** The challenge a node peer must prove the cluster secret over (set in `CHALLENGED`). */
  #challenge: Uint8Array | undefined;
  /** The features both sides have, once the handshake was accepted. */
  #features: Uint8Array = new Uint8Array(0);

  constructor(connection: Connection, host: SessionHost) {
    this.connection = connection;
    this.#host = host;
    this.#remote = connection.remote;
    this.#decoder = new FrameDecoder({ maxFrameSize: host.maxFrameSize, buggify: host.buggify });
    connection.setListener({
      data: (chunk) => this.#data(chunk),
      close: () => this.#closed(),
    });
  }

  get state(): SessionState {
    return this.#state;
  }

  get peer(): PeerType {
    return this.#peer;
  }

  get remote(): string {
    return this.#remote;
  }

  get features(): Uint8Array {
    return this.#features;
  }

  noteAssignmentVersion(version: number): void {
    if (version > this.#knownAssignment) this.#knownAssignment = version;
  }

  /** Closes the connection (the node crashed, or the session cannot go on). Idempotent. */
  close(): void {
    if (this.#state === SessionStates.CLOSED) return;
    this.connection.close();
    this.#closed();
  }

  #closed(): void {
    if (this.#state === SessionStates.CLOSED) return;
    this.#state = SessionStates.CLOSED;
    this.#host.sessionClosed(this);
  }

  #data(chunk: Uint8Array): void {
    if (this.#state === SessionStates.CLOSED) return;
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.decode(chunk);
    } catch (error) {
      this.#framingFailed(error);
      return;
    }
    for (const body of frames) {
      // Handling a frame may close the session: read the state afresh (TypeScript keeps the narrowed one).
      const state = this.#state as SessionState;
      switch (state) {
        case SessionStates.HANDSHAKE:
          this.#handshake(body);
          break;
        case SessionStates.CHALLENGED:
          this.#authenticate(body);
          break;
        case SessionStates.OPEN:
          this.#request(body);
          break;
        case SessionStates.CLOSED:
          return;
        default:
          unknownState(state);
      }
    }
  }

  /** A bad preamble or an oversized frame: answer the handshake if it is still due, then close. */
  #framingFailed(error: unknown): void {
    const host = this.#host;
    host.metrics.errors++;
    host.log.warn({ remote: this.#remote, err: error }, 'closing a connection: its bytes are not frames');
    if (this.#state === SessionStates.HANDSHAKE && error instanceof ProtocolError) {
      this.#send(
        encodeHandshakeResponse({
          kind: 'rejected',
          version: PROTOCOL_VERSION,
          error,
          traceId: host.nextTraceId(),
          className: error.name,
          stackTrace: null,
        }),
      );
    }
    this.close();
  }

  #handshake(body: Uint8Array): void {
    const host = this.#host;
    const { response, request } = answerHandshake(
      body,
      { nodeName: host.nodeName, features: host.features, admit: (r) => this.#admit(r) },
      host.nextTraceId(),
    );
    this.#send(encodeHandshakeResponse(response));
    if (request === null) {
      host.metrics.errors++;
      host.log.warn(
        { remote: this.#remote, err: response.kind === 'rejected' ? response.error : undefined },
        'handshake refused',
      );
      this.close();
      return;
    }
    this.#peer = request.peerType;
    this.#remote = request.name;
    if (response.kind === 'accepted') this.#features = response.features;
    if (this.#challenge !== undefined) {
      this.#state = SessionStates.CHALLENGED;
      host.log.debug({ remote: request.name }, 'node peer challenged');
      return;
    }
    this.#open();
  }

  /** Admits a decoded handshake: a client by its credentials, a node peer with a challenge to prove. */
  #admit(request: HandshakeRequest): HandshakeExtensions | undefined {
    const auth = this.#host.auth;
    if (request.peerType === 'client') {
      auth.admitClient(request.extensions);
      return undefined;
    }
    const challenge = auth.challenge();
    this.#challenge = challenge;
    return new Map([[HandshakeExtensionKeys.authnChallenge, challenge]]);
  }

  #open(): void {
    this.#knownAssignment = this.#host.assignmentVersion();
    this.#state = SessionStates.OPEN;
    this.#host.log.debug({ remote: this.#remote, peer: this.#peer }, 'connection open');
  }

  /** The first request of a challenged node peer: NODE_AUTHENTICATE with a good proof, or the end. */
  #authenticate(body: Uint8Array): void {
    let request: Request;
    try {
      request = decodeRequest(body);
    } catch (error) {
      this.#refuse(error instanceof MessageDecodeError ? error.requestId : undefined, null, error);
      return;
    }
    try {
      if (request.op !== 'NODE_AUTHENTICATE') {
        throw new ServerError(
          'AUTHENTICATION_FAILED',
          `authentication failed: ${this.#remote} sent ${request.op} before proving it knows the cluster secret`,
        );
      }
      this.#host.auth.checkPeer(this.#remote, this.#challenge as Uint8Array, request.proof);
    } catch (error) {
      this.#refuse(request.requestId, request, error);
      return;
    }
    this.#challenge = undefined;
    this.#open();
    this.#answer(request, null);
  }

  /** Answers `requestId` (when there is one) with `error`, logs it and closes the connection. */
  #refuse(requestId: number | undefined, request: Request | null, error: unknown): void {
    this.#host.log.warn({ remote: this.#remote, op: request?.op, err: error }, 'node peer refused');
    if (requestId !== undefined) this.#answerError(requestId, request, error);
    else this.#host.metrics.errors++;
    this.close();
  }

  #request(body: Uint8Array): void {
    const host = this.#host;
    let request: Request;
    try {
      request = decodeRequest(body);
    } catch (error) {
      if (error instanceof MessageDecodeError && error.requestId !== undefined) {
        this.#answerError(error.requestId, null, error);
        return;
      }
      host.metrics.errors++;
      host.log.warn(
        { remote: this.#remote, err: error },
        'closing a connection: a request without a readable id',
      );
      this.close();
      return;
    }
    host.metrics.countRequest(request.op);
    let outcome: Outcome<OpName>;
    try {
      outcome = host.dispatch(request, this);
    } catch (error) {
      this.#answerError(request.requestId, request, error);
      return;
    }
    if (outcome instanceof Promise) {
      void outcome.then(
        (result) => this.#answer(request, result),
        (error: unknown) => this.#answerError(request.requestId, request, error),
      );
    } else {
      this.#answer(request, outcome);
    }
  }

  #answer(request: Request, result: unknown): void {
    if (this.#state === SessionStates.CLOSED) return;
    // The router ties each result to its request's op; TypeScript cannot follow that through the union.
    const response = {
      kind: 'ok',
      op: request.op,
      requestId: request.requestId,
      observableTimestamp: this.#host.observableTimestamp(),
      ...this.#assignmentFlag(request),
      result,
    } as OkResponse;
    let bytes: Uint8Array;
    try {
      bytes = encodeResponseFrame(response);
    } catch (error) {
      // A result that cannot be framed (over the maximum frame size): the request fails, the connection stays.
      this.#answerError(request.requestId, request, error);
      return;
    }
    this.#send(bytes);
  }

  #answerError(requestId: number, request: Request | null, error: unknown): void {
    const host = this.#host;
    host.metrics.errors++;
    if (this.#state === SessionStates.CLOSED) return;
    const traceId = host.nextTraceId();
    const fields = { remote: this.#remote, requestId, op: request?.op, traceId, err: error };
    // Refusals with a code are the protocol working as designed; anything else is a bug worth an error line.
    const refused =
      (error instanceof ServerError || error instanceof ProtocolError) && error.code !== 'INTERNAL';
    if (refused) host.log.debug(fields, 'request refused');
    else host.log.error(fields, 'request failed unexpectedly');
    const response: Response = {
      kind: 'error',
      requestId,
      observableTimestamp: host.observableTimestamp(),
      ...this.#assignmentFlag(request),
      ...errorStructureOf(error, traceId),
    };
    let bytes: Uint8Array;
    try {
      bytes = encodeResponseFrame(response);
    } catch (failure) {
      // Not even the error can be framed: close, so the peer's request fails now instead of timing out.
      host.log.error(
        { remote: this.#remote, requestId, err: failure },
        'an error response cannot be encoded',
      );
      this.close();
      return;
    }
    this.#send(bytes);
  }

  /** `{ assignmentVersion }` when the client's view is older than the node's, else nothing. */
  #assignmentFlag(request: Request | null): { assignmentVersion?: number } {
    if (this.#peer !== 'client') return {};
    const current = this.#host.assignmentVersion();
    if (
      request !== null &&
      (request.op === 'STREAMER_BATCH_SEND' || request.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND')
    ) {
      this.noteAssignmentVersion(request.assignmentVersion);
      return request.assignmentVersion < current ? { assignmentVersion: current } : {};
    }
    if (this.#knownAssignment >= current) return {};
    this.#knownAssignment = current;
    return { assignmentVersion: current };
  }

  /** Sends `bytes`; a connection closed under us (a crash, the peer left) drops them quietly. */
  #send(bytes: Uint8Array): void {
    if (!this.connection.isOpen) return;
    try {
      this.connection.send(bytes);
    } catch (error) {
      this.#host.log.debug({ remote: this.#remote, err: error }, 'a response could not be sent');
    }
  }
}

function unknownState(state: never): never {
  throw new ServerError('INTERNAL', `unknown session state ${String(state)}`);
}
