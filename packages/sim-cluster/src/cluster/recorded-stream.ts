/**
 * A data stream whose life is written into a run's history, so the checkers can judge it: a `submit` per item
 * as the streamer takes it from the source (client, stream id, source index, PUT or REMOVE, the canonical key
 * and the producer's per-key sequence number), an `ack` per acknowledged batch (the source indexes of its
 * items, from `StreamerBatchInfo.indexes`), a `fail` with the indexes of the items the stream reported failed,
 * and `settled` when its promise settles. It returns what `streamData` returns, with the same outcome.
 *
 * Keys: the submit's key must be the string the cluster records for the commits of that key
 * (`canonicalKey` of the key columns object), or the checkers cannot pair them; `streamItemKey` builds it
 * from the table's key columns.
 *
 * Cost per item: the caller's key and seq functions, one history event, one array slot (to name failed items
 * by index). Per batch: one ack event. It does not change the items, the batching or the options other than
 * chaining `onBatch`, and does not run any checker.
 */

import {
  type Client,
  DataStreamerError,
  DataStreamerItem,
  type DataStreamerOptions,
  type DataStreamerSummary,
  type StreamerBatchInfo,
  type StreamerSource,
} from '@datastreamer/client';
import type { StreamerOperationType } from '@datastreamer/protocol';
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import type { History } from '../history/history.js';
import { recordingSource, type TakenItemSink } from './recording-source.js';

/** What a recorded stream writes through: a record or key-value view (anything with these two members). */
export interface StreamTarget<T> {
  /** The table the items go to; submits name it. */
  readonly tableName: string;
  streamData(source: StreamerSource<T>, options?: DataStreamerOptions): Promise<DataStreamerSummary>;
}

/** What `SimCluster.stream` takes besides the view, the source and the options. */
export interface StreamRecording<T> {
  /** The client whose view streams: a client the cluster connected, or the name of one made otherwise. */
  readonly client: Client | string;
  /**
   * The producer's sequence number for the item's key (see {@link RecordedStreamSpec.seq}); the rows must
   * carry it in a value column.
   */
  readonly seq: (item: T) => number | bigint;
  /**
   * The item's key, as an object of the key columns (or any value `canonicalKey` takes that gives the same
   * string as that object). Default: the key columns read from the row, the key-value entry's key, or the
   * `DataStreamerItem`'s payload.
   */
  readonly key?: (item: T) => unknown;
  /** Who produced the items. Default: the client. */
  readonly producer?: string | ((item: T) => string);
}

/** Where and how a stream is recorded. */
export interface RecordedStreamSpec<T> {
  readonly history: History;
  /** The client's name as the run knows it (`client-1`, ...). */
  readonly client: string;
  /** The stream's id, unique per client. */
  readonly stream: number;
  /**
   * The canonical string of an item's key: the same string the cluster records in the applies of that key
   * (`canonicalKey` of the key columns object; `streamItemKey` builds it from the key columns).
   */
  readonly canonicalKey: (item: T) => string;
  /**
   * The producer's sequence number for the item's key: it grows with each item the producer makes for that
   * key. The rows must carry it too (a value column), so `check({ seq })` can read it back.
   */
  readonly seq: (item: T) => number | bigint;
  /** Who produced the items. Default: the client. */
  readonly producer?: string | ((item: T) => string);
}

/**
 * Streams `source` into `target` with `options`, recording the stream into `spec.history` (see the module
 * header). `options.onBatch`, if any, is still called for each batch, after the ack is recorded.
 *
 * @returns the summary promise's outcome unchanged: the summary, or the stream's error.
 * @throws (rejects) SimClusterError `INVALID_ARGUMENT` for a `StreamerPublisher` source, which cannot be
 *   recorded; SimClusterError `INTERNAL` (with the stream's error as `cause`) when the stream reports failed
 *   items it never took or had acknowledged, which is a streamer accounting bug.
 */
export function recordedStream<T>(
  target: StreamTarget<T>,
  source: StreamerSource<T>,
  spec: RecordedStreamSpec<T>,
  options?: DataStreamerOptions,
): Promise<DataStreamerSummary> {
  const recorder = new StreamRecorder(spec, target.tableName);
  let recorded: StreamerSource<T>;
  try {
    recorded = recordingSource(source, recorder);
  } catch (error) {
    return Promise.reject(error);
  }
  return target.streamData(recorded, recorder.chainOptions(options)).then(
    (summary) => {
      recorder.settled(undefined, summary);
      return summary;
    },
    (error: unknown) => {
      throw recorder.rejected(error);
    },
  );
}

class StreamRecorder<T> implements TakenItemSink<T> {
  readonly #spec: RecordedStreamSpec<T>;
  readonly #table: string;
  /** Every item taken, by source index: failed items are named by index through them. */
  readonly #items: T[] = [];
  /** The `indexes` of every acknowledged batch. */
  readonly #acked: (readonly number[])[] = [];

  constructor(spec: RecordedStreamSpec<T>, table: string) {
    this.#spec = spec;
    this.#table = table;
  }

