/**
 * The coordinator side of two-phase commit, per node: which of the node's transactions span other nodes or
 * replicated partitions and are not decided yet (so TX_STATE_GET can answer PENDING for them), the node's
 * answer to TX_STATE_GET, and the delivery of decisions to the participating partitions: once at decision
 * time, then again with growing delays on the node's clock until every partition acknowledged (each time
 * through the node that serves the partition then: a replicated partition's primary may change meanwhile),
 * and again after a restart for every decision the durable log still holds.
 *
 * Presumed abort: a transaction the node neither runs nor has a decision for is UNKNOWN, and participants
 * abort it. That is safe because a decision is logged before any participant hears it, and a transaction
 * whose coordinator crashed before deciding can never be decided any more (its handle refuses to go on).
 *
 * The commit procedure itself is in two-phase-commit.ts; this module keeps no data across a crash but the log.
 */
import type { Clock, Logger, TimerHandle } from '@datastreamer/protocol';
import type { TxPartition, TxStateResult } from '@datastreamer/protocol/internal';
import type { Forwarder } from '../peer/forwarding.js';
import { partitionKey, type TxDecision, type TxLog } from './tx-log.js';

/** The first wait before telling a participant again, doubled up to {@link DELIVER_MAX_DELAY_MS}. */
export const DELIVER_FIRST_DELAY_MS = 500;
export const DELIVER_MAX_DELAY_MS = 16_000;

/** Test seams of the commit procedure: called synchronously at its steps. Default: none. */
export interface TwoPhaseCommitHooks {
  /** Every participant voted yes (or one voted no); nothing is decided yet. */
  readonly afterPrepare?: (txId: string) => void;
  /** The decision is in the log; no participant has heard it yet. */
  readonly afterDecision?: (txId: string) => void;
}

/** What the coordinator side needs of its node. */
export interface CoordinatorHost {
  readonly name: string;
  readonly clock: Clock;
  readonly forwarder: Forwarder;
  readonly txLog: TxLog;
  readonly log: Logger;
  readonly epoch: number;
  /** The node a partition's requests go to now (its owner, or a replicated partition's primary). */
  ownerOf(tableId: number, partition: number): string | undefined;
  /** Applies the outcome on `partitions` of this node (a commit when `commitTs` is set, else an abort). */
  finishLocal(txId: string, commitTs: bigint | null, partitions: readonly TxPartition[]): Promise<void>;
}

const UNKNOWN: TxStateResult = { state: 'UNKNOWN', commitTimestamp: null };
const PENDING: TxStateResult = { state: 'PENDING', commitTimestamp: null };

export class TxCoordinator {
  readonly #node: CoordinatorHost;
  readonly #undecided = new Set<string>();
  readonly #timers = new Set<TimerHandle>();
  hooks: TwoPhaseCommitHooks = {};

  constructor(node: CoordinatorHost) {
    this.#node = node;
  }

  /** Marks `txId` as running here with remote participants (before its first remote read or write). */
  begin(txId: string): void {
    this.#undecided.add(txId);
  }

  /** `txId` was decided (or abandoned before any decision): it is no longer PENDING here. */
  end(txId: string): void {
    this.#undecided.delete(txId);
  }

  /** TX_STATE_GET: the logged decision, PENDING while running undecided, else UNKNOWN. */
  stateOf(txId: string): TxStateResult {
    const decision = this.#node.txLog.decision(txId);
    if (decision !== undefined) {
      return decision.outcome === 'COMMITTED'
        ? { state: 'COMMITTED', commitTimestamp: decision.commitTs }
        : { state: 'ABORTED', commitTimestamp: null };
    }
    return this.#undecided.has(txId) ? PENDING : UNKNOWN;
  }

  /**
   * Tells every partition that has not acknowledged `decision` yet, once (grouped by the node each goes to
   * now), and resolves when each answered or failed; the failed ones are told again later, each time through
   * the node that serves it then, until they answer. Never rejects.
   */
  async deliver(decision: TxDecision): Promise<void> {
    const epoch = this.#node.epoch;
    const pending = decision.partitions.filter((p) => decision.unacknowledged.has(partitionKey(p)));
    await this.#tellEach(decision, pending, epoch, DELIVER_FIRST_DELAY_MS);
  }

  /** The node crashed: forget running transactions and stop re-sending (the log stays). */
  crash(): void {
    this.#undecided.clear();
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
  }

  /** The node restarted: finish what the log says (tell every node still waiting for a decision). */
  recover(): void {
    for (const decision of this.#node.txLog.openDecisions()) void this.deliver(decision);
  }

  async #tellEach(
    decision: TxDecision,
    partitions: readonly TxPartition[],
    epoch: number,
    nextDelayMs: number,
  ): Promise<void> {
    const byNode = new Map<string, TxPartition[]>();
    const unreachable: TxPartition[] = [];
    for (const partition of partitions) {
      if (!decision.unacknowledged.has(partitionKey(partition))) continue;
      const owner = this.#node.ownerOf(partition.tableId, partition.partitionId);
      if (owner === undefined) {
        unreachable.push(partition);
        continue;
      }
      const list = byNode.get(owner);
      if (list === undefined) byNode.set(owner, [partition]);
      else list.push(partition);
    }
    if (unreachable.length > 0) this.#later(decision, unreachable, epoch, nextDelayMs);
    await Promise.all(
      [...byNode].map(([peer, list]) => this.#tell(decision, peer, list, epoch, nextDelayMs)),
    );
  }

  async #tell(
    decision: TxDecision,
    peer: string,
    partitions: readonly TxPartition[],
    epoch: number,
    nextDelayMs: number,
  ): Promise<void> {
    const node = this.#node;
    try {
      if (peer === node.name) await node.finishLocal(decision.txId, decision.commitTs, partitions);
      else if (decision.commitTs !== null) {
        await node.forwarder.send(peer, {
          op: 'TX_COMMIT',
          requestId: 0,
          txId: decision.txId,
          commitTimestamp: decision.commitTs,
          partitions,
        });
      } else {
        await node.forwarder.send(peer, { op: 'TX_ABORT', requestId: 0, txId: decision.txId, partitions });
      }
    } catch (error) {
      if (node.epoch !== epoch) return;
      node.log.debug(
        { txId: decision.txId, peer, err: error },
        'participant not told yet, trying again later',
      );
      this.#later(decision, partitions, epoch, nextDelayMs);
      return;
    }
    // Even after a crash of this node: the participant applied the outcome, so it need not hear it again.
    node.txLog.acknowledge(decision.txId, partitions);
  }

  /** Tells `partitions` again after `delayMs` (through whichever node serves each then). */
  #later(decision: TxDecision, partitions: readonly TxPartition[], epoch: number, delayMs: number): void {
    const node = this.#node;
    const timer = node.clock.setTimer(delayMs, () => {
      this.#timers.delete(timer);
      if (node.epoch !== epoch) return;
      void this.#tellEach(decision, partitions, epoch, Math.min(delayMs * 2, DELIVER_MAX_DELAY_MS));
    });
    this.#timers.add(timer);
  }
}
