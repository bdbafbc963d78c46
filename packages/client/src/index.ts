/**
 * @datastreamer/client: the user's client. Connections to the cluster's nodes, schema and partition-assignment
 * caches, the catalog, record and key-value table views, and the data streamer (`view.streamData`), which
 * pushes any stream of rows into a table in partition-aware batches with backpressure, retries,
 * at-least-once delivery and per-key order.
 *
 * This entry is the public surface: what users call. The streamer core and its sink seam are behind
 * `@datastreamer/client/internal` (internal.ts), unstable, for the repository's own packages.
 *
 * Folders import one way only, type imports included, lowest first (a folder imports only folders before it):
 *   errors, runtime  ->  connection  ->  cache  ->  streamer  ->  table  ->  client
 * - errors: the package's error classes and the zod-to-option-error helper; runtime: RxJS on the clock.
 * - connection: one connection per node and the pool; its option types (reconnect, credentials) live here.
 * - cache: schemas, tables and partition assignments (and the member lists they carry, refreshed when the
 *   cluster may have changed), fetched through the connection's `Requester`.
 * - streamer: the data streamer core, which knows a sink only by the `StreamerSink` seam (no table, no node).
 * - table: catalog, views, row operations, both streamer sinks and the route to a partition's primary.
 * - client: `Client`, which builds the pool, the caches and the table context, and its options.
 */

// Client and options
export { Client } from './client/client.js';
export { ClientDefaults, type ClientOptions } from './client/client-options.js';
export type { BasicCredentials, ReconnectOptions } from './connection/connection-options.js';
export type { EndpointStatus } from './connection/connection-pool.js';
// Errors
export { ClientError, type ClientErrorOptions } from './errors/client-error.js';
export { DataStreamerError, type DataStreamerErrorOptions } from './errors/data-streamer-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
// RxJS on the injected clock
export { clockScheduler } from './runtime/clock-scheduler.js';
// The data streamer
export {
  DataStreamerItem,
  type StreamerOperationType,
  StreamerOperationTypes,
} from './streamer/data-streamer-item.js';
export { fromPull, PullObservable, type PullSource } from './streamer/from-pull.js';
export type { StreamerSource } from './streamer/sources/open-source-reader.js';
export { type StreamIntoTarget, streamInto } from './streamer/stream-into.js';
export {
  type DataStreamerOptions,
  type RetryBackoffOptions,
  StreamerDefaults,
} from './streamer/streamer-options.js';
export { StreamerPublisher } from './streamer/streamer-publisher.js';
export type { DataStreamerSummary, StreamerBatchInfo, StreamerGauge } from './streamer/streamer-summary.js';
// Catalog, tables and views
export { Catalog } from './table/catalog.js';
export { type KeyValueEntry, type KeyValueStreamItem, KeyValueView } from './table/key-value-view.js';
// Receivers (user code on the nodes)
export type { ReceiverDescriptor } from './table/receiver-streamer-sink.js';
export { type RecordStreamItem, RecordView } from './table/record-view.js';
export { Table } from './table/table.js';
export type { RowObject } from './table/table-rows.js';
export { Tables } from './table/tables.js';
