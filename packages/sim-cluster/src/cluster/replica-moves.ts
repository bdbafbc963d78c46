/**
 * Moving the replicas of replicated partitions, as the simulated cluster asks for it (`movePartition` of a
 * replicated table, `addNode`, `removeNode`, the repair after `destroyNode`): it records each move's target
 * replica set in the placement (`Placement.setTarget`; the partition's group leader makes the membership
 * changes, see server-node's replication/membership-reconciler.ts), records the move in the history, and
 * waits on the cluster's clock until the placement shows the target reached.
 *
 * A move outlives the wait: the target stays in the placement until the group reaches it or it is dropped
 * (the node it moves to is destroyed), whatever crashes, restarts or elections happen meanwhile. It moves no
 * data itself and does not judge anything.
 */
import type { Clock } from '@datastreamer/protocol';
import {
  type Placement,
  planReplicaMoves,
  type ReplicaMove,
  sameNodes,
} from '@datastreamer/server-node/internal';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** How long (cluster time) a topology call waits for replica moves before it returns and lets them go on. */
export const REPLICA_MOVE_WAIT_MS = 10_000;

/** What a move of a replicated partition's replica did by the time `movePartition` returned. */
export interface ReplicaMoveReport {
  readonly tableId: number;
  readonly partition: number;
  /** The replica that leaves. */
  readonly from: string;
  /** The node that takes its place. */
  readonly to: string;
  /** The partition's replicas when the call returned. */
  readonly replicas: readonly string[];
  /** Whether the replicas reached the target (false: the move goes on in the background). */
  readonly completed: boolean;
}

/** What the mover needs of the cluster. */
export interface ReplicaMoverHost {
  readonly placement: Placement;
  readonly clock: Clock;
  /** Whether node `name` is running. */
  isRunning(name: string): boolean;
  /** Records a move that starts (a `move` topology event). */
  recordMove(move: ReplicaMove): void;
}

export class ReplicaMover {
  readonly #host: ReplicaMoverHost;

  constructor(host: ReplicaMoverHost) {
    this.#host = host;
  }

  /**
   * Starts moving partition `partition`'s replica on `from` (default: the last replica that is not the
   * primary, so the primary keeps serving) to `to`.
   * @throws SimClusterError `INVALID_ARGUMENT` when `to` holds a replica already, `from` holds none, or a
   *   move of the partition is under way; `NODE_UNAVAILABLE` when `to` is down.
   */
  start(tableId: number, partition: number, to: string, from?: string): ReplicaMove {
    const placement = this.#host.placement;
    const replicas = placement.replicasOf(tableId, partition) ?? [];
    const where = `partition ${partition} of table ${tableId}`;
    if (placement.targetOf(tableId, partition) !== undefined) {
      throw new SimClusterError('INVALID_ARGUMENT', `a move of ${where} is under way; wait for it`);
    }
    if (replicas.includes(to)) {
      throw new SimClusterError('INVALID_ARGUMENT', `${to} holds a replica of ${where} already`);
    }
    if (!this.#host.isRunning(to)) {
      throw new SimClusterError('NODE_UNAVAILABLE', `${to} is down and cannot take a replica of ${where}`);
    }
    const owner = placement.owner(tableId, partition);
    const leaving = from ?? [...replicas].reverse().find((node) => node !== owner) ?? replicas[0];
    if (leaving === undefined || !replicas.includes(leaving)) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `${String(leaving)} holds no replica of ${where} (its replicas: ${replicas.join(', ')})`,
      );
    }
    const move: ReplicaMove = {
      tableId,
      partition,
      from: leaving,
      to,
      target: replicas.map((node) => (node === leaving ? to : node)),
    };
    this.#begin(move);
    return move;
  }

  /**
   * Starts the moves that take every replica off nodes outside `members` and spread them evenly (see
   * `planReplicaMoves`); returns them.
   */
  startPlan(members: readonly string[] = this.#host.placement.members): ReplicaMove[] {
    const moves = planReplicaMoves(this.#host.placement, members);
    for (const move of moves) this.#begin(move);
    return moves;
  }

  /** Whether `move`'s partition has no move under way any more and its replicas are the move's target. */
  reached(move: ReplicaMove): boolean {
    const placement = this.#host.placement;
    return (
      placement.targetOf(move.tableId, move.partition) === undefined &&
      sameNodes(placement.replicasOf(move.tableId, move.partition) ?? [], move.target)
    );
  }

  /** Whether any replicated partition has a move under way. */
  pending(): boolean {
    const placement = this.#host.placement;
    for (const [tableId, partitions] of placement.replicatedTables()) {
      for (let p = 0; p < partitions; p++) if (placement.targetOf(tableId, p) !== undefined) return true;
    }
    return false;
  }

  /** Waits (cluster time, polling) until `done()` or `timeoutMs` passed; resolves with `done()`. */
  async until(done: () => boolean, timeoutMs = REPLICA_MOVE_WAIT_MS): Promise<boolean> {
    const deadline = this.#host.clock.now() + timeoutMs;
    while (!done()) {
      if (this.#host.clock.now() >= deadline) return false;
      await this.#host.clock.sleep(5);
    }
    return true;
  }

  /** A report of `move` now. */
  report(move: ReplicaMove): ReplicaMoveReport {
    const { tableId, partition, from, to } = move;
    const replicas = [...(this.#host.placement.replicasOf(tableId, partition) ?? [])];
    return { tableId, partition, from, to, replicas, completed: this.reached(move) };
  }

  #begin(move: ReplicaMove): void {
    this.#host.placement.setTarget(move.tableId, move.partition, move.target);
    this.#host.recordMove(move);
  }
}
