/**
 * Moving the replicas of replicated partitions, as the simulated cluster asks for it (`movePartition` of a
 * replicated table, `addNode`, `removeNode`, the repair after `destroyNode`): it records each move's target
 * replica set in the placement (`Placement.setTarget`; the partition's group leader makes the membership
 * changes, see server-node's replication/membership-reconciler.ts), records the move in the history (a
 * `move` topology event with the target as `replicas`, and a `membership` event for each configuration the
 * group then commits), and waits on the cluster's clock until the placement shows the target reached.
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
import type { TopologyKind } from '../history/history-event.js';

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
  /** The name of table `tableId`, for the history. */
  tableName(tableId: number): string;
  /** Records a topology event in the cluster's history. */
  recordTopology(change: { readonly kind: TopologyKind } & Record<string, unknown>): void;
}

export class ReplicaMover {
  readonly #host: ReplicaMoverHost;

  /** Also records every configuration a group commits as a `membership` topology event, from now on. */
  constructor(host: ReplicaMoverHost) {
    this.#host = host;
    const placement = host.placement;
    placement.onMembership((tableId, partition, membership) =>
      host.recordTopology({
        kind: 'membership',
        table: host.tableName(tableId),
        partition,
        voters: [...membership.voters],
        learners: [...membership.learners],
        index: membership.index,
        replicas: placement.replicaCount(tableId) ?? 0,
      }),
    );
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

  /**
   * Moves every replica `name` holds (or is about to) to the nodes of `rest`, after any move under way that
   * involves it settled; resolves once none is left on it.
   * @throws SimClusterError `INVALID_ARGUMENT` when `rest` has fewer nodes than a table's replica count (and
   *   `name` holds replicas); `NODE_UNAVAILABLE` when they did not all move within
   *   {@link REPLICA_MOVE_WAIT_MS} (a node they move to is down?): the moves go on.
   */
  async moveAllOff(name: string, rest: readonly string[]): Promise<void> {
    const placement = this.#host.placement;
    const held = () => placement.replicatedPartitionsOf(name);
    if (held().length === 0) return;
    const most = Math.max(0, ...placement.replicatedTables().map(([t]) => placement.replicaCount(t) ?? 0));
    if (rest.length < most) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `cannot remove "${name}": it holds replicas of ${held().length} replicated partitions and the ` +
          `${rest.length} other nodes cannot hold ${most} replicas each`,
      );
    }
    const moving = () => held().some(([tableId, p]) => placement.targetOf(tableId, p) !== undefined);
    if (await this.until(() => !moving())) {
      this.startPlan(rest);
      if (await this.until(() => held().length === 0)) return;
    }
    throw new SimClusterError(
      'NODE_UNAVAILABLE',
      `cannot remove "${name}" yet: its replicas did not all move within ${REPLICA_MOVE_WAIT_MS} ms ` +
        '(a node they move to is down?); the moves go on',
    );
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
    const { tableId, partition, from, to, target } = move;
    this.#host.placement.setTarget(tableId, partition, target);
    const table = this.#host.tableName(tableId);
    this.#host.recordTopology({ kind: 'move', table, partition, from, to, replicas: [...target] });
  }
}