  taken(item: T): void {
    const spec = this.#spec;
    // Everything that can throw runs before the index is used: an item it refuses was never taken.
    const key = spec.canonicalKey(item);
    const seq = toSeq(spec.seq(item), this.#items.length);
    const op: StreamerOperationType = item instanceof DataStreamerItem ? item.operationType : 'PUT';
    const producer = typeof spec.producer === 'function' ? spec.producer(item) : spec.producer;
    const index = this.#items.length;
    if (producer === undefined) {
      spec.history.recordSubmit({
        client: spec.client,
        stream: spec.stream,
        index,
        op,
        key,
        seq,
        table: this.#table,
      });
    } else {
      spec.history.recordSubmit({
        client: spec.client,
        stream: spec.stream,
        index,
        op,
        key,
        seq,
        table: this.#table,
        producer,
      });
    }
    this.#items.push(item);
  }

  /** `options` with an `onBatch` that records the ack, then calls the caller's. */
  chainOptions(options: DataStreamerOptions | undefined): DataStreamerOptions | undefined {
    const given: unknown = options;
    // Not an options object, or an onBatch that is not a function: left as it is, for the streamer to refuse
    // naming the option.
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
      return options;
    }
    const user: unknown = options?.onBatch;
    if (user !== undefined && typeof user !== 'function') return options;
    const userOnBatch = user as DataStreamerOptions['onBatch'];
    const onBatch = (info: StreamerBatchInfo): void | Promise<void> => {
      const spec = this.#spec;
      spec.history.recordAck({
        client: spec.client,
        stream: spec.stream,
        partition: info.partition,
        node: info.node,
        indexes: info.indexes,
        ...(info.earlierRun === undefined ? {} : { earlierRun: info.earlierRun }),
      });
      this.#acked.push(info.indexes);
      return userOnBatch?.(info);
    };
    return options === undefined ? { onBatch } : { ...options, onBatch };
  }

  /** Records the stream's end, with the producer and epoch its summary or error names. */
  settled(
    code: ErrorCode | undefined,
    run: { readonly producerId?: string | undefined; readonly epoch?: number | undefined } = {},
  ): void {
    const spec = this.#spec;
    const producer = {
      ...(run.producerId === undefined ? {} : { producerId: run.producerId }),
      ...(run.epoch === undefined ? {} : { epoch: run.epoch }),
    };
    if (code === undefined) {
      spec.history.recordSettled({
        client: spec.client,
        stream: spec.stream,
        outcome: 'resolved',
        ...producer,
      });
    } else {
      spec.history.recordSettled({
        client: spec.client,
        stream: spec.stream,
        outcome: 'rejected',
        code,
        ...producer,
      });
    }
  }

  /** Records the failure of the stream; returns the error the caller sees. */
  rejected(error: unknown): unknown {
    const code = errorCodeOf(error);
    let result = error;
    if (error instanceof DataStreamerError && error.failedItems.length > 0) {
      const indexes = this.#failedIndexes(error.failedItems);
      const spec = this.#spec;
      if (indexes.placed.length > 0) {
        const inDoubt = this.#inDoubtIndexes(error, indexes.placed);
        spec.history.recordFail({
          client: spec.client,
          stream: spec.stream,
          indexes: indexes.placed,
          code: code ?? 'INTERNAL',
          ...(inDoubt.length === 0 ? {} : { inDoubt }),
        });
      }
      if (indexes.unplaced > 0) {
        result = new SimClusterError(
          'INTERNAL',
          `stream ${spec.stream} of ${spec.client} reported ${indexes.unplaced} failed item(s) that it never ` +
            'took from the source, or had acknowledged, or out of source order',
          { cause: error },
        );
      }
    }
    this.settled(code ?? 'INTERNAL', error instanceof DataStreamerError ? error : {});
    return result;
  }

  /** The source indexes of the error's `inDoubtItems`, among the placed failed items (same objects, in order). */
  #inDoubtIndexes(error: DataStreamerError<T>, placed: readonly number[]): number[] {
    const doubt = error.inDoubtItems;
    const out: number[] = [];
    let next = 0;
    for (const index of placed) {
      if (next < doubt.length && this.#items[index] === doubt[next]) {
        out.push(index);
        next++;
      }
    }
    return out;
  }

  /**
   * The source index of each failed item. The streamer reports them in source order and never one it
   * acknowledged, so each is the next unacknowledged taken item that is the same object (an object the
   * source yielded twice is placed at its occurrences in turn).
   */
  #failedIndexes(failed: readonly T[]): { placed: number[]; unplaced: number } {
    const items = this.#items;
    const acked = new Uint8Array(items.length);
    for (const list of this.#acked) for (const i of list) acked[i] = 1;
    const placed: number[] = [];
    let next = 0;
    for (let f = 0; f < failed.length; f++) {
      const item = failed[f];
      while (next < items.length && (acked[next] === 1 || items[next] !== item)) next++;
      if (next === items.length) return { placed, unplaced: failed.length - f };
      placed.push(next++);
    }
    return { placed, unplaced: 0 };
  }
}

function toSeq(seq: number | bigint, index: number): number {
  if (typeof seq === 'bigint') {
    if (seq < Number.MIN_SAFE_INTEGER || seq > Number.MAX_SAFE_INTEGER) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `seq(item) of item ${index} gave ${seq}, outside the safe integer range`,
      );
    }
    return Number(seq);
  }
  // History.recordSubmit names a non-finite number itself.
  return seq;
}

function errorCodeOf(error: unknown): ErrorCode | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { readonly code: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : undefined;
}
