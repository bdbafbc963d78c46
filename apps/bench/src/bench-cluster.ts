/**
 * The cluster every cluster case runs against: what `SimCluster.start({ clock: 'real', nodes })` builds
 * (nodes of `@datastreamer/server-node` on the simulated network with its real-clock default of no delay, a
 * client connected to every node, one control plane), minus the test recorder. `SimCluster` records every
 * applied row, decoded, into its history for the checkers; that oracle is not part of the data path, and on
 * a 300,000-row stream it cost about 40% of the time and 585 heap bytes per row, so the bench wires the same
 * parts itself. No faults, logging off (silent loggers), the `TrackEvents` table created through the client.
 */
import { Client, type RecordView } from '@datastreamer/client';
import { createRng, RealClock } from '@datastreamer/protocol';
import { ClusterNode, LocalControlPlane } from '@datastreamer/server-node';
import { SimNetwork } from '@datastreamer/sim-cluster';
import { type TrackEvent, trackEventsTable } from './track-events.js';

/** Partitions of `TrackEvents`: `SimCluster`'s default. */
export const BENCH_PARTITIONS = 16;

/** A started cluster with the table's record view; `stop` closes the client and the nodes. */
export interface BenchCluster {
  readonly view: RecordView<TrackEvent>;
  stop(): Promise<void>;
}

/** Starts `nodes` nodes on the real clock (fixed seed), connects a client and creates `TrackEvents`. */
export async function startBenchCluster(nodes: number): Promise<BenchCluster> {
  const clock = new RealClock();
  const rng = createRng(1);
  const controlPlane = new LocalControlPlane({ defaultPartitions: BENCH_PARTITIONS });
  const network = new SimNetwork({ clock, rng: rng.child('net'), baseDelayMs: [0, 0] });
  const members: ClusterNode[] = [];
  for (let i = 1; i <= nodes; i++) {
    const name = `node-${i}`;
    const node = new ClusterNode({ name, controlPlane, clock, transport: network.transport(name) });
    network.listen(name, (connection) => node.accept(connection));
    members.push(node);
  }
  const client = await Client.connect({
    name: 'bench',
    transport: network.transport('bench'),
    endpoints: members.map((m) => m.name),
    clock,
    rng: rng.child('bench'),
  });
  const table = await client.catalog.createTable({
    ...trackEventsTable,
    columns: [...trackEventsTable.columns],
    primaryKey: [...trackEventsTable.primaryKey],
  });
  return {
    view: table.recordView<TrackEvent>(),
    async stop() {
      await client.close();
      for (const node of members) if (node.isRunning) node.crash();
    },
  };
}
