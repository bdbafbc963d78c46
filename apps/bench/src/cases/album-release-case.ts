/**
 * The `album_release` case: the demo's album-release events (burst of listeners, skewed tracks and users)
 * streamed into 3 nodes with the demo's options (pageSize 1000, perPartitionParallelOperations 2,
 * autoFlushInterval 1000 ms, retryLimit 16). The generator is the one the demo uses (sim-cluster's
 * `albumReleaseEvents`, fixed seed): row `i` is a pure function of `i`, the row count and the seed.
 * Generating the events is part of the timed run, as it is in the demo.
 */
import { albumReleaseEvents } from '@datastreamer/sim-cluster';
import { startBenchCluster } from './bench-cluster.js';
import { type CaseOutput, figures } from './case-result.js';

/** The generator's seed: every run streams the same events. */
const ALBUM_RELEASE_SEED = 2026;

/**
 * Streams `rows` album-release events into a fresh 3-node cluster (messages take `networkDelayMs` one way).
 * @throws Error when the summary does not account for every event.
 */
export async function runAlbumRelease(rows: number, networkDelayMs: number): Promise<CaseOutput> {
  const { view, stop } = await startBenchCluster(3, networkDelayMs);
  try {
    const start = performance.now();
    const summary = await view.streamData(albumReleaseEvents(rows, ALBUM_RELEASE_SEED), {
      pageSize: 1000,
      perPartitionParallelOperations: 2,
      autoFlushInterval: 1000,
      retryLimit: 16,
    });
    const seconds = (performance.now() - start) / 1000;
    if (summary.items !== rows) throw new Error(`streamed ${summary.items} of ${rows} events`);
    return figures(rows, seconds);
  } finally {
    await stop();
  }
}
