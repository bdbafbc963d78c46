/**
 * The cases where many clients stream at once into 3 nodes: `stream_16p_16c` and `stream_1024p_16c` (16
 * clients, a table of 16 or 1,024 partitions) and `stream_1000c` (1,000 clients, 16 partitions). The rows
 * are split into consecutive ranges, one per client (the first clients take one more when they do not divide
 * evenly); every client streams its range with the default options, all at the same time, and the case ends
 * when the last stream has. Connecting the clients is not timed.
 *
 * Memory: the peak of `heapUsed + arrayBuffers` is sampled every few milliseconds during the streams and its
 * rise over the level before them (after full GCs) is reported per stream and partition (divided by clients x
 * partitions), and whole with the shape, so the report can take the difference of two shapes. Garbage not yet
 * collected counts: it is memory the process holds. It does not judge the figures; the report does.
 */

import type { RecordView } from '@datastreamer/client';
import { startBenchCluster } from './bench-cluster.js';
import { type CaseOutput, figures } from './case-result.js';
import { heapAfterGc } from './heap.js';
import { type TrackEvent, uniformTrackEvents } from './track-events.js';

/** How often the peak memory is sampled, ms. */
const MEMORY_SAMPLE_MS = 5;

/** What one many-clients case is: its clients and the partitions of the table. */
export interface ManyClientsShape {
  readonly clients: number;
  readonly partitions: number;
}

/** The many-clients cases and their shapes. */
export const ManyClientsCases = {
  stream_16p_16c: { clients: 16, partitions: 16 },
  stream_1024p_16c: { clients: 16, partitions: 1024 },
  stream_1000c: { clients: 1000, partitions: 16 },
} as const satisfies Record<string, ManyClientsShape>;

/** `heapUsed + arrayBuffers` now, without collecting first. */
function heapNow(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Streams client `index`'s share of rows `0..rows-1` through `view`; resolves with the items streamed. */
async function streamShare(
  view: RecordView<TrackEvent>,
  index: number,
  clients: number,
  rows: number,
): Promise<number> {
  const base = Math.floor(rows / clients);
  const extra = rows % clients;
  const count = base + (index < extra ? 1 : 0);
  const first = index * base + Math.min(index, extra);
  const summary = await view.streamData(uniformTrackEvents(count, first));
  return summary.items;
}

/**
 * Streams `rows` rows from `shape.clients` clients at once into a fresh 3-node cluster whose table has
 * `shape.partitions` partitions; messages take `networkDelayMs` one way.
 * @throws Error when the summaries do not account for every row.
 */
export async function runManyClients(
  shape: ManyClientsShape,
  rows: number,
  networkDelayMs: number,
): Promise<CaseOutput> {
  const { clients, partitions } = shape;
  const { view, moreViews, stop } = await startBenchCluster(3, networkDelayMs, { partitions });
  try {
    const views = [view, ...(await moreViews(clients - 1))];
    const before = heapAfterGc();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, heapNow());
    }, MEMORY_SAMPLE_MS);
    const start = performance.now();
    let streamed = 0;
    try {
      const counts = await Promise.all(views.map((v, i) => streamShare(v, i, clients, rows)));
      streamed = counts.reduce((sum, n) => sum + n, 0);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - start) / 1000;
    peak = Math.max(peak, heapNow());
    if (streamed !== rows) throw new Error(`streamed ${streamed} of ${rows} rows`);
    const rise = peak - before;
    const peakBytesPerStreamPartition = Math.round(rise / (clients * partitions));
    return {
      ...figures(rows, seconds),
      peakBytesPerStreamPartition,
      peakRise: { bytes: Math.round(rise), clients, partitions },
    };
  } finally {
    await stop();
  }
}
