/**
 * Test support: the pieces a client shares with its tables (connection pool and caches), built over a fake
 * cluster without a `Client`, so the streamer sink can be driven call by call.
 */
import { createRng, silentLogger } from '@datastreamer/protocol';
import type { SimClock } from '../../../sim-cluster/src/clock/sim-clock.js';
import { PartitionAssignmentCache } from '../../src/cache/partition-assignment-cache.js';
import { SchemaCache } from '../../src/cache/schema-cache.js';
import { TableCache } from '../../src/cache/table-cache.js';
import { ConnectionPool } from '../../src/connection/connection-pool.js';
import { InDoubtLedger } from '../../src/streamer/in-doubt-ledger.js';
import type { TableContext } from '../../src/table/table-context.js';
import type { FakeCluster } from './fake-cluster.js';

/** A pool connected to every node of `cluster`, and fresh caches. */
export async function openTableContext(cluster: FakeCluster, clock: SimClock): Promise<TableContext> {
  let assignments: PartitionAssignmentCache | undefined;
  const pool = await ConnectionPool.open({
    transport: cluster.transport,
    endpoints: [...cluster.nodes.keys()],
    clock,
    rng: createRng(3),
    logger: silentLogger,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 1000,
    reconnect: { initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0.5 },
    name: undefined,
    auth: undefined,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 5000,
    clusterDiscovery: false,
    maxConnections: Number.POSITIVE_INFINITY,
    onAssignmentVersion: (version) => assignments?.noteVersion(version),
  });
  assignments = new PartitionAssignmentCache(pool);
  return {
    pool,
    tables: new TableCache(pool),
    schemas: new SchemaCache(pool),
    assignments,
    clock,
    rng: createRng(5),
    logger: silentLogger,
    inDoubt: new InDoubtLedger(),
  };
}
