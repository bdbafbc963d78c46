/**
 * A node's durable transaction log, the part of two-phase commit that survives `crash()` the way committed
 * versions of unreplicated partitions do (it lives on the node beside its partition stores, not in the
 * transaction manager, which a restart replaces; it counts as written through to disk as each record is
 * put). It holds two kinds of records:
 *
 * - Decisions, written by the coordinator after every participant voted and BEFORE any participant is told
 *   the outcome: the outcome, the commit timestamp, and the partitions still to be told. A restarted
 *   coordinator re-sends what its decisions say; a decision is dropped once every partition acknowledged
 *   (a replicated partition acknowledges once the outcome applied in its log, so a new primary that asks
 *   about a transaction still prepared there always finds the decision).
 * - Prepared records of unreplicated partitions, written by a participant (the coordinator is a participant
 *   of its own partitions too) when it votes yes: the transaction's snapshot and every write it holds intents
 *   for, per partition, so a restart can re-install them as intents of a prepared participant. Dropped once
 *   the outcome is applied. (A replicated partition keeps its prepared transactions in its own log.)
 *
 * It keeps records only; it does not send, apply or decide anything.
 */
import type { TxPartition } from '@datastreamer/protocol/internal';

/** The outcome of a decided transaction. */
export type TxOutcome = 'COMMITTED' | 'ABORTED';

/** A coordinator's decision. */
export interface TxDecision {
  readonly txId: string;
  readonly outcome: TxOutcome;
  /** The one commit timestamp of every participant; `null` when aborted. */
  readonly commitTs: bigint | null;
  /**
   * The partitions that must hear the outcome: every partition of another node taking part, and every
   * replicated partition taking part (this node's too: it is told through its log, wherever its primary is).
   */
  readonly partitions: readonly TxPartition[];
  /** Those not told yet, as {@link partitionKey}s. */
  readonly unacknowledged: Set<string>;
}

/** How a decision names a partition in its `unacknowledged` set. */
export function partitionKey(partition: TxPartition): string {
  return `${partition.tableId}/${partition.partitionId}`;
}

/** One partition's share of a prepared transaction: its writes, last one per key (`null` row: delete). */
export interface PreparedPartition extends TxPartition {
  readonly keys: readonly Uint8Array[];
  readonly rows: readonly (Uint8Array | null)[];
}

/** A participant's promise to commit, with what it promised to commit. */
export interface PreparedRecord {
  readonly txId: string;
  /** The node that decides the outcome. */
  readonly coordinator: string;
  readonly startTs: bigint;
  readonly partitions: readonly PreparedPartition[];
}

export class TxLog {
  readonly #decisions = new Map<string, TxDecision>();
  readonly #prepared = new Map<string, PreparedRecord>();

  /** Records `decision` (replacing none: a transaction is decided once). */
  putDecision(decision: TxDecision): void {
    this.#decisions.set(decision.txId, decision);
  }

  decision(txId: string): TxDecision | undefined {
    return this.#decisions.get(txId);
  }

  /** Marks `partitions` as told; the decision is dropped once no partition is left to tell. */
  acknowledge(txId: string, partitions: readonly TxPartition[]): void {
    const decision = this.#decisions.get(txId);
    if (decision === undefined) return;
    for (const partition of partitions) decision.unacknowledged.delete(partitionKey(partition));
    if (decision.unacknowledged.size === 0) this.#decisions.delete(txId);
  }

  /** Decisions some node has still to hear, in the order they were taken. */
  openDecisions(): TxDecision[] {
    return [...this.#decisions.values()];
  }

  putPrepared(record: PreparedRecord): void {
    this.#prepared.set(record.txId, record);
  }

  prepared(txId: string): PreparedRecord | undefined {
    return this.#prepared.get(txId);
  }

  removePrepared(txId: string): void {
    this.#prepared.delete(txId);
  }

  /** Every prepared record, in the order they were written. */
  preparedRecords(): PreparedRecord[] {
    return [...this.#prepared.values()];
  }

  /** The oldest snapshot a prepared record still needs, or `undefined` (part of the node's low watermark). */
  lowWatermark(): bigint | undefined {
    let low: bigint | undefined;
    for (const record of this.#prepared.values()) {
      if (low === undefined || record.startTs < low) low = record.startTs;
    }
    return low;
  }
}
