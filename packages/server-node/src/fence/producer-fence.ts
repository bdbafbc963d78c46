/**
 * The per-partition fence of streamer batches, by producer (Kafka's idempotent producer is the model). For
 * each producer it keeps the newest epoch seen, the highest batch sequence of that epoch the partition applied,
 * whether that epoch is sealed, and the results of its last few receiver batches. It decides whether an
 * attempt may apply:
 *
 * - an epoch older than the newest this partition saw of the producer is fenced: a newer run took over here,
 *   and a late attempt of the old one must never overwrite what the new one wrote. (The partition decides
 *   alone, not the cluster's registry: a registration can itself arrive late, after a newer run registered,
 *   and must not fence that run. A late attempt that lands before the newer run reaches the partition writes
 *   older values the newer run then overwrites, since a resume re-sends whatever was not known applied.);
 * - a sealed epoch is fenced: its run failed, sealed the partition and reported what applied, so nothing of it
 *   may apply afterwards;
 * - a sequence at or below the highest applied is a duplicate: that batch was applied already (batches apply
 *   strictly in sequence, see the next rule), so it is answered as applied (with the first run's results, for
 *   a receiver batch) and not applied again;
 * - otherwise a batch applies only in its turn: the next sequence after the highest applied, or 1 for an
 *   epoch the partition has not seen. A batch that overtook an earlier one (a client with several batches of
 *   a partition under way, whose earlier batch is being retried) is refused with `OUT_OF_ORDER_BATCH`, which
 *   is retryable: it is sent again once the earlier one had its turn. Without this rule the earlier batch,
 *   arriving second, would count as a duplicate and never apply.
 *
 * It is partition state: it lives on the partition's replica (kept across a crash with the committed data) and
 * is handed to a new owner with the partition's snapshot. It does not apply batches nor decide ownership.
 *
 * Memory is bounded: at most {@link PRODUCER_FENCE_CAPACITY} producers per partition, the least recently used
 * evicted first, and {@link RESULTS_KEPT} result lists per producer. What eviction loses is the fence of the
 * evicted producer, and only after that many other producers wrote to the partition since its last batch: a
 * message of it held in the network that long would apply, and a run still writing would see its next batch
 * refused as out of order (its seal then reports nothing of it applied here, so those items are reported
 * failed although they applied: a resume writes them again, at least once).
 */
import type { BatchProducer } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';

/** How many producers one partition remembers (least recently used evicted first). */
export const PRODUCER_FENCE_CAPACITY = 4096;

/** How many receiver batches' results are kept per producer (the newest). */
export const RESULTS_KEPT = 4;

/** What a receiver batch answered: its results, or `null` when none were asked for. */
export type BatchResults = readonly unknown[] | null;

/** One producer's state as it travels with a snapshot. */
export interface ProducerFenceEntry {
  readonly producerId: string;
  readonly epoch: number;
  /** The highest batch sequence of `epoch` applied here (0: none). */
  readonly appliedSeq: number;
  /** Whether `epoch` was sealed here: nothing more of it applies. */
  readonly sealed: boolean;
  /** `[batchSeq, results]` of the newest receiver batches of `epoch`, oldest first. */
  readonly results: readonly (readonly [number, BatchResults])[];
}

/** What the fence says of an attempt. */
export type Admission =
  /** Apply it (then {@link ProducerFence.record} it in the same step as the commit). */
  | { readonly kind: 'apply' }
  /** Applied already: answer as applied. `results`: the first run's, `undefined` when no longer kept. */
  | { readonly kind: 'duplicate'; readonly results: BatchResults | undefined }
  /**
   * Refuse it with `error`: `PRODUCER_FENCED` when it may never apply, `OUT_OF_ORDER_BATCH` (retryable) when
   * it came before its turn.
   */
  | { readonly kind: 'refused'; readonly error: ServerError };

const APPLY: Admission = { kind: 'apply' };

interface MutableEntry {
  epoch: number;
  appliedSeq: number;
  sealed: boolean;
  results: [number, BatchResults][];
}

export class ProducerFence {
  /** producerId -> state, least recently used first (a Map iterates in insertion order). */
  readonly #producers = new Map<string, MutableEntry>();
  readonly #capacity: number;

