/**
 * The `per_row` case: the "traditional INSERT" the streamer is contrasted with, one awaited `upsert` per row
 * into a 3-node cluster (same rows, same stack, same network, one request and one transaction per row).
 * Each upsert waits for its round trip before the next starts, so over a network with a delay the case is
 * bound by that round trip, which is the point of the contrast: the streamer keeps pages in flight instead.
 */

import { startBenchCluster } from './bench-cluster.js';
import { type CaseOutput, figures } from './case-result.js';
import { uniformTrackEvent } from './track-events.js';

/** Upserts rows `0..rows-1` one at a time, each awaited before the next, over `networkDelayMs` links. */
export async function runPerRow(rows: number, networkDelayMs: number): Promise<CaseOutput> {
  const { view, stop } = await startBenchCluster(3, networkDelayMs);
  try {
    const start = performance.now();
    for (let i = 0; i < rows; i++) await view.upsert(uniformTrackEvent(i));
    return figures(rows, (performance.now() - start) / 1000);
  } finally {
    await stop();
  }
}
