/**
 * The producer a streamer sink writes as, the part both sinks (plain batches and receiver batches) share:
 * `open` loads the table's latest schema (its partition count sizes the streamer's buffers) and assignment,
 * and registers the run's producer (its epoch); `of` gives the producer fields of a batch; `seal` seals the
 * run's epoch on a partition. Requests go through partition-route.ts.
 *
 * It does not encode, send batches or retry (the sinks and the streamer core do).
 */
import type { BatchProducer } from '@datastreamer/protocol';
import type { VersionedSchema } from '../cache/versioned-schema.js';
import type { SinkOpening, StreamerTopology } from '../streamer/streamer-sink.js';
import { assignmentOf, registerProducer, sealPartition } from './partition-route.js';
import type { TableContext } from './table-context.js';

/** What {@link SinkProducer.open} found: the schema items are encoded with first, and the stream's topology. */
export interface SinkOpened {
  readonly schema: VersionedSchema;
  readonly topology: StreamerTopology;
}

/** One sink's producer: its id and epoch once opened. */
export class SinkProducer {
  readonly #context: TableContext;
  readonly #tableId: number;
  #producerId = '';
  #epoch = 0;

  constructor(context: TableContext, tableId: number) {
    this.#context = context;
    this.#tableId = tableId;
  }

  /**
   * Loads the latest schema and the assignment, and registers the run's producer.
   * @throws the schema lookup's and the registration's errors; as `assignmentOf` (retryable ones are retried
   *   by the stream's opening).
   */
  async open(opening: SinkOpening): Promise<SinkOpened> {
    const context = this.#context;
    const schema = await context.schemas.latest(this.#tableId);
    await assignmentOf(context, this.#tableId);
    const topology = await registerProducer(context, opening, schema.partitions);
    this.#producerId = opening.producerId;
    this.#epoch = topology.epoch;
    return { schema, topology };
  }

  /** The producer fields of batch number `batchSeq` of the run. */
  of(batchSeq: number): BatchProducer {
    return { producerId: this.#producerId, epoch: this.#epoch, batchSeq };
  }

  /** Seals the run's epoch on `partition`; resolves with the highest batch number it applied. */
  seal(partition: number): Promise<number> {
    return sealPartition(this.#context, {
      tableId: this.#tableId,
      partition,
      producerId: this.#producerId,
      epoch: this.#epoch,
    });
  }
}
