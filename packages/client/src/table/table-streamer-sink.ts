/**
 * The data streamer's sink for plain batches into one table (op `STREAMER_BATCH_SEND`): it gives the
 * streamer core the table's partition count, turns each source item into an encoded row and its partition,
 * and sends each batch to the partition's primary.
 *
 * - `prepare`: a PUT is encoded as a full row (every column in schema order, unset columns marked in
 *   `noValueSet` so the server applies defaults), a REMOVE as the key columns only. Items are
 *   `DataStreamerItem`s or bare rows (PUT); in key-value mode, `[key, value]` pairs (a REMOVE needs only
 *   `[key]`). A bad item throws an error naming the column. A property the cached schema does not know
 *   starts a reload of the latest schema and the item waits, unencoded, for `send`, which encodes it with the
 *   reloaded schema or fails the batch if it still does not fit ("reload once"). The tuple is written into
 *   the partition's current byte chunk and the entry keeps a view of it (see `tuple-chunks.ts`): a buffered
 *   row then costs the GC one small view object, not an array with its own buffer and backing store. A
 *   partition's chunks start small and grow with its rows, so idle partitions of a stream cost little.
 * - `send`: every entry is encoded with one schema version (the latest known; entries encoded with an older
 *   one are re-encoded from their source row, into fresh chunk bytes: other entries' bytes are never
 *   touched). The batch goes to the partition's primary with `requestPrimary` (partition-route.ts): on a
 *   `SCHEMA_VERSION_MISMATCH` answer the same source rows are re-encoded for the version the node expects
 *   and resent, within the same call.
 * - producer: `open` registers the run's producer (its epoch); every attempt carries the producer id, the
 *   epoch and the batch number the core gave it, so the node applies a batch at most once, never after a
 *   later batch of the partition, and never once a later run of the producer started or this epoch was
 *   sealed there. `seal` seals the epoch on a partition (sink-producer.ts).
 *
 * It does not buffer, order, number, retry or account for failed items: the streamer core does.
 */
import { ProtocolError } from '@datastreamer/protocol';
import type { VersionedSchema } from '@datastreamer/protocol/internal';
import {
  bitmaskSet,
  bitmaskTrimmedLength,
  createBitmask,
  describeValue,
  EMPTY_BITMASK,
  type StreamerRow,
} from '@datastreamer/protocol/internal';
import { ClientError } from '../errors/client-error.js';
import { DataStreamerItem, StreamerOperationTypes } from '../streamer/data-streamer-item.js';
import type { InDoubtScope } from '../streamer/in-doubt-ledger.js';
import type {
  BatchAck,
  BatchAttempt,
  PreparedItem,
  SinkOpening,
  StreamerSink,
  StreamerTopology,
} from '../streamer/streamer-sink.js';
import { pairSource } from './key-value-mapping.js';
import { addressOf, batchDelivery, requestPrimary } from './partition-route.js';
import { isUnknownColumnError } from './schema-errors.js';
import { SinkProducer } from './sink-producer.js';
import type { TableContext } from './table-context.js';
import { TupleChunks, tupleView } from './tuple-chunks.js';

/** How source items are read: rows (record view) or `[key, value]` pairs (key-value view). */
export type TableSinkMode = 'record' | 'keyValue';

/** Marks an entry that no schema could encode yet (it waits for a schema reload). */
const UNENCODED = -1;
const NO_TUPLE = new Uint8Array(0);

/** What a row adds to a batch besides its tuple and `noValueSet` bytes: their MessagePack headers. */
export const ROW_FRAMING_BYTES = 8;

/**
 * One item as a batch carries it: its encoded tuple (a {@link StreamerRow}, so a batch's entries go on the
 * wire as they are) and what is needed to encode it again for another schema version.
 */
