// Run: node --conditions=@datastreamer/source --import tsx examples/crash-restart-check.ts
//
// Crash a node while a stream runs, restart it, and let the checkers judge the recorded history: nothing
// acknowledged lost, no key gone back to an older value, the final table as the last writes left it.
//
// While node-2 is down its partitions are unavailable: batches for them are retried (with backoff) until it
// is back, and the streamer stops pulling the source once their buffers are full. So the restart is
// scheduled on the cluster's clock beside the stream, never from inside the source (a source that waits for
// the restart would wait for a pull that never comes).
import { healCluster, runSchedule, SimCluster } from '@datastreamer/sim-cluster';

interface Reading {
  Sensor: number;
  Seq: number; // the producer's per-key sequence number: the checkers read it back from the rows
  Value: number;
}

const cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 7 });
try {
  const client = await cluster.connect();
  const table = await client.catalog.createTable({
    name: 'Readings',
    columns: [
      { name: 'Sensor', type: 'INT32' },
      { name: 'Seq', type: 'INT32' },
      { name: 'Value', type: 'DOUBLE' },
    ],
    primaryKey: ['Sensor'],
  });
  const readings = table.recordView<Reading>();

  // 20 rounds over 200 sensors: each key is written 20 times, so a late or reordered write would show.
  function* rows(): Generator<Reading> {
    for (let seq = 1; seq <= 20; seq++) {
      for (let sensor = 0; sensor < 200; sensor++) yield { Sensor: sensor, Seq: seq, Value: sensor * seq };
    }
  }

  // Faults on the cluster's clock, beside the stream: crash at 20 ms, restart 500 ms later.
  const faults = runSchedule(cluster, [
    { atMs: 20, fault: { kind: 'crash', node: 'node-2' } },
    { atMs: 520, fault: { kind: 'restart', node: 'node-2' } },
  ]);
  // cluster.stream is view.streamData plus a record of every submit and ack in cluster.history.
  const summary = await cluster.stream(
    readings,
    rows(),
    { client, seq: (row) => row.Seq },
    { pageSize: 50, autoFlushInterval: 10 },
  );
  await faults;
  await healCluster(cluster);
  console.log(`${summary.items} items, ${summary.retries} retries, ${summary.rerouted} rerouted`);

  const verdict = cluster.check(readings, { key: (row) => ({ Sensor: row.Sensor }), seq: (row) => row.Seq });
  console.log(verdict.report);
  if (!verdict.valid || summary.retries === 0) process.exitCode = 1;
} finally {
  await cluster.stop();
}
