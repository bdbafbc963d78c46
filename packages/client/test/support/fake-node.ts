/**
 * Test support: one fake node speaking the real protocol over a loopback connection: it reads the `IGNI`
 * preamble and the handshake (answered with `answerHandshake`), then decodes each request with the
 * protocol's `decodeRequest` and writes each answer with `writeResponseFrame`, requests concurrently (a
 * request held by a hook does not hold back the next).
 *
 * Hooks let a test script the node: `intercept` sees every request with the default answer one call away
 * (`next()`), and may answer otherwise, answer later (return a promise), drop the request, or reset the
 * connection. The assignment-changed flag is set on a response when the connection's client is known to
 * hold an older assignment than the cluster's (learnt from its assignment fetches and batches), once.
 */
import {
  answerHandshake,
  type Connection,
  decodeRequest,
  encodeHandshakeResponse,
  FrameDecoder,
  MessageDecodeError,
  MsgPackWriter,
  type ProtocolError,
  type Request,
  type Response,
} from '@datastreamer/protocol';
import { writeResponseFrame } from '@datastreamer/protocol/internal';

/** What a node answers: a result, an error, nothing at all, or a reset connection. */
export type Outcome =
  | { readonly kind: 'result'; readonly result: unknown; readonly assignmentVersion?: number }
  | { readonly kind: 'error'; readonly error: ProtocolError; readonly assignmentVersion?: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'close' };

/** One request a node received. */
export interface ReceivedRequest {
  readonly node: string;
  readonly request: Request;
}

/** Where the node's default answers come from (the fake cluster). */
export interface RequestHandler {
  readonly received: ReceivedRequest[];
  readonly assignmentVersion: number;
  handle(node: string, request: Request): Outcome;
}

/** A test's hook: return an outcome (or a promise of one); `next()` computes the default answer. */
export type Interceptor = (
  request: Request,
  next: () => Outcome,
  connection: Connection,
) => Outcome | Promise<Outcome>;

const TRACE_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

/** The node's end of one client connection. */
class ServedConnection {
  readonly connection: Connection;
  readonly #node: FakeNode;
  readonly #decoder = new FrameDecoder();
  readonly #writer = new MsgPackWriter();
  #handshaken = false;
  /** The newest assignment version this client is known to hold (0: unknown). */
  knownVersion = 0;

  constructor(node: FakeNode, connection: Connection) {
    this.#node = node;
    this.connection = connection;
    connection.setListener({
      data: (chunk) => this.#onData(chunk),
      close: () => this.#node.forget(this),
    });
  }

  #onData(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.decode(chunk);
    } catch {
      this.connection.close();
      return;
    }
    for (const frame of frames) {
      if (!this.#handshaken) {
        this.#onHandshake(frame);
        continue;
      }
      let request: Request;
      try {
        request = decodeRequest(frame);
      } catch (error) {
        if (error instanceof MessageDecodeError && error.requestId !== undefined) {
          this.#send({ kind: 'error', error }, error.requestId, undefined);
        } else {
          this.connection.close();
        }
        continue;
      }
      void this.#serve(request);
    }
  }

  #onHandshake(body: Uint8Array): void {
    const rejection = this.#node.handshakeRejection;
    const { response, request } = answerHandshake(body, { nodeName: this.#node.name }, TRACE_ID);
    if (rejection !== undefined) {
      this.connection.send(
        encodeHandshakeResponse({
          kind: 'rejected',
          version: response.version,
          error: rejection,
          traceId: TRACE_ID,
          className: rejection.name,
          stackTrace: null,
        }),
      );
      this.connection.close();
      return;
    }
    if (this.#node.silentHandshake) return;
    this.#node.handshakes.push(request?.name ?? '');
    this.connection.send(encodeHandshakeResponse(response));
    if (request === null) this.connection.close();
    else this.#handshaken = true;
  }

  async #serve(request: Request): Promise<void> {
    const node = this.#node;
    node.cluster.received.push({ node: node.name, request });
    const next = (): Outcome => node.cluster.handle(node.name, request);
    const outcome =
      node.intercept === undefined ? next() : await node.intercept(request, next, this.connection);
    if (request.op === 'PARTITION_ASSIGNMENT_GET' && outcome.kind === 'result') {
      this.knownVersion = Math.max(this.knownVersion, node.cluster.assignmentVersion);
    } else if (request.op === 'STREAMER_BATCH_SEND') {
      this.knownVersion = Math.max(this.knownVersion, request.assignmentVersion);
    }
    switch (outcome.kind) {
      case 'drop':
        return;
      case 'close':
        this.connection.close();
        return;
      case 'result':
      case 'error':
        this.#send(outcome, request.requestId, request.op);
    }
  }

  #send(
    outcome: Extract<Outcome, { kind: 'result' | 'error' }>,
    requestId: number,
    op: Request['op'] | undefined,
  ): void {
    if (!this.connection.isOpen) return;
    let assignmentVersion = outcome.assignmentVersion;
    const current = this.#node.cluster.assignmentVersion;
    if (assignmentVersion === undefined && this.knownVersion > 0 && current > this.knownVersion) {
      assignmentVersion = current;
      this.knownVersion = current;
    }
    const header = {
      requestId,
      observableTimestamp: 0n,
      ...(assignmentVersion === undefined ? {} : { assignmentVersion }),
    };
    const response: Response =
      outcome.kind === 'error'
        ? {
            kind: 'error',
            ...header,
            error: outcome.error,
            traceId: TRACE_ID,
            className: outcome.error.name,
            stackTrace: null,
          }
        : // The fake's results come from a table keyed by op, which TypeScript cannot follow.
          ({ kind: 'ok', op, ...header, result: outcome.result } as Response);
    this.#writer.reset();
    writeResponseFrame(this.#writer, response);
    this.connection.send(this.#writer.toBytes());
  }
}

/** One fake node. */
export class FakeNode {
  readonly name: string;
  readonly cluster: RequestHandler;
  /** The test's hook; `undefined` answers every request by default. */
  intercept: Interceptor | undefined;
  /** When set, every handshake is rejected with this error. */
  handshakeRejection: ProtocolError | undefined;
  /** When true, handshakes get no answer at all. */
  silentHandshake = false;
  /** The names clients gave in their handshakes. */
  readonly handshakes: string[] = [];
  readonly #served = new Set<ServedConnection>();

  constructor(name: string, cluster: RequestHandler) {
    this.name = name;
    this.cluster = cluster;
  }

  /** Client connections open now. */
  get connections(): number {
    let open = 0;
    for (const served of this.#served) if (served.connection.isOpen) open++;
    return open;
  }

  accept(connection: Connection): void {
    this.#served.add(new ServedConnection(this, connection));
  }

  forget(served: ServedConnection): void {
    this.#served.delete(served);
  }
}
