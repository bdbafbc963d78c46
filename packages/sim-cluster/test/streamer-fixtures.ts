// Shared pieces of the streamer behaviour tests (streamer-*.test.ts): the tables they stream into, row
// builders, a source that counts how far it was pulled, a tally of requests per node, and a transport tap
// that lets a test see (and drop, or reset the connection under) each request a client sends.
//
// The tap works on whole frames: the simulated network carries one frame per `send`, and the first send of
// a connection is the preamble with the handshake, which the tap passes through untouched.

import { Client, type Table } from '@datastreamer/client';
import {
  type Connection,
  type ConnectionListener,
  createRng,
  FRAME_HEADER_SIZE,
  MsgPackReader,
  type OpName,
  opNameFromCode,
  type TableDefinition,
  type Transport,
} from '@datastreamer/protocol';
import type { SimCluster } from '../src/cluster/sim-cluster.js';

/** A one-key table: `Id` (INT64), `Name` (STRING), `Score` (INT32, nullable, default 0). */
export function itemsTable(name = 'Items', partitions?: number): TableDefinition {
  return {
    name,
    columns: [
      { name: 'Id', type: 'INT64' },
      { name: 'Name', type: 'STRING' },
      { name: 'Score', type: 'INT32', nullable: true, default: 0 },
    ],
    primaryKey: ['Id'],
    ...(partitions === undefined ? {} : { partitions }),
  };
}

/** A row of {@link itemsTable}: `version` tells apart several writes of one key. */
export interface ItemRow {
  readonly Id: bigint;
  readonly Name: string;
  readonly Score: number;
}

export function itemRow(id: number, version = 0): ItemRow {
  return { Id: BigInt(id), Name: `item-${id}-v${version}`, Score: id * 7 + version };
}

/** Creates the table through `client` and returns it. */
export async function createTable(client: Client, definition: TableDefinition): Promise<Table> {
  return client.catalog.createTable(definition);
}

/** The table `name` as `client` sees it; fails the test when the client cannot find it. */
export async function tableOf(client: Client, name: string): Promise<Table> {
  const table = await client.tables.table(name);
  if (table === null) throw new Error(`the client does not find table "${name}"`);
  return table;
}

/** Rows read back by `cluster.readTable`, keyed by their `Id`. */
export function byId(rows: readonly Record<string, unknown>[]): Map<unknown, Record<string, unknown>> {
  return new Map(rows.map((row) => [keyOf(row), row]));
}

function keyOf({ Id }: Record<string, unknown>): unknown {
  return Id;
}

/** An iterable over `items` that counts how many were pulled from it. */
export class CountingSource<T> implements Iterable<T> {
  pulled = 0;
  readonly #items: readonly T[];

  constructor(items: readonly T[]) {
    this.#items = items;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const item of this.#items) {
      this.pulled++;
      yield item;
    }
  }

  /** The items pulled so far, in source order. */
  taken(): T[] {
    return this.#items.slice(0, this.pulled);
  }
}

/** A promise a test resolves by hand: an async source blocks on it to stay open. */
export class Gate {
  readonly opened: Promise<void>;
  open: () => void = () => {};

  constructor() {
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }
}

/** Requests of `op` each node has decoded so far, summed over the cluster's nodes. */
export function requestsAtNodes(cluster: SimCluster, op?: OpName): number {
  let total = 0;
  for (const name of cluster.nodes) {
    const metrics = cluster.node(name).metrics();
    if (op !== undefined) {
      total += metrics.byOp[op] ?? 0;
      continue;
    }
    // The nodes' own traffic (the metastorage's Raft group and watches) goes on in the background.
    const background = BACKGROUND_OPS.reduce((sum, o) => sum + (metrics.byOp[o] ?? 0), 0);
    total += metrics.requests - background;
  }
  return total;
}

const BACKGROUND_OPS: readonly OpName[] = [
  'RAFT_VOTE',
  'RAFT_APPEND',
  'RAFT_SNAPSHOT',
  'META_PROPOSE',
  'META_WATCH',
  'NODE_AUTHENTICATE',
];

/** One request a tapped client sent. */
export interface TappedRequest {
  readonly op: OpName;
  /** The node it went to. */
  readonly node: string;
  /** The batch's partition (streamer batches only). */
  readonly partition: number | undefined;
  /** Its position among every request of the tap, from 0. */
  readonly index: number;
  /** Virtual time it was sent at. */
  readonly atMs: number;
}

