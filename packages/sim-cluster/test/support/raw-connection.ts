/**
 * Test support: a hand-driven connection over the simulated network, for what no well-behaved client sends
 * (corrupted tuples, a node peer without the secret, replayed bytes). It speaks through the protocol's own
 * codecs: the handshake it is told to send, then requests by op (ids of its own), answers matched by id.
 * It records every chunk it sent, so a test can replay them, and never retries.
 */
import {
  type Connection,
  decodeHandshakeResponse,
  decodeResponse,
  encodeHandshakeRequest,
  encodeRequestFrame,
  FrameDecoder,
  type HandshakeExtensions,
  type HandshakeResponse,
  type OpName,
  type PeerType,
  PROTOCOL_VERSION,
  type Request,
  type RequestOf,
  type Response,
  SUPPORTED_FEATURES,
} from '@datastreamer/protocol';
import type { SimCluster } from '../../src/cluster/sim-cluster.js';

/** The payload of op `K`: its request without `op` and `requestId`. */
export type Payload<K extends OpName> = Omit<RequestOf<K>, 'op' | 'requestId'>;

export class RawConnection {
  /** Every chunk this side sent, in order. */
  readonly sent: Uint8Array[] = [];
  /** Resolves when the connection closes, either side. */
  readonly closed: Promise<void>;
  readonly #connection: Connection;
  readonly #decoder = new FrameDecoder();
  readonly #waiting = new Map<number, { readonly op: OpName; readonly done: (response: Response) => void }>();
  #handshake: ((response: HandshakeResponse) => void) | undefined;
  #nextId = 1;

  private constructor(connection: Connection) {
    this.#connection = connection;
    let closed: () => void = () => {};
    this.closed = new Promise((resolve) => {
      closed = resolve;
    });
    connection.setListener({
      data: (chunk) => {
        for (const body of this.#decoder.decode(chunk)) this.#frame(body);
      },
      close: () => closed(),
    });
  }

  /** Connects endpoint `name` to `node` over `cluster`'s network, without a handshake. */
  static async open(cluster: SimCluster, name: string, node: string): Promise<RawConnection> {
    return new RawConnection(await cluster.network.transport(name).connect(node));
  }

  get isOpen(): boolean {
    return this.#connection.isOpen;
  }

  /** Sends the preamble and a handshake as `peerType` named `name`; resolves with the answer. */
  handshake(peerType: PeerType, name: string, extensions?: HandshakeExtensions): Promise<HandshakeResponse> {
    const answer = new Promise<HandshakeResponse>((resolve) => {
      this.#handshake = resolve;
    });
    this.sendBytes(
      encodeHandshakeRequest({
        version: PROTOCOL_VERSION,
        peerType,
        features: SUPPORTED_FEATURES,
        name,
        ...(extensions === undefined ? {} : { extensions }),
      }),
    );
    return answer;
  }

  /** Sends op `op`; resolves with the raw response (errors included). */
  send<K extends OpName>(op: K, payload: Payload<K>): Promise<Response> {
    const requestId = this.#nextId++;
    const answer = this.expect(requestId, op);
    this.sendBytes(encodeRequestFrame({ ...payload, op, requestId } as unknown as Request));
    return answer;
  }

  /** Waits for the answer to request `requestId` of op `op` (sent as raw bytes). */
  expect(requestId: number, op: OpName): Promise<Response> {
    return new Promise((done) => this.#waiting.set(requestId, { op, done }));
  }

  sendBytes(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.#connection.send(bytes);
  }

  close(): void {
    this.#connection.close();
  }

  #frame(body: Uint8Array): void {
    const handshake = this.#handshake;
    if (handshake !== undefined) {
      this.#handshake = undefined;
      handshake(decodeHandshakeResponse(body));
      return;
    }
    const response = decodeResponse(body, (id) => this.#waiting.get(id)?.op);
    const waiting = this.#waiting.get(response.requestId);
    this.#waiting.delete(response.requestId);
    waiting?.done(response);
  }
}
