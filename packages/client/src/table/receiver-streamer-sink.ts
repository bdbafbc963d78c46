/**
 * The data streamer's sink for receiver batches (op `STREAMER_WITH_RECEIVER_BATCH_SEND`): each source item
 * gives a key (`keyFn`, encoded with the table's key columns: its colocation hash picks the partition, and so
 * the node the receiver runs on) and a payload (`payloadFn`, what the receiver gets). Each batch goes to the
 * partition's primary (or any open connection, which forwards) with the receiver's name and the argument;
 * the receiver's results come back in the acknowledgement.
 *
 * Payloads and the argument go through the protocol's value codec: anything it cannot carry (and a null
 * payload) is refused here, before sending, with an error naming where it is (`payload.tags: Map is not
 * encodable`); a bad argument fails the stream before the source is pulled. All payloads of a stream are of
 * one kind (strings, numbers, maps, ...), as Ignite 3 requires of a batch: the first payload sets it and a
 * payload of another kind is refused, naming both. A throwing `keyFn` or `payloadFn` fails the stream with
 * that error and the item among the failed items (the core does that for `prepare`).
 *
 * Batches go to the primary with `requestPrimary` (partition-route.ts) like every request for a partition;
 * they carry no schema version, so there is nothing to re-encode. They are fenced by producer like plain
 * ones (sink-producer.ts, table-streamer-sink.ts); with `receiverTransaction: 'batch'` the node runs the
 * receiver in one transaction with the fence update (exactly-once effects).
 *
 * It does not buffer, order, number, retry or account for failed items: the streamer core does.
 */
import { encodeValue, ProtocolError } from '@datastreamer/protocol';
import { describeValue, type ValueKind, valueKind } from '@datastreamer/protocol/internal';
import { ClientError } from '../errors/client-error.js';
import type { InDoubtScope } from '../streamer/in-doubt-ledger.js';
import type {
  BatchAck,
  BatchAttempt,
  PreparedItem,
  SinkOpening,
  StreamerSink,
  StreamerTopology,
} from '../streamer/streamer-sink.js';
import { addressOf, batchDelivery, requestPrimary } from './partition-route.js';
import { SinkProducer } from './sink-producer.js';
import type { TableContext } from './table-context.js';

/** What a payload adds to a batch besides its encoded bytes (none: the value codec writes it whole). */
const PAYLOAD_FRAMING_BYTES = 0;

/**
 * How a view streams into a receiver: `view.streamData(source, { receiver, keyFn, payloadFn, arg }, options)`.
 *
 * @typeParam T the source item; `Payload` what travels to the receiver; `Arg` its argument.
 */
export interface ReceiverDescriptor<T, Payload = T, Arg = unknown> {
  /** The name the receiver is deployed under on the cluster. */
  readonly receiver: string;
  /** The key of an item: an object holding the table's key columns (decides partition and node). */
  readonly keyFn: (item: T) => object;
  /** What travels to the receiver for an item. Default: the item itself. Must not be null. */
  readonly payloadFn?: (item: T) => Payload;
  /** Passed to every receiver call. Default: none (the receiver gets `null`). */
  readonly arg?: Arg;
  /**
   * Whether the receiver's results travel back to the result stream. Default true; false saves the bytes
   * when the results are not needed (the stream then emits nothing).
   */
  readonly receiveResults?: boolean;
}

/** Whether `value` is a receiver descriptor (it names a receiver), as opposed to streamer options. */
export function isReceiverDescriptor(value: unknown): value is ReceiverDescriptor<unknown> {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'receiver');
}

/**
 * Checks a descriptor's fields.
 * @throws ClientError `INVALID_ARGUMENT` naming the bad field.
 */
export function checkReceiverDescriptor(descriptor: ReceiverDescriptor<unknown, unknown, unknown>): void {
  const { receiver, keyFn, payloadFn, receiveResults } = descriptor;
  if (typeof receiver !== 'string' || receiver.length === 0) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `receiver: expected the deployed receiver's name, got ${describeValue(receiver)}`,
    );
  }
  if (typeof keyFn !== 'function') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `keyFn: expected a function (item) => key, got ${typeof keyFn}`,
    );
  }
  if (payloadFn !== undefined && typeof payloadFn !== 'function') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `payloadFn: expected a function (item) => payload, got ${typeof payloadFn}`,
    );
  }
  if (receiveResults !== undefined && typeof receiveResults !== 'boolean') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `receiveResults: expected a boolean, got ${typeof receiveResults}`,
    );
  }
}