/**
 * What happens to a request: `send` it; `swallow` it (it never leaves, the client times out); `resetBefore`:
 * the connection is reset as the request leaves (the node never sees it); `resetAfter`: the request goes
 * through and the connection is reset when the next answer comes back (the node may have applied it).
 */
export type TapAction = 'send' | 'swallow' | 'resetBefore' | 'resetAfter';

/** A transport that records every request and applies a scripted {@link TapAction} to it. */
export class RequestTap implements Transport {
  readonly requests: TappedRequest[] = [];
  /** Decides each request's fate; every request is sent unless a test says otherwise. */
  decide: (request: TappedRequest) => TapAction = () => 'send';
  readonly #cluster: SimCluster;
  readonly #base: Transport;
  readonly #name: string;

  constructor(cluster: SimCluster, name: string) {
    this.#cluster = cluster;
    this.#name = name;
    this.#base = cluster.network.transport(name);
  }

  get name(): string {
    return this.#name;
  }

  async connect(endpoint: string): Promise<Connection> {
    return new TappedConnection(this, await this.#base.connect(endpoint));
  }

  /** Requests of `op` sent so far (each attempt counts). */
  count(op: OpName): number {
    return this.requests.filter((request) => request.op === op).length;
  }

  /** Records a request frame and says what to do with it. */
  route(frame: Uint8Array, node: string): TapAction {
    const reader = new MsgPackReader(frame.subarray(FRAME_HEADER_SIZE));
    const op = opNameFromCode(reader.readInt32('opCode'));
    if (op === undefined) throw new Error('the tap saw a frame with an unknown op code');
    let partition: number | undefined;
    if (op === 'STREAMER_BATCH_SEND') {
      reader.readInt64('requestId');
      reader.readInt32('tableId');
      partition = reader.readInt32('partitionId');
    }
    const request: TappedRequest = {
      op,
      node,
      partition,
      index: this.requests.length,
      atMs: this.#cluster.clock.now(),
    };
    this.requests.push(request);
    return this.decide(request);
  }

  reset(node: string): void {
    this.#cluster.network.disconnect(this.#name, node);
  }
}

class TappedConnection implements Connection {
  readonly #tap: RequestTap;
  readonly #inner: Connection;
  #handshakeSent = false;
  /** A `resetAfter` request went out: the next answer is lost with the connection. */
  #doomed = false;

  constructor(tap: RequestTap, inner: Connection) {
    this.#tap = tap;
    this.#inner = inner;
  }

  get local(): string {
    return this.#inner.local;
  }

  get remote(): string {
    return this.#inner.remote;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  setListener(listener: ConnectionListener): void {
    this.#inner.setListener({
      data: (chunk) => {
        if (this.#doomed) {
          this.#doomed = false;
          this.#tap.reset(this.#inner.remote);
          return;
        }
        listener.data(chunk);
      },
      close: (error) => listener.close(error),
    });
  }

  send(bytes: Uint8Array): void {
    if (!this.#handshakeSent) {
      this.#handshakeSent = true;
      this.#inner.send(bytes);
      return;
    }
    switch (this.#tap.route(bytes, this.#inner.remote)) {
      case 'send':
        this.#inner.send(bytes);
        return;
      case 'swallow':
        return;
      case 'resetBefore':
        this.#inner.send(bytes);
        this.#tap.reset(this.#inner.remote);
        return;
      case 'resetAfter':
        this.#inner.send(bytes);
        this.#doomed = true;
        return;
    }
  }

  close(): void {
    this.#inner.close();
  }
}

/** Options of {@link connectTapped}. */
export interface TappedClientOptions {
  /** The endpoint name of the client. Default `tapped-client`. */
  readonly name?: string;
  /** Nodes to connect to. Default: every node. */
  readonly nodes?: readonly string[];
  /** Default: the client's own (30 s). */
  readonly requestTimeoutMs?: number;
}

/**
 * A client whose requests go through a {@link RequestTap}, on the cluster's clock. The caller closes it
 * (`await using`), since the cluster only closes the clients it connected itself.
 */
export async function connectTapped(
  cluster: SimCluster,
  options: TappedClientOptions = {},
): Promise<{ client: Client; tap: RequestTap }> {
  const tap = new RequestTap(cluster, options.name ?? 'tapped-client');
  const client = await Client.connect({
    transport: tap,
    endpoints: options.nodes ?? cluster.nodes,
    clock: cluster.clock,
    rng: createRng(cluster.seed).child(tap.name),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  return { client, tap };
}
