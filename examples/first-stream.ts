// Run: node --conditions=@datastreamer/source --import tsx examples/first-stream.ts
//
// A first stream: a three-node cluster in this process (simulated network, virtual time), a table, ten
// thousand play events streamed into it from an async generator, and the rows read back. Copy it, change
// the table and the rows, keep the shape.
import { DataStreamerError, DataStreamerItem } from '@datastreamer/client';
import { SimCluster } from '@datastreamer/sim-cluster';

interface Play {
  EventId: bigint;
  UserId: number;
  TrackId: number;
  Duration?: bigint | null;
}

const cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 42 });
try {
  const client = await cluster.connect(); // one client, connected to every node
  const table = await client.catalog.createTable({
    name: 'Plays',
    columns: [
      { name: 'EventId', type: 'INT64' },
      { name: 'UserId', type: 'INT32' },
      { name: 'TrackId', type: 'INT32' },
      { name: 'Duration', type: 'INT64', nullable: true, default: 0 },
    ],
    primaryKey: ['EventId'],
  });
  const plays = table.recordView<Play>();

  // The streamer pulls from the source only when it has room: the generator never runs ahead of it.
  async function* events(count: number): AsyncGenerator<Play | DataStreamerItem<Partial<Play>>> {
    for (let i = 0; i < count; i++) {
      yield { EventId: BigInt(i), UserId: i % 97, TrackId: i % 13 }; // a bare row is a PUT
    }
    yield DataStreamerItem.removed({ EventId: 7n }); // a REMOVE names the key columns only
  }

  const summary = await plays.streamData(events(10_000), { pageSize: 500 });
  console.log(
    `streamed ${summary.items} items in ${summary.batches} batches over ${summary.partitionsUsed} partitions ` +
      `(${summary.retries} retries, at most ${summary.peakBufferedItems} items held of a bound of ${summary.bufferBound})`,
  );

  // When streamData resolves, every item is applied and readable.
  const stored = await cluster.readTable('Plays');
  const one = await plays.get({ EventId: 42n });
  console.log(`${stored.length} rows stored; EventId 42:`, one);
  if (stored.length !== 9_999 || one?.Duration !== 0n || (await plays.get({ EventId: 7n })) !== null) {
    throw new Error('the table does not hold what was streamed');
  }
} catch (error) {
  // A stream that fails says why (code, message) and which source items were not applied.
  if (error instanceof DataStreamerError) console.error(error.code, error.failedItems.length, 'items failed');
  throw error;
} finally {
  await cluster.stop();
}