export class TableStreamerEntry implements StreamerRow {
  /** True for a REMOVE (the tuple holds the key columns only). */
  readonly remove: boolean;
  /** The row (PUT) or key (REMOVE) object the tuple was encoded from. */
  readonly source: object;
  tuple: Uint8Array;
  noValueSet: Uint8Array;
  /** The schema version `tuple` is written with, or -1 when not encoded yet. */
  schemaVersion: number;

  constructor(remove: boolean, source: object) {
    this.remove = remove;
    this.source = source;
    this.tuple = NO_TUPLE;
    this.noValueSet = EMPTY_BITMASK;
    this.schemaVersion = UNENCODED;
  }
}

/** The sink of `RecordView.streamData` and `KeyValueView.streamData`. */
export class TableStreamerSink<T> implements StreamerSink<T, TableStreamerEntry> {
  readonly #context: TableContext;
  readonly #tableId: number;
  readonly #tableName: string;
  readonly #mode: TableSinkMode;
  /** The schema new items are encoded with: the latest known. */
  #schema: VersionedSchema | undefined;
  /** A reload of the latest schema started by an item with an unknown column. */
  #reload: Promise<void> | undefined;
  /** The last reload failed (e.g. the connection dropped): entries waiting for it have not been checked. */
  #reloadFailed = false;
  /** The run's producer, once `open` registered it. */
  readonly #producer: SinkProducer;
  /** Where encoded tuples are kept: a view per entry into per-partition chunks, not an array per row. */
  readonly #chunks = new TupleChunks();

  constructor(context: TableContext, tableId: number, tableName: string, mode: TableSinkMode) {
    this.#context = context;
    this.#tableId = tableId;
    this.#tableName = tableName;
    this.#mode = mode;
    this.#producer = new SinkProducer(context, tableId);
  }

  /**
   * Loads the latest schema (its partition count sizes the streamer's buffers) and the assignment, and
   * registers the run's producer.
   */
  async open(opening: SinkOpening): Promise<StreamerTopology> {
    const topology = await this.#producer.open(opening);
    this.#schema = this.#producer.schema;
    return topology;
  }

  prepare(item: T, out: PreparedItem<TableStreamerEntry>): void {
    const schema = this.#current();
    let remove = false;
    let payload: unknown = item;
    if (item instanceof DataStreamerItem) {
      remove = item.operationType === StreamerOperationTypes.REMOVE;
      payload = item.payload;
    }
    const source =
      this.#mode === 'record' ? this.#rowSource(payload, remove) : pairSource(schema, payload, remove);
    const entry = new TableStreamerEntry(remove, source);
    try {
      out.partition = this.#encode(schema, entry, -1);
    } catch (error) {
      if (!isUnknownColumnError(error)) throw error;
      // The cached schema may be stale: reload it once; `send` encodes the entry with what comes back. The
      // partition needs only the key, which never changes between versions.
      out.partition = schema.keyPartition(entry.source);
      this.#startReload();
    }
    out.entry = entry;
    // An entry waiting for the reload counts its framing only: its size is known once it is encoded.
    out.bytes = entry.tuple.length + entry.noValueSet.length + ROW_FRAMING_BYTES;
  }

