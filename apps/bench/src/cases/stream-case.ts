/**
 * The `stream_1node`, `stream_3node` and `stream_3node_r3` cases: `streamData` of the uniform `TrackEvents`
 * rows through the full stack (client, frames, transport, node, an MVCC transaction per batch; with 3 replicas,
 * each batch also a command of its partition's Raft log, synced on a majority of the replicas' disks and
 * applied by all three) with the streamer's default options. With `measureMemory` it also reports the
 * streamer's buffer gauge and the heap growth per stored row (the cluster's stores, and whatever else the load
 * leaves on the heap, after a full GC).
 */

import { startBenchCluster } from './bench-cluster.js';
import { type CaseOutput, figures } from './case-result.js';
import { heapAfterGc } from './heap.js';
import { uniformTrackEvents } from './track-events.js';

/**
 * Streams `rows` rows into a fresh cluster of `nodes` nodes whose messages take `networkDelayMs` one way, with
 * `replicas` copies of each partition (default 1).
 * @throws Error when the summary does not account for every row.
 */
export async function runStream(
  nodes: number,
  rows: number,
  networkDelayMs: number,
  measureMemory: boolean,
  replicas = 1,
): Promise<CaseOutput> {
  const { view, stop } = await startBenchCluster(nodes, networkDelayMs, { replicas });
  try {
    const heapBefore = measureMemory ? heapAfterGc() : 0;
    const start = performance.now();
    const summary = await view.streamData(uniformTrackEvents(rows));
    const seconds = (performance.now() - start) / 1000;
    if (summary.items !== rows) throw new Error(`streamed ${summary.items} of ${rows} rows`);
    const result = figures(rows, seconds);
    if (!measureMemory) return result;
    const growth = heapAfterGc() - heapBefore;
    return {
      ...result,
      memory: {
        peakBufferedItems: summary.peakBufferedItems,
        bufferBound: summary.bufferBound,
        storedBytesPerRow: Math.round(growth / rows),
      },
    };
  } finally {
    await stop();
  }
}
