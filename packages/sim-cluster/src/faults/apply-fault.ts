/**
 * Applies one fault to a cluster, through the cluster's own API (so the cluster records topology changes and
 * the network reports its fault events into the history). It does not decide when: `runSchedule` does.
 */
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { Fault } from './fault.js';

/**
 * Applies `fault` now; resolves when the cluster has settled (a join or leave once partitions moved), except
 * for replica moves of replicated tables (a move, or those a join starts), which go on during the steps
 * after it: crashes and cuts meet them.
 *
 * @throws whatever the cluster or network throws for it (`SimClusterError`, `SimNetworkError`, the node's
 *   `NODE_UNAVAILABLE` when a move needs a crashed node).
 */
export async function applyFault(cluster: SimCluster, fault: Fault): Promise<void> {
  const network = cluster.network;
  switch (fault.kind) {
    case 'setFaults':
      network.setFaults(
        fault.between === undefined ? fault.faults : { ...fault.faults, between: fault.between },
      );
      return;
    case 'clog':
      network.clog(fault.target, fault.ms);
      return;
    case 'partition':
      if (fault.oneWay === true) network.partitionOneWay(fault.groupA, fault.groupB);
      else network.partition(fault.groupA, fault.groupB);
      return;
    case 'isolate':
      network.isolate(fault.endpoint);
      return;
    case 'heal':
      network.heal();
      return;
    case 'disconnect':
      network.disconnect(fault.a, fault.b);
      return;
    case 'crash':
      cluster.crashNode(fault.node);
      return;
    case 'destroy':
      cluster.destroyNode(fault.node);
      return;
    case 'restart':
      await cluster.restartNode(fault.node);
      return;
    case 'pause':
      cluster.pauseNode(fault.node, fault.ms);
      return;
    case 'movePartition':
      await cluster.movePartition(fault.table, fault.partition, fault.to, { waitMs: 0 });
      return;
    case 'join':
      await cluster.addNode({ waitMs: 0 });
      return;
    case 'leave':
      await cluster.removeNode(fault.node);
      return;
    case 'isolateMetastorageLeader': {
      // Who leads is known only now; the history records whom the step cut (none: no leader to cut).
      const leader = cluster.metastorageLeader();
      const others = cluster.nodes.filter((n) => n !== leader);
      if (leader !== undefined && others.length > 0) network.partition([leader], others);
      cluster.history.recordFault({ kind: fault.kind, leader: leader ?? null });
      return;
    }
    case 'loseMetastorageMajority': {
      const members = cluster.metastorageNodes;
      const leader = cluster.metastorageLeader();
      const ordered = leader === undefined ? members : [leader, ...members.filter((m) => m !== leader)];
      const cut = members.length === 0 ? [] : ordered.slice(0, Math.floor(members.length / 2) + 1);
      for (const member of cut) network.isolate(member);
      cluster.history.recordFault({ kind: fault.kind, cut });
      return;
    }
  }
}