/** The sink behind the receiver overload of `RecordView.streamData` and `KeyValueView.streamData`. */
export class ReceiverStreamerSink<T, Result> implements StreamerSink<T, unknown, Result> {
  readonly #context: TableContext;
  readonly #tableId: number;
  readonly #descriptor: ReceiverDescriptor<T, unknown, unknown>;
  readonly #receiveResults: boolean;
  readonly #transactional: boolean;
  /** The kind of the stream's first payload: every payload must be of it. */
  #kind: ValueKind | undefined;
  readonly #producer: SinkProducer;

  /**
   * @param transactional run each batch in one transaction with its fence update (`receiverTransaction:
   *   'batch'`).
   * @throws ClientError `INVALID_ARGUMENT` naming a bad descriptor field.
   */
  constructor(
    context: TableContext,
    tableId: number,
    descriptor: ReceiverDescriptor<T, unknown, unknown>,
    transactional = false,
  ) {
    checkReceiverDescriptor(descriptor as ReceiverDescriptor<unknown, unknown, unknown>);
    this.#context = context;
    this.#tableId = tableId;
    this.#descriptor = descriptor;
    this.#receiveResults = descriptor.receiveResults ?? true;
    this.#transactional = transactional;
    this.#producer = new SinkProducer(context, tableId);
  }

  /**
   * Checks the argument is encodable, then loads the table's latest schema and its assignment, and registers
   * the run's producer.
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` naming the part of `arg` that cannot travel.
   */
  async open(opening: SinkOpening): Promise<StreamerTopology> {
    const arg = this.#descriptor.arg;
    if (arg !== undefined) encodeValue(arg, 'arg');
    return this.#producer.open(opening);
  }

  prepare(item: T, out: PreparedItem<unknown>): void {
    const schema = this.#producer.schema;
    const descriptor = this.#descriptor;
    const key = descriptor.keyFn(item);
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      throw new ProtocolError(
        'INVALID_ROW',
        `keyFn must return an object holding the key columns of table "${schema.schema.tableName}", got ${describeValue(key)}`,
      );
    }
    schema.encodeKey(key);
    const partition = schema.partition();
    const payloadFn = descriptor.payloadFn;
    const payload: unknown = payloadFn === undefined ? item : payloadFn(item);
    if (payload === null || payload === undefined) {
      throw new ProtocolError(
        'VALUE_NOT_ENCODABLE',
        `payload: a receiver payload must not be ${String(payload)}`,
      );
    }
    const kind = valueKind(payload);
    this.#kind ??= kind;
    if (kind !== this.#kind) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `payload: a ${kind}, but the stream's first payload was a ${this.#kind}; the payloads of a receiver ` +
          'stream must all be of one kind (a batch carries one kind of item)',
      );
    }
    // Encoded once to check it, so an unencodable payload fails this item before anything is sent.
    const encoded = encodeValue(payload, 'payload');
    out.partition = partition;
    out.entry = payload;
    out.bytes = encoded.length + PAYLOAD_FRAMING_BYTES;
  }

  async send(batch: BatchAttempt<unknown>): Promise<BatchAck<Result>> {
    const { partition, entries, batchSeq, signal } = batch;
    const descriptor = this.#descriptor;
    const sent = await requestPrimary(this.#context, {
      op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
      tableId: this.#tableId,
      partition,
      payload: (route) => ({
        tableId: this.#tableId,
        partitionId: partition,
        ...addressOf(route),
        receiver: descriptor.receiver,
        receiveResults: this.#receiveResults,
        arg: descriptor.arg ?? null,
        // A copy: the core reuses `entries` once this call settles.
        payloads: entries.slice(),
        producer: this.#producer.of(batchSeq),
        transactional: this.#transactional,
      }),
      options: { signal, onSent: batch.sent },
    });
    const results = sent.reply.result.results;
    return {
      ...batchDelivery(sent),
      ...(results === null || !this.#receiveResults ? {} : { results: results as readonly Result[] }),
    };
  }

  /** Seals the run's epoch on `partition`; resolves with the highest batch number it applied. */
  seal(partition: number, epoch?: number): Promise<number> {
    return this.#producer.seal(partition, epoch);
  }

  get inDoubt(): InDoubtScope {
    return this.#producer.inDoubt;
  }
}
