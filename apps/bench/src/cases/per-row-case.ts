/**
 * The `per_row` case: the "traditional INSERT" the streamer is contrasted with, one awaited `upsert` per row
 * into a 3-node cluster (same rows, same stack, one request and one transaction per row).
 */

import { startBenchCluster } from '../bench-cluster.js';
import { type CaseOutput, figures } from '../case-result.js';
import { uniformTrackEvent } from '../track-events.js';

/** Upserts rows `0..rows-1` one at a time, each awaited before the next. */
export async function runPerRow(rows: number): Promise<CaseOutput> {
  const { view, stop } = await startBenchCluster(3);
  try {
    const start = performance.now();
    for (let i = 0; i < rows; i++) await view.upsert(uniformTrackEvent(i));
    return figures(rows, (performance.now() - start) / 1000);
  } finally {
    await stop();
  }
}
