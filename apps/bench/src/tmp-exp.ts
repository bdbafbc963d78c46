import { SimCluster } from '@datastreamer/sim-cluster';
import { trackEventsTable, uniformTrackEvents } from './track-events.js';

const snap = Number(process.argv[2] ?? 4096);
const cluster = await SimCluster.start({
  clock: 'real',
  nodes: 3,
  partitions: 16,
  seed: 1,
  history: 'off',
  networkDelayMs: [1, 1],
  replicas: 3,
  replication: { snapshotEveryEntries: snap },
});
const client = await cluster.connect();
const table = await client.catalog.createTable({
  ...trackEventsTable,
  columns: [...trackEventsTable.columns],
  primaryKey: [...trackEventsTable.primaryKey],
});
for (let p = 0; p < 16; p++) await cluster.primaryOf('TrackEvents', p);
const t0 = performance.now();
const s = await table.recordView().streamData(uniformTrackEvents(1_000_000));
const secs = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    snap,
    secs,
    rps: Math.round(1e6 / secs),
    retries: s.retries,
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
    extMB: Math.round(process.memoryUsage().arrayBuffers / 1e6),
  }),
);
await cluster.stop();
