/**
 * The cluster every cluster case runs against: `SimCluster.start({ clock: 'real', nodes, partitions: 16,
 * history: 'off' })` (nodes of `@datastreamer/server-node` on the simulated network with its real-clock
 * default of no delay, one control plane), a client connected to every node, and the `TrackEvents` table
 * created through the client. The history is off: recording every applied row, decoded, is the test oracle,
 * not the data path (on a 300,000-row stream it cost about 40% of the time and 585 heap bytes per row). No
 * faults, logging off, a fixed seed.
 */
import type { RecordView } from '@datastreamer/client';
import { SimCluster } from '@datastreamer/sim-cluster';
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
  const cluster = await SimCluster.start({
    clock: 'real',
    nodes,
    partitions: BENCH_PARTITIONS,
    seed: 1,
    history: 'off',
  });
  try {
    const client = await cluster.connect();
    const table = await client.catalog.createTable({
      ...trackEventsTable,
      columns: [...trackEventsTable.columns],
      primaryKey: [...trackEventsTable.primaryKey],
    });
    return { view: table.recordView<TrackEvent>(), stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
