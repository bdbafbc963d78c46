/**
 * The cluster every cluster case runs against: `SimCluster.start({ clock: 'real', nodes, partitions: 16,
 * history: 'off', networkDelayMs, replicas })` (nodes of `@datastreamer/server-node` on the simulated network,
 * one control plane; with replicas, each node's simulated disk syncs in 2 ms), a client connected to every
 * node, and the `TrackEvents` table created through the client.
 *
 * Every cluster case crosses the same network: each message takes the one-way delay the bench was given
 * (default {@link DEFAULT_BENCH_NETWORK_DELAY_MS}, the simulated network's own default), so the streamer and
 * the per-row upserts are compared over one link, as they would be on a real one. The history is off:
 * recording every applied row, decoded, is the test oracle, not the data path (on a 300,000-row stream it
 * cost about 40% of the time and 585 heap bytes per row). No faults, logging off, a fixed seed.
 */
import type { RecordView } from '@datastreamer/client';
import { DEFAULT_BASE_DELAY_MS, SimCluster } from '@datastreamer/sim-cluster';
import { type TrackEvent, trackEventsTable } from './track-events.js';

/** Partitions of `TrackEvents`: `SimCluster`'s default. */
export const BENCH_PARTITIONS = 16;

/**
 * The one-way delay of every simulated message unless `--network-delay` says otherwise: the simulated
 * network's default (1 ms), which the real clock honours with an ordinary 1 ms timer.
 */
export const DEFAULT_BENCH_NETWORK_DELAY_MS: number = DEFAULT_BASE_DELAY_MS[0];

/** A started cluster with the table's record view; `stop` closes the client and the nodes. */
export interface BenchCluster {
  readonly view: RecordView<TrackEvent>;
  stop(): Promise<void>;
}

/**
 * Starts `nodes` nodes on the real clock (fixed seed) with every message delayed `networkDelayMs` one way
 * (0: delivered in the next event-loop turn), connects a client and creates `TrackEvents` with `replicas`
 * copies of each partition (default 1). With more than 1 it returns once every partition has a primary, so
 * the timed part measures replication, not the first elections.
 */
export async function startBenchCluster(
  nodes: number,
  networkDelayMs: number,
  replicas = 1,
): Promise<BenchCluster> {
  const cluster = await SimCluster.start({
    clock: 'real',
    nodes,
    partitions: BENCH_PARTITIONS,
    seed: 1,
    history: 'off',
    networkDelayMs: [networkDelayMs, networkDelayMs],
    replicas,
  });
  try {
    const client = await cluster.connect();
    const table = await client.catalog.createTable({
      ...trackEventsTable,
      columns: [...trackEventsTable.columns],
      primaryKey: [...trackEventsTable.primaryKey],
    });
    if (replicas > 1) {
      for (let p = 0; p < BENCH_PARTITIONS; p++) await cluster.primaryOf(trackEventsTable.name, p);
    }
    return { view: table.recordView<TrackEvent>(), stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
