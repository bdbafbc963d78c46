/**
 * What tables, views and the streamer sink share with the client that made them: its connections, its
 * caches and its runtime seams. One per client; plain data, no behaviour.
 */
import type { Buggify, Clock, Logger, Rng } from '@datastreamer/protocol';
import type { PartitionAssignmentCache } from '../cache/partition-assignment-cache.js';
import type { SchemaCache } from '../cache/schema-cache.js';
import type { TableCache } from '../cache/table-cache.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import type { InDoubtLedger } from '../streamer/in-doubt-ledger.js';

export interface TableContext {
  readonly pool: ConnectionPool;
  readonly tables: TableCache;
  readonly schemas: SchemaCache;
  readonly assignments: PartitionAssignmentCache;
  readonly clock: Clock;
  /** Handed to streams as their default `rng` (backoff jitter). */
  readonly rng: Rng;
  readonly logger: Logger;
  /** What failed streams of this client left in doubt, so that resuming them is exact. */
  readonly inDoubt: InDoubtLedger;
  /** Fault points (simulation only), handed to streams through their sink. */
  readonly buggify?: Buggify;
}
