/**
 * Replication as it happens, for the live view: every election a replica of the scenario's table wins is
 * counted, and every lease the placement driver hands to a different replica (a failover: the primary moved)
 * goes on the ticker as it is granted. It reads the cluster's own notifications (a node's role changes, the
 * placement driver's lease events), not its history, so it works with the history off. It injects nothing
 * and judges nothing.
 */
import type { SimCluster } from '@datastreamer/sim-cluster';
import type { RunMeter } from './run-meter.js';

/** What the watch saw, for the summary. */
export interface ReplicationReport {
  /** Elections won by a replica of the table (the first of each partition included). */
  readonly elections: number;
  /** Leases granted to another replica than the one holding the partition's previous lease. */
  readonly failovers: number;
}

/** The live view's counters. */
export const ELECTIONS = 'elections';
export const FAILOVERS = 'failovers';

/**
 * Starts watching the replicas of `table` in `cluster` into `meter` (counters `elections` and `failovers`,
 * a ticker line per failover); `stop()` ends the watch and reports. Call it before the stream starts, after
 * the table exists.
 * @throws Error when the table does not exist.
 */
export function watchReplication(
  cluster: SimCluster,
  meter: RunMeter,
  table: string,
): { stop(): ReplicationReport } {
  const tableId = cluster.controlPlane.catalog.latest(table)?.tableId;
  if (tableId === undefined) throw new Error(`table ${table} does not exist`);
  let elections = 0;
  let failovers = 0;
  const stops = cluster.nodes.map((name) =>
    cluster.node(name).onRoleChange((id, _partition, change) => {
      if (id !== tableId || change.role !== 'leader') return;
      elections++;
      meter.count(ELECTIONS);
    }),
  );
  stops.push(
    cluster.controlPlane.leases.subscribe(({ lease, previous }) => {
      if (lease.tableId !== tableId || previous === undefined || previous.holder === lease.holder) return;
      failovers++;
      meter.count(FAILOVERS);
      meter.note(
        `failover: ${table} partition ${lease.partition} primary ${previous.holder} → ${lease.holder} (term ${lease.term})`,
      );
    }),
  );
  return {
    stop() {
      for (const stop of stops.splice(0)) stop();
      return { elections, failovers };
    },
  };
}
