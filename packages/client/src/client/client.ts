/**
 * The client: connections to the cluster's nodes, the caches (tables, schemas, partition assignment), the
 * catalog and the tables. `Client.connect` validates the options, connects to every endpoint, and resolves
 * once at least one node answered its handshake (the others are retried in the background).
 *
 * It does not stream or encode rows itself: the views and the streamer do, through what it shares with them
 * (`TableContext`).
 *
 * @example
 * ```ts
 * await using client = await Client.connect({ transport, endpoints: ['node-1', 'node-2'] });
 * const table = await client.tables.table('TrackEvents');
 * await table?.recordView().upsert({ EventId: 1n, ... });
 * ```
 */
import { MemberRefresh } from '../cache/member-refresh.js';
import { PartitionAssignmentCache } from '../cache/partition-assignment-cache.js';
import { SchemaCache } from '../cache/schema-cache.js';
import { TableCache } from '../cache/table-cache.js';
import { ConnectionPool, type EndpointStatus } from '../connection/connection-pool.js';
import { InDoubtLedger } from '../streamer/in-doubt-ledger.js';
import { Catalog } from '../table/catalog.js';
import type { TableContext } from '../table/table-context.js';
import { Tables } from '../table/tables.js';
import { type ClientOptions, resolveClientOptions } from './client-options.js';

export class Client implements AsyncDisposable {
  /** Creates and changes tables. */
  readonly catalog: Catalog;
  /** Finds tables by name. */
  readonly tables: Tables;
  readonly #pool: ConnectionPool;
  #closed = false;

  private constructor(pool: ConnectionPool, context: TableContext) {
    this.#pool = pool;
    this.catalog = new Catalog(context);
    this.tables = new Tables(context);
  }

  /**
   * Validates `options`, connects to every endpoint and completes the handshakes.
   *
   * @param options see {@link ClientOptions} (`transport` and `endpoints` required; `clock`, `logger`,
   *   `rng`, `requestTimeoutMs` (30000), `connectTimeoutMs` (10000), `reconnect` (100 ms x2 up to 5000 ms,
   *   jitter 0.5), `name`, `auth` (none), `heartbeatIntervalMs` (30000), `heartbeatTimeoutMs` (5000),
   *   `clusterDiscovery` (true), `maxConnections` (no bound)).
   * @throws InvalidOptionError naming the bad option, before any connection is tried.
   * @throws ClientError `AUTHENTICATION_FAILED` (not retryable) when a node refused the credentials and
   *   none could be connected; `NODE_UNAVAILABLE` naming every endpoint and why, when none could be reached.
   */
  static async connect(options: ClientOptions): Promise<Client> {
    const resolved = resolveClientOptions(options);
    const logger = resolved.logger.child({ component: 'client' });
    let assignments: PartitionAssignmentCache | undefined;
    let members: MemberRefresh | undefined;
    const pool = await ConnectionPool.open({
      ...resolved,
      logger,
      // Responses may arrive before the cache exists (none do before open resolves, but be safe).
      onAssignmentVersion: (version) => {
        if (assignments === undefined) return;
        const newer = version > assignments.latestKnownVersion;
        assignments.noteVersion(version);
        // A newer assignment follows every join and leave: the member list may have changed too.
        if (newer) members?.hint();
      },
      onTopologyHint: () => members?.hint(),
    });
    assignments = new PartitionAssignmentCache(pool, resolved.buggify, (list, version) =>
      pool.learn(list, version),
    );
    const tables = new TableCache(pool);
    if (resolved.clusterDiscovery) {
      members = new MemberRefresh({
        assignments,
        tables,
        requester: pool,
        openNodes: () => pool.openConnections().map((connection) => connection.nodeName),
        logger,
      });
    }
    const context: TableContext = {
      pool,
      tables,
      schemas: new SchemaCache(pool, resolved.buggify),
      assignments,
      clock: resolved.clock,
      rng: resolved.rng.child('streamer'),
      logger,
      inDoubt: new InDoubtLedger(),
      buggify: resolved.buggify,
    };
    return new Client(pool, context);
  }

  /** Each endpoint and the state of its connection (`open`, `connecting`, `waiting` to reconnect, ...). */
  get endpoints(): readonly EndpointStatus[] {
    return this.#pool.endpoints;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Closes every connection and stops reconnecting; requests still waiting fail with `CLOSED`, and so does
   * anything tried afterwards. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pool.close();
  }

  /** `await using client = await Client.connect(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
