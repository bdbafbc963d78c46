/**
 * The producer a streamer sink writes as, the part both sinks (plain batches and receiver batches) share:
 * `open` loads the table's latest schema (its partition count sizes the streamer's buffers; `schema` keeps
 * it) and assignment, and registers the run's producer (its epoch); `of` gives the producer fields of a
 * batch; `seal` seals the run's epoch (or an earlier run's) on a partition; `inDoubt` is where the client
 * remembers what failed runs into the table left in doubt. Requests go through partition-route.ts.
 *
 * It does not encode, send batches or retry (the sinks and the streamer core do).
 */
import type { BatchProducer, VersionedSchema } from '@datastreamer/protocol/internal';
import { ClientError } from '../errors/client-error.js';
import type { InDoubtScope } from '../streamer/in-doubt-ledger.js';
import type { SinkOpening, StreamerTopology } from '../streamer/streamer-sink.js';
import { assignmentOf, registerProducer, sealPartition } from './partition-route.js';
import type { TableContext } from './table-context.js';

/** One sink's producer: its id and epoch once opened. */
export class SinkProducer {
  readonly #context: TableContext;
  readonly #tableId: number;
  #producerId = '';
  #epoch = 0;
  #schema: VersionedSchema | undefined;

  constructor(context: TableContext, tableId: number) {
    this.#context = context;
    this.#tableId = tableId;
  }

  /**
   * Loads the latest schema and the assignment, and registers the run's producer.
   * @throws the schema lookup's and the registration's errors; as `assignmentOf` (retryable ones are retried
   *   by the stream's opening).
   */
  async open(opening: SinkOpening): Promise<StreamerTopology> {
    const context = this.#context;
    const schema = await context.schemas.latest(this.#tableId);
    await assignmentOf(context, this.#tableId);
    const topology = await registerProducer(context, opening, schema.partitions);
    this.#producerId = opening.producerId;
    this.#epoch = topology.epoch;
    this.#schema = schema;
    return topology;
  }

  /**
   * The table's latest schema when the run opened.
   * @throws ClientError `INTERNAL` before `open` resolved (a sink used out of order).
   */
  get schema(): VersionedSchema {
    const schema = this.#schema;
    if (schema === undefined) throw new ClientError('INTERNAL', 'a streamer sink was used before open()');
    return schema;
  }

  /** The producer fields of batch number `batchSeq` of the run. */
  of(batchSeq: number): BatchProducer {
    return { producerId: this.#producerId, epoch: this.#epoch, batchSeq };
  }

  /**
   * Seals the run's epoch (or `epoch`, an earlier run's of the producer) on `partition`; resolves with the
   * highest batch number of it the partition applied.
   */
  seal(partition: number, epoch = this.#epoch): Promise<number> {
    return sealPartition(this.#context, {
      tableId: this.#tableId,
      partition,
      producerId: this.#producerId,
      epoch,
    });
  }

  /** Where the client remembers what failed runs into this table left in doubt. */
  get inDoubt(): InDoubtScope {
    return { ledger: this.#context.inDoubt, scope: `table:${this.#tableId}` };
  }
}
