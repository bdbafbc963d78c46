/**
 * @datastreamer/client: the user's client. Connections to the cluster's nodes, schema and partition-assignment
 * caches, the catalog, record and key-value table views, and the data streamer (`view.streamData`), which
 * pushes any stream of rows into a table in partition-aware batches with backpressure, retries,
 * at-least-once delivery and per-key order.
 */

// Client and options
export { Client } from './client/client.js';
export { ClientDefaults, type ClientOptions, type ReconnectOptions } from './client/client-options.js';
export type { EndpointStatus } from './connection/connection-pool.js';
// Errors
export { ClientError, type ClientErrorOptions } from './errors/client-error.js';
export { DataStreamerError, type DataStreamerErrorOptions } from './errors/data-streamer-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
// Receivers (user code on the nodes)
export type { ReceiverDescriptor } from './receiver/receiver-streamer-sink.js';
// RxJS on the injected clock
export { clockScheduler } from './runtime/clock-scheduler.js';
export { DataStreamer, type DataStreamerHooks } from './streamer/data-streamer.js';
// The data streamer
export {
  DataStreamerItem,
  type StreamerOperationType,
  StreamerOperationTypes,
} from './streamer/data-streamer-item.js';
export { fromPull, PullObservable, type PullSource } from './streamer/from-pull.js';
export type { StreamerSource } from './streamer/sources/open-source-reader.js';
export { streamData, streamResults } from './streamer/stream-data.js';
export { type StreamIntoTarget, streamInto } from './streamer/stream-into.js';
export {
  type DataStreamerOptions,
  type RetryBackoffOptions,
  StreamerDefaults,
} from './streamer/streamer-options.js';
export { StreamerPublisher } from './streamer/streamer-publisher.js';
export type { BatchAck, PreparedItem, StreamerSink, StreamerTopology } from './streamer/streamer-sink.js';
export type { DataStreamerSummary, StreamerBatchInfo, StreamerGauge } from './streamer/streamer-summary.js';
// Catalog, tables and views
export { Catalog } from './table/catalog.js';
export { type KeyValueEntry, type KeyValueStreamItem, KeyValueView } from './table/key-value-view.js';
export { type RecordStreamItem, RecordView } from './table/record-view.js';
export { Table } from './table/table.js';
export type { RowObject } from './table/table-rows.js';
export { Tables } from './table/tables.js';
