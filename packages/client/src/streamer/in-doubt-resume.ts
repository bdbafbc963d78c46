/**
 * The start of a resume: before a run takes anything, it seals each partition an earlier run of its producer
 * left in doubt (see in-doubt-ledger.ts), for that run's epoch: nothing more of that run applies there
 * afterwards, and the seal answers the highest batch of it that applied. The result says, for a resent item,
 * whether its batch turned out applied (then the run counts it and does not write it again; see
 * data-streamer.ts). It does not take items or talk to the network itself (the sink's `seal` does).
 */
import type { Logger } from '@datastreamer/protocol';
import { defer, firstValueFrom, type MonoTypeOperatorFunction } from 'rxjs';
import type { InDoubtOrigin, InDoubtPartition, InDoubtScope } from './in-doubt-ledger.js';
import { errorCodeOf } from './retry-policy.js';
import type { StreamerBatchInfo } from './streamer-summary.js';

/** What the resume needs from its stream. */
export interface ResumeOpening {
  readonly producerId: string;
  /** The resuming run's own epoch: earlier runs have lower ones. */
  readonly epoch: number;
  /** How a seal is retried (the stream's opening policy). */
  readonly retry: MonoTypeOperatorFunction<number>;
  readonly logger: Logger;
}

/** For a resumed item, the earlier run's batch it was in, when that batch applied. */
export class EarlierApplies<T> {
  readonly #scope: InDoubtScope;
  readonly #producerId: string;
  /** Per partition an earlier run left in doubt (`epoch:partition`), the highest batch of it that applied. */
  readonly #appliedUpTo: ReadonlyMap<string, number>;

  constructor(scope: InDoubtScope, producerId: string, appliedUpTo: ReadonlyMap<string, number>) {
    this.#scope = scope;
    this.#producerId = producerId;
    this.#appliedUpTo = appliedUpTo;
  }

  /** The earlier run's batch `item` (now in `partition`) was in doubt in, when that batch applied; else undefined. */
  originOf(item: T, partition: number): InDoubtOrigin | undefined {
    const origin = this.#scope.ledger.origin(item);
    if (
      origin === undefined ||
      origin.scope !== this.#scope.scope ||
      origin.producerId !== this.#producerId ||
      origin.partition !== partition
    ) {
      return undefined;
    }
    const appliedSeq = this.#appliedUpTo.get(`${origin.epoch}:${partition}`);
    return appliedSeq !== undefined && origin.batchSeq <= appliedSeq ? origin : undefined;
  }
}

/**
 * Seals every partition earlier runs of the producer left in doubt (all at once) and returns what applied;
 * undefined when the sink keeps no ledger or nothing is pending (then no item is looked up). A seal refused
 * because a later run already wrote to the partition (`PRODUCER_FENCED`) leaves what applied unknown: those
 * items are resent as they are. A partition resolved is forgotten by the ledger.
 *
 * @throws the last error of a seal that failed for good (the stream then fails to open; the ledger keeps
 *   what is still pending for the next resume).
 */
export async function resolveInDoubt<T>(
  sink: {
    readonly inDoubt?: InDoubtScope | undefined;
    seal(partition: number, epoch?: number): Promise<number>;
  },
  resume: ResumeOpening,
): Promise<EarlierApplies<T> | undefined> {
  const scope = sink.inDoubt;
  if (scope === undefined) return undefined;
  const { producerId, epoch, retry, logger } = resume;
  const pending = scope.ledger.pending(scope.scope, producerId, epoch);
  if (pending.length === 0) return undefined;
  const appliedUpTo = new Map<string, number>();
  const seal = async (left: InDoubtPartition): Promise<void> => {
    try {
      const appliedSeq = await firstValueFrom(defer(() => sink.seal(left.partition, left.epoch)).pipe(retry));
      appliedUpTo.set(`${left.epoch}:${left.partition}`, appliedSeq);
    } catch (error) {
      if (errorCodeOf(error) !== 'PRODUCER_FENCED') throw error;
      logger.warn(
        { ...left, producerId },
        'a later run already wrote to a partition an earlier run left in doubt: its items are resent as they are',
      );
    }
    scope.ledger.resolved(scope.scope, producerId, left);
  };
  await Promise.all(pending.map(seal));
  logger.debug({ partitions: pending.length, producerId }, 'resolved what earlier runs left in doubt');
  return new EarlierApplies<T>(scope, producerId, appliedUpTo);
}

/** What `onBatch` is told of resent item `seq` of the source that `origin`, an earlier run's batch, applied. */
export function earlierRunInfo(partition: number, seq: number, origin: InDoubtOrigin): StreamerBatchInfo {
  return {
    partition,
    items: 1,
    indexes: [seq],
    attempt: 0,
    node: '',
    bytes: 0,
    latencyMs: 0,
    rerouted: false,
    earlierRun: { epoch: origin.epoch, batchSeq: origin.batchSeq },
  };
}
