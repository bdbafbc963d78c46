/**
 * The `stream_r3_rebalancing` case: `stream_3node_r3`'s stream (3 replicas of every partition, default
 * options) while a partition's replica moves every 200 ms: each tick starts moving one replica of the next
 * partition, round-robin, to the node that does not hold one (Raft membership changes: a learner caught up
 * from a snapshot sent in chunks, promoted, then the old replica removed), and the stream keeps writing
 * throughout. A move needs a fourth node to go to, so the cluster has 4 nodes; each partition still has 3
 * replicas, so a batch costs what it costs in `stream_3node_r3`. The primary's replica is never the one
 * that moves (the default of `movePartition`): moving it would pause the partition for a lease.
 *
 * It reports how many moves it started and how many finished while the stream ran.
 */
import { startBenchCluster } from './bench-cluster.js';
import { type CaseOutput, figures } from './case-result.js';
import { trackEventsTable, uniformTrackEvents } from './track-events.js';

/** How often a move starts, ms. */
export const MOVE_EVERY_MS = 200;

/**
 * Streams `rows` rows into 4 nodes with 3 replicas of each partition while a replica moves every
 * {@link MOVE_EVERY_MS} ms.
 * @throws Error when the summary does not account for every row.
 */
export async function runStreamRebalancing(rows: number, networkDelayMs: number): Promise<CaseOutput> {
  const { cluster, view, stop } = await startBenchCluster(4, networkDelayMs, { replicas: 3 });
  const table = trackEventsTable.name;
  const partitions = cluster.controlPlane.catalog.latest(table)?.partitions ?? 1;
  const started: Promise<boolean>[] = [];
  // A move ends with the configuration that drops the old replica: three voters again, no learner.
  let completed = 0;
  const stopCounting = cluster.controlPlane.placement.onMembership((_, __, membership) => {
    if (membership.voters.length === 3 && membership.learners.length === 0) completed++;
  });
  let streaming = true;
  let next = 0;
  const moveOne = async (): Promise<void> => {
    const partition = next++ % partitions;
    const replicas = await cluster.replicasOf(table, partition);
    const to = cluster.nodes.find((node) => !replicas.includes(node));
    if (to === undefined) return;
    // Started now, not waited for: a move under way of the same partition makes this one refused.
    await cluster.movePartition(table, partition, to, { waitMs: 0 });
  };
  const mover = (async () => {
    while (streaming) {
      await cluster.clock.sleep(MOVE_EVERY_MS);
      if (streaming)
        started.push(
          moveOne().then(
            () => true,
            () => false,
          ),
        );
    }
  })();
  try {
    const start = performance.now();
    const summary = await view.streamData(uniformTrackEvents(rows));
    const seconds = (performance.now() - start) / 1000;
    streaming = false;
    if (summary.items !== rows) throw new Error(`streamed ${summary.items} of ${rows} rows`);
    const finished = completed;
    await mover;
    const outcomes = await Promise.all(started);
    return {
      ...figures(rows, seconds),
      moves: { started: outcomes.filter(Boolean).length, completed: finished },
    };
  } finally {
    streaming = false;
    stopCounting();
    await stop();
  }
}