  /**
   * @param entries the state to start from (e.g. a snapshot's, least recently used first); default none.
   * @param capacity producers kept; default {@link PRODUCER_FENCE_CAPACITY}.
   */
  constructor(entries: readonly ProducerFenceEntry[] = [], capacity = PRODUCER_FENCE_CAPACITY) {
    this.#capacity = capacity;
    for (const entry of entries) {
      this.#put(entry.producerId, {
        epoch: entry.epoch,
        appliedSeq: entry.appliedSeq,
        sealed: entry.sealed,
        results: entry.results.map(([seq, results]) => [seq, results]),
      });
    }
  }

  /** Whether an attempt of `producer` may apply (see the module header). */
  admit(producer: BatchProducer): Admission {
    const { producerId, epoch, batchSeq } = producer;
    const entry = this.#producers.get(producerId);
    if (entry === undefined || epoch > entry.epoch) {
      return batchSeq === 1 ? APPLY : outOfOrder(producer, 0);
    }
    if (epoch < entry.epoch) {
      return fenced(producerId, epoch, `epoch ${entry.epoch} wrote to this partition since`);
    }
    if (batchSeq <= entry.appliedSeq) {
      const kept = entry.results.find(([seq]) => seq === batchSeq);
      return { kind: 'duplicate', results: kept === undefined ? undefined : kept[1] };
    }
    if (entry.sealed) return fenced(producerId, epoch, 'that epoch was sealed on this partition');
    return batchSeq === entry.appliedSeq + 1 ? APPLY : outOfOrder(producer, entry.appliedSeq);
  }

  /**
   * Records that `producer`'s batch was applied (call it in the same step as the commit): raises the highest
   * applied sequence (a newer epoch replaces the entry; an older one changes nothing) and keeps the
   * receiver's `results`, if given.
   */
  record(producer: BatchProducer, results?: BatchResults): void {
    const { producerId, epoch, batchSeq } = producer;
    let entry = this.#producers.get(producerId);
    // A run of an older epoch that ended after a newer one wrote here (a non-transactional receiver admitted
    // before the newer epoch arrived) must not touch the newer epoch's state.
    if (entry !== undefined && epoch < entry.epoch) return;
    if (entry === undefined || epoch > entry.epoch) {
      entry = { epoch, appliedSeq: batchSeq, sealed: false, results: [] };
    } else if (batchSeq > entry.appliedSeq) {
      entry.appliedSeq = batchSeq;
    }
    if (results !== undefined) {
      entry.results.push([batchSeq, results]);
      if (entry.results.length > RESULTS_KEPT) entry.results.shift();
    }
    this.#put(producerId, entry);
  }

  /**
   * Seals `epoch` of `producerId`: nothing more of it applies here. Returns the highest batch sequence of that
   * epoch applied here (0: none).
   * @throws ServerError `PRODUCER_FENCED` when a newer epoch of the producer wrote here since (what the sealed
   *   epoch applied is no longer known).
   */
  seal(producerId: string, epoch: number): number {
    let entry = this.#producers.get(producerId);
    if (entry !== undefined && entry.epoch > epoch) {
      throw fenced(producerId, epoch, `epoch ${entry.epoch} wrote to this partition since`).error;
    }
    if (entry === undefined || entry.epoch < epoch) {
      entry = { epoch, appliedSeq: 0, sealed: true, results: [] };
    } else {
      entry.sealed = true;
    }
    this.#put(producerId, entry);
    return entry.appliedSeq;
  }

  /** How many producers are remembered. */
  get size(): number {
    return this.#producers.size;
  }

  /** The state as plain data, least recently used first (what a new owner rebuilds it from). */
  entries(): ProducerFenceEntry[] {
    return [...this.#producers].map(([producerId, entry]) => ({
      producerId,
      epoch: entry.epoch,
      appliedSeq: entry.appliedSeq,
      sealed: entry.sealed,
      results: entry.results.map(([seq, results]) => [seq, results] as const),
    }));
  }

  /** Stores `entry` as the most recently used, evicting the least recently used past the capacity. */
  #put(producerId: string, entry: MutableEntry): void {
    this.#producers.delete(producerId);
    this.#producers.set(producerId, entry);
    if (this.#producers.size > this.#capacity) {
      const oldest = this.#producers.keys().next();
      if (oldest.done !== true) this.#producers.delete(oldest.value);
    }
  }
}

function fenced(producerId: string, epoch: number, why: string): Admission & { kind: 'refused' } {
  return {
    kind: 'refused',
    error: new ServerError(
      'PRODUCER_FENCED',
      `epoch ${epoch} of producer "${producerId}" is fenced: ${why}; nothing of it applies here any more`,
      { extensions: { producer: producerId, epoch } },
    ),
  };
}

function outOfOrder(producer: BatchProducer, appliedSeq: number): Admission {
  const { producerId, epoch, batchSeq } = producer;
  return {
    kind: 'refused',
    error: new ServerError(
      'OUT_OF_ORDER_BATCH',
      `batch ${batchSeq} of epoch ${epoch} of producer "${producerId}" came before its turn: this partition ` +
        `applied up to batch ${appliedSeq} of that epoch; it is applied once batch ${appliedSeq + 1} is`,
      { extensions: { producer: producerId, epoch, batchSeq, appliedSeq } },
    ),
  };
}
