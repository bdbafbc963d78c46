/**
 * The topology changes a `SimCluster` makes to its nodes, each recorded in the history: a node joining
 * (partitions rebalanced to it), leaving gracefully, destroyed, crashed, restarted, paused, and a partition
 * moved (an unreplicated one by hand-over, a replicated one's replica by membership changes, replica-moves.ts).
 * It does not start nodes (sim-node-start.ts) and does not check that the cluster still runs: sim-cluster.ts
 * does both before calling here.
 */
import {
  type ClusterNode,
  type LocalControlPlane,
  MemoryDisk,
  type MoveReport,
} from '@datastreamer/server-node';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import type { History } from '../history/history.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { ClusterReads } from './cluster-reads.js';
import type { MetastorageMembers } from './metastorage-members.js';
import type { ReplicaMoveReport, ReplicaMover } from './replica-moves.js';
import type { ReplicaMoveOptions } from './sim-cluster-options.js';

/** The cluster's parts a topology change touches. */
export interface ClusterTopologyParts {
  /** The member nodes by name; a node leaving or destroyed is deleted from it. */
  readonly nodes: Map<string, ClusterNode>;
  readonly controlPlane: LocalControlPlane;
  readonly network: SimNetwork;
  readonly history: History;
  readonly replicaMoves: ReplicaMover;
  readonly metastorage: MetastorageMembers;
  readonly reads: ClusterReads;
  /** The member called `name`. @throws SimClusterError `INVALID_ARGUMENT` for an unknown name. */
  readonly node: (name: string) => ClusterNode;
}

export class ClusterTopology {
  readonly #parts: ClusterTopologyParts;

  constructor(parts: ClusterTopologyParts) {
    this.#parts = parts;
  }

  /** `SimCluster.addNode` once the node `name` started: rebalance, then wait for the replica moves. */
  async join(name: string, waitMs: number | undefined): Promise<void> {
    this.#parts.history.recordTopology({ kind: 'join', node: name });
    await this.#rebalance(this.#parts.controlPlane.placement.members);
    const mover = this.#parts.replicaMoves;
    const moves = mover.startPlan();
    await mover.until(() => moves.every((move) => mover.reached(move)), waitMs);
  }

  /** `SimCluster.removeNode`. */
  async remove(name: string): Promise<void> {
    const { controlPlane, network, history } = this.#parts;
    const node = this.#parts.node(name);
    const rest = controlPlane.placement.members.filter((m) => m !== name);
    if (rest.length === 0)
      throw new SimClusterError('INVALID_ARGUMENT', `cannot remove "${name}": it is the last node`);
    this.#parts.metastorage.checkKeeps(name, 'remove');
    await this.#parts.replicaMoves.moveAllOff(name, rest);
    await this.#rebalance(rest);
    controlPlane.placement.removeMember(name);
    node.crash();
    network.down(name);
    this.#parts.nodes.delete(name);
    history.recordTopology({ kind: 'leave', node: name });
  }

  /** `SimCluster.destroyNode`. */
  destroy(name: string): void {
    const node = this.#parts.node(name);
    if (this.#parts.nodes.size === 1) {
      throw new SimClusterError('INVALID_ARGUMENT', `cannot destroy "${name}": it is the last node`);
    }
    this.#parts.metastorage.checkKeeps(name, 'destroy');
    node.destroy();
    this.#parts.network.down(name);
    this.#parts.nodes.delete(name);
    this.#parts.controlPlane.placement.forgetMember(name);
    this.#parts.history.recordTopology({ kind: 'destroy', node: name });
    // Repair: its replicas are replaced on the other nodes (when there are enough), in the background.
    this.#parts.replicaMoves.startPlan();
  }

  /** `SimCluster.crashNode`. */
  crash(name: string): void {
    const node = this.#parts.node(name);
    const disk = node.disk;
    const unsyncedLost = node.isRunning && disk instanceof MemoryDisk ? disk.unsyncedChanges : 0;
    node.crash();
    this.#parts.network.down(name);
    this.#parts.history.recordTopology({
      kind: 'crash',
      node: name,
      ...(unsyncedLost > 0 ? { unsyncedLost } : {}),
    });
  }

  /** `SimCluster.restartNode`. */
  restart(name: string): void {
    const { network } = this.#parts;
    const node = this.#parts.node(name);
    network.up(name);
    try {
      node.restart();
    } catch (error) {
      network.down(name);
      throw error;
    }
    if (!network.isListening(name)) network.listen(name, (connection) => node.accept(connection));
    this.#parts.history.recordTopology({ kind: 'restart', node: name });
  }

  /** `SimCluster.pauseNode`. */
  pause(name: string, ms: number): void {
    this.#parts.node(name);
    this.#parts.network.clog(name, ms);
    this.#parts.history.recordTopology({ kind: 'pause', node: name, ms });
  }

  /** `SimCluster.movePartition`. */
  async movePartition(
    table: string,
    partition: number,
    toNode: string,
    options: ReplicaMoveOptions,
  ): Promise<MoveReport | ReplicaMoveReport> {
    const schema = this.#parts.reads.schemaOf(table);
    const placement = this.#parts.controlPlane.placement;
    const owner = placement.owner(schema.tableId, partition);
    if (owner === undefined) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `table "${table}" has partitions 0..${schema.partitions - 1}, got ${partition}`,
      );
    }
    this.#parts.node(toNode);
    if (placement.isReplicated(schema.tableId)) {
      const mover = this.#parts.replicaMoves;
      const move = mover.start(schema.tableId, partition, toNode, options.from);
      await mover.until(
        () => mover.reached(move) || placement.targetOf(schema.tableId, partition) === undefined,
        options.waitMs,
      );
      return mover.report(move);
    }
    const report = await this.#parts.node(owner).movePartition(schema.tableId, partition, toNode);
    this.#parts.history.recordTopology({ kind: 'move', table, partition, from: owner, to: toNode });
    return report;
  }

  async #rebalance(members: readonly string[]): Promise<void> {
    for (const move of this.#parts.controlPlane.placement.planRebalance(members)) {
      await this.#parts.node(move.from).movePartition(move.tableId, move.partition, move.to);
      const { partition, from, to } = move;
      this.#parts.history.recordTopology({
        kind: 'move',
        table: this.#parts.reads.tableName(move.tableId),
        partition,
        from,
        to,
      });
    }
  }
}