  async send(batch: BatchAttempt<TableStreamerEntry>): Promise<BatchAck<never>> {
    const { partition, entries, batchSeq, signal } = batch;
    if (this.#reload !== undefined) await this.#reload;
    const context = this.#context;
    if (this.#reloadFailed && entries.some((entry) => entry.schemaVersion === UNENCODED)) {
      // The reload these entries wait for never happened: do it now. Its failure (a lost connection, a
      // timeout) rejects this attempt with a retryable error, so the core tries again.
      this.#adopt(await context.schemas.reloadLatest(this.#tableId));
      this.#reloadFailed = false;
    }
    let schema = this.#current();
    this.#encodeAll(schema, entries, partition);
    const sent = await requestPrimary(context, {
      op: 'STREAMER_BATCH_SEND',
      tableId: this.#tableId,
      partition,
      payload: (route) => ({
        tableId: this.#tableId,
        partitionId: partition,
        deleted: deletedMask(entries),
        schemaVersion: schema.version,
        rows: entries,
        ...addressOf(route),
        producer: this.#producer.of(batchSeq),
      }),
      reencode: (expected) => {
        schema = expected;
        this.#adopt(expected);
        this.#encodeAll(expected, entries, partition);
      },
      options: { signal, onSent: batch.sent },
    });
    return batchDelivery(sent);
  }

  /** Bytes the stream's partitions hold for tuples to come: their current chunks (see `tuple-chunks.ts`). */
  get reservedBytes(): number {
    return this.#chunks.reservedBytes;
  }

  /** Seals the run's epoch on `partition`; resolves with the highest batch number it applied. */
  seal(partition: number, epoch?: number): Promise<number> {
    return this.#producer.seal(partition, epoch);
  }

  get inDoubt(): InDoubtScope {
    return this.#producer.inDoubt;
  }

  #current(): VersionedSchema {
    const schema = this.#schema;
    if (schema === undefined) throw new ClientError('INTERNAL', 'the table sink was used before open()');
    return schema;
  }

  /** A record-mode payload: the row (PUT) or key (REMOVE) object itself. */
  #rowSource(payload: unknown, remove: boolean): object {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new ProtocolError(
        'INVALID_ROW',
        `a ${remove ? 'key' : 'row'} streamed into table "${this.#tableName}" must be an object keyed by column name, got ${describeValue(payload)}`,
      );
    }
    return payload;
  }

  /**
   * Encodes `entry` with `schema` into its partition's chunk and returns the partition: `partition`, or when
   * it is -1 the one computed from the key just encoded. `entry` is left as it was when encoding throws.
   */
  #encode(schema: VersionedSchema, entry: TableStreamerEntry, partition: number): number {
    let length: number;
    if (entry.remove) {
      length = schema.stageKey(entry.source);
      entry.noValueSet = EMPTY_BITMASK;
    } else {
      length = schema.stageRow(entry.source, entry);
    }
    const target = partition < 0 ? schema.partition() : partition;
    const chunks = this.#chunks;
    const chunk = chunks.reserve(target, length);
    const offset = chunks.offset;
    schema.writeStagedTuple(chunk, offset);
    entry.tuple = tupleView(chunk, offset, length);
    entry.schemaVersion = schema.version;
    return target;
  }

  /** Brings every entry of `partition`'s batch to `schema`'s version (entries already there are left alone). */
  #encodeAll(schema: VersionedSchema, entries: readonly TableStreamerEntry[], partition: number): void {
    const version = schema.version;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as TableStreamerEntry;
      if (entry.schemaVersion !== version) this.#encode(schema, entry, partition);
    }
  }

  #startReload(): void {
    if (this.#reload !== undefined) return;
    this.#reload = this.#context.schemas.reloadLatest(this.#tableId).then(
      (latest) => {
        this.#adopt(latest);
        this.#reloadFailed = false;
        this.#reload = undefined;
      },
      (error: unknown) => {
        this.#reloadFailed = true;
        this.#reload = undefined;
        this.#context.logger.warn(
          { table: this.#tableName, error: error instanceof Error ? error.message : String(error) },
          'schema reload failed',
        );
      },
    );
  }

  /** Encodes new items with `schema` from now on, if it is newer than the current one. */
  #adopt(schema: VersionedSchema): void {
    const current = this.#schema;
    if (current === undefined || schema.version > current.version) this.#schema = schema;
  }
}

/** The batch's `deleted` bit set: bit i for each REMOVE entry; `null` when there is none. */
function deletedMask(entries: readonly TableStreamerEntry[]): Uint8Array | null {
  let mask: Uint8Array | undefined;
  for (let i = 0; i < entries.length; i++) {
    if (!(entries[i] as TableStreamerEntry).remove) continue;
    mask ??= createBitmask(entries.length);
    bitmaskSet(mask, i);
  }
  return mask === undefined ? null : mask.subarray(0, bitmaskTrimmedLength(mask));
}
