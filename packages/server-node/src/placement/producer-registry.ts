/**
 * The producers' epochs, cluster-wide: every streamer run of a producer registers and gets the producer's next
 * epoch (1, 2, 3, ...), higher than any run of it before, so wherever a newer run writes, the partition fences
 * the older runs' attempts (Kafka's producer epochs). Control-plane state: durable (it survives any node's
 * crash) and the same for every node. It only numbers runs: partitions fence by the epochs their batches
 * carry, never by asking it, since a registration may itself arrive late (after a newer run registered).
 *
 * A run names itself (`runId`), so registering is idempotent per run: the same run registering again (its
 * request retried after a timeout, or delivered twice) gets its epoch back rather than burning another. The
 * newest {@link RUNS_REMEMBERED} runs of each producer are remembered; an older run registering again gets a
 * new epoch, which is harmless (it only skips a number).
 *
 * Memory: per producer id ever registered, its epoch and up to 16 run ids. Ids are names the caller chooses
 * (or one per run by default), so a cluster serving endless default-id streams keeps an entry per stream. It
 * does not fence batches itself (the partitions' producer fences do, asking it for the newest epoch).
 */
import { checkProducerId } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';

/** How many runs per producer are remembered for idempotent registration. */
export const RUNS_REMEMBERED = 16;

/** A producer's newest epoch and its newest runs' epochs (oldest first), as a registration leaves them. */
export interface ProducerRecord {
  readonly epoch: number;
  readonly runs: readonly (readonly [runId: string, epoch: number])[];
}

/**
 * Registers run `runId` against a producer's record (`undefined`: it never registered): the run's epoch, and
 * the record after (`changed: false` when the run was known, so nothing need be stored). The one home of the
 * rule, for the registry here and for the metastorage's.
 */
export function registerRun(
  record: ProducerRecord | undefined,
  runId: string,
): { readonly epoch: number; readonly record: ProducerRecord; readonly changed: boolean } {
  const known = record?.runs.find(([id]) => id === runId);
  if (record !== undefined && known !== undefined) return { epoch: known[1], record, changed: false };
  const epoch = (record?.epoch ?? 0) + 1;
  const runs = [...(record?.runs ?? []), [runId, epoch] as const].slice(-RUNS_REMEMBERED);
  return { epoch, record: { epoch, runs }, changed: true };
}

/**
 * Checks a producer id.
 * @throws ServerError `INVALID_ARGUMENT` for an id that is not a string of 1..256 characters.
 */
export function checkProducer(producerId: string): void {
  try {
    checkProducerId(producerId);
  } catch (error) {
    throw new ServerError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
}

export class ProducerRegistry {
  readonly #producers = new Map<string, ProducerRecord>();

  /**
   * Registers run `runId` of `producerId`: returns its epoch (the producer's next one, or the one it got when
   * it registered before).
   * @throws ServerError `INVALID_ARGUMENT` for an id that is not a string of 1..256 characters.
   */
  register(producerId: string, runId: string): number {
    checkProducer(producerId);
    const { epoch, record } = registerRun(this.#producers.get(producerId), runId);
    this.#producers.set(producerId, record);
    return epoch;
  }

  /** The newest epoch registered for `producerId`, or `undefined` when it never registered. */
  epochOf(producerId: string): number | undefined {
    return this.#producers.get(producerId)?.epoch;
  }

  /** How many producers ever registered. */
  get size(): number {
    return this.#producers.size;
  }
}
