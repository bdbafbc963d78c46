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

/** Clients `moreViews` connects at once. */
const CONNECT_WAVE = 50;

/**
 * A started cluster with the table's record view; `stop` closes the clients and the nodes.
 * `moreViews(n)` connects `n` further clients (each to every node) and gives each one's view of the table.
 */
export interface BenchCluster {
  /** The cluster itself, for cases that change its topology while they stream. */
  readonly cluster: SimCluster;
  readonly view: RecordView<TrackEvent>;
  moreViews(count: number): Promise<RecordView<TrackEvent>[]>;
  stop(): Promise<void>;
}

/**
 * Starts `nodes` nodes on the real clock (fixed seed) with every message delayed `networkDelayMs` one way
 * (0: delivered in the next event-loop turn), connects a client and creates `TrackEvents` with `partitions`
 * partitions (default {@link BENCH_PARTITIONS}) and `replicas` copies of each (default 1). With more than one
 * copy it returns once every partition has a primary, so the timed part measures replication, not the first
 * elections.
 */
export async function startBenchCluster(
  nodes: number,
  networkDelayMs: number,
  { replicas = 1, partitions = BENCH_PARTITIONS }: { replicas?: number; partitions?: number } = {},
): Promise<BenchCluster> {
  const cluster = await SimCluster.start({
    clock: 'real',
    nodes,
    partitions,
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
      for (let p = 0; p < partitions; p++) await cluster.primaryOf(trackEventsTable.name, p);
    }
    const oneMore = async (): Promise<RecordView<TrackEvent>> => {
      const found = await (await cluster.connect()).tables.table(trackEventsTable.name);
      if (found === null) throw new Error(`a new client does not see ${trackEventsTable.name}`);
      return found.recordView<TrackEvent>();
    };
    const moreViews = async (count: number): Promise<RecordView<TrackEvent>[]> => {
      const views: RecordView<TrackEvent>[] = [];
      // A few dozen connect at once: each waits on round trips, one after another would take seconds.
      while (views.length < count) {
        const wave = Math.min(CONNECT_WAVE, count - views.length);
        views.push(...(await Promise.all(Array.from({ length: wave }, oneMore))));
      }
      return views;
    };
    return { cluster, view: table.recordView<TrackEvent>(), moreViews, stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
