/**
 * A raw test client: speaks frames through the protocol's own codecs, nothing more. It opens a connection on a
 * `LoopbackNetwork`, sends the preamble and a handshake (any version, peer type or extensions the test wants;
 * as a node peer it proves a cluster secret when given one), sends requests by op with ids of its own, and
 * hands back raw responses (flags included) or results. It can also send arbitrary bytes, for malformed-frame
 * tests. It keeps no caches and never retries.
 */
import {
  type Connection,
  decodeHandshakeResponse,
  decodeResponse,
  encodeHandshakeRequest,
  encodeRequestFrame,
  FrameDecoder,
  HandshakeExtensionKeys,
  type HandshakeExtensions,
  type HandshakeResponse,
  type OpName,
  type PeerType,
  PROTOCOL_VERSION,
  type ProtocolVersion,
  type Request,
  type RequestOf,
  type Response,
  type ResultOf,
  SUPPORTED_FEATURES,
} from '@datastreamer/protocol';
import { peerProof } from '../../src/auth/peer-proof.js';
import type { LoopbackNetwork } from './loopback-network.js';

export interface HandshakeOptions {
  readonly name?: string;
  readonly version?: ProtocolVersion;
  readonly peerType?: PeerType;
  readonly extensions?: HandshakeExtensions;
  /** The features announced. Default: every feature this package has (`SUPPORTED_FEATURES`). */
  readonly features?: Uint8Array;
  /** As a node peer: the secret to prove over the node's challenge (NODE_AUTHENTICATE). Default: none. */
  readonly clusterSecret?: string;
}

/** The payload of op `K`: its request without `op` and `requestId`. */
export type Payload<K extends OpName> = Omit<RequestOf<K>, 'op' | 'requestId'>;

interface Waiting {
  readonly op: OpName;
  readonly resolve: (response: Response) => void;
  readonly reject: (error: unknown) => void;
}

export class RawClient {
  readonly connection: Connection;
  /** Resolves when the connection closes (either side). */
  readonly closed: Promise<void>;
  readonly #decoder = new FrameDecoder();
  readonly #waiting = new Map<number, Waiting>();
  readonly #responses: Response[] = [];
  #handshake: ((body: Uint8Array) => void) | undefined;
  #isClosed = false;
  #nextId = 1;
  /** Successful responses that matched no request this client waits for. */
  strays = 0;

  private constructor(connection: Connection) {
    this.connection = connection;
    let onClose: () => void = () => {};
    this.closed = new Promise((resolve) => {
      onClose = resolve;
    });
    connection.setListener({
      data: (chunk) => {
        for (const body of this.#decoder.decode(chunk)) this.#frame(body);
      },
      close: () => {
        this.#isClosed = true;
        for (const waiting of this.#waiting.values()) waiting.reject(new Error('connection closed'));
        this.#waiting.clear();
        onClose();
      },
    });
  }

  /** Opens a connection to `node` without shaking hands. */
  static async open(network: LoopbackNetwork, node: string, name = 'client-1'): Promise<RawClient> {
    return new RawClient(await network.connect(name, node));
  }

  /** Opens a connection to `node` and completes a client handshake; throws if the node refuses it. */
  static async connect(
    network: LoopbackNetwork,
    node: string,
    options: HandshakeOptions = {},
  ): Promise<RawClient> {
    const client = await RawClient.open(network, node, options.name ?? 'client-1');
    const answer = await client.handshake(options);
    if (answer.kind === 'rejected') throw answer.error;
    const challenge = answer.extensions?.get(HandshakeExtensionKeys.authnChallenge);
    if (challenge instanceof Uint8Array && options.clusterSecret !== undefined) {
      const secret = new TextEncoder().encode(options.clusterSecret);
      const proof = peerProof(secret, options.name ?? 'client-1', node, challenge);
      await client.call('NODE_AUTHENTICATE', { proof });
    }
    return client;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Responses that arrived, in arrival order. */
  get responses(): readonly Response[] {
    return this.#responses;
  }

  /** Sends the preamble and a handshake; resolves with the node's answer. */
  handshake(options: HandshakeOptions = {}): Promise<HandshakeResponse> {
    const answer = new Promise<HandshakeResponse>((resolve, reject) => {
      this.#handshake = (body) => {
        try {
          // Read as this package speaks, so a test can see what the node answered a peer of another version.
          resolve(decodeHandshakeResponse(body));
        } catch (error) {
          reject(error);
        }
      };
    });
    this.connection.send(
      encodeHandshakeRequest({
        version: options.version ?? PROTOCOL_VERSION,
        peerType: options.peerType ?? 'client',
        features: options.features ?? SUPPORTED_FEATURES,
        name: options.name ?? 'client-1',
        ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
      }),
    );
    return answer;
  }

  /** The id the next request will get. */
  get nextId(): number {
    return this.#nextId;
  }

  /** Sends op `op` and resolves with the raw response (error responses included). */
  send<K extends OpName>(op: K, payload: Payload<K>): Promise<Response> {
    const requestId = this.#nextId++;
    const request = { op, requestId, ...payload } as unknown as Request;
    const response = new Promise<Response>((resolve, reject) => {
      this.#waiting.set(requestId, { op, resolve, reject });
    });
    this.connection.send(encodeRequestFrame(request));
    return response;
  }

  /** Sends op `op` and resolves with its result; an error response rejects with its `ProtocolError`. */
  async call<K extends OpName>(op: K, payload: Payload<K>): Promise<ResultOf<K>> {
    const response = await this.send(op, payload);
    if (response.kind === 'error') throw response.error;
    return response.result as ResultOf<K>;
  }

  /** Waits for the response to a request sent as raw bytes with id `requestId` (op `op` for its result). */
  expect(requestId: number, op: OpName): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.#waiting.set(requestId, { op, resolve, reject });
    });
  }

  /** Sends `bytes` as they are. */
  sendBytes(bytes: Uint8Array): void {
    this.connection.send(bytes);
  }

  /** Sends `body` as one frame (length prefix, then the body). */
  sendFrame(body: Uint8Array): void {
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setUint32(0, body.length);
    frame.set(body, 4);
    this.connection.send(frame);
  }

  close(): void {
    this.connection.close();
  }

  #frame(body: Uint8Array): void {
    const handshake = this.#handshake;
    if (handshake !== undefined) {
      this.#handshake = undefined;
      handshake(body);
      return;
    }
    let response: Response;
    try {
      response = decodeResponse(body, (id) => this.#waiting.get(id)?.op);
    } catch {
      // An answer to a request this client did not send through `send` or `expect` (raw bytes in a test).
      this.strays++;
      return;
    }
    this.#responses.push(response);
    const waiting = this.#waiting.get(response.requestId);
    if (waiting === undefined) return;
    this.#waiting.delete(response.requestId);
    waiting.resolve(response);
  }
}
