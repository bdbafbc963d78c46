// Run: node --conditions=@datastreamer/source --import tsx examples/resume-after-failure.ts
//
// Resume a stream that failed. With few retries and a node down, batches for that node's partitions fail for
// good and the stream rejects with a DataStreamerError. Before rejecting it seals its run on the partitions
// where a batch's outcome was unknown, so `failedItems` are exactly the source items not known to be applied,
// in source order (`inDoubtItems`, the few whose partition could not be sealed, are among them), and the
// source is not pulled past what was taken. Resuming is: the failed items, then the rest of the source, in a
// new stream of the same `producerId`, once the node is back. Its newer epoch makes every partition refuse the
// failed run's late attempts, and per key the last write still wins: a failed item's later writes to the same
// key are failed too (they are queued behind it in the same partition). Resumed on the same client, as here,
// items in doubt are exact too: the client seals their partitions first and does not write again those that
// turned out applied.
import { DataStreamerError } from '@datastreamer/client';
import { SimCluster } from '@datastreamer/sim-cluster';

interface Balance {
  Account: number;
  Amount: bigint;
}

const cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed: 11 });
try {
  const client = await cluster.connect();
  const table = await client.catalog.createTable({
    name: 'Balances',
    columns: [
      { name: 'Account', type: 'INT32' },
      { name: 'Amount', type: 'INT64' },
    ],
    primaryKey: ['Account'],
  });
  const balances = table.recordView<Balance>();

  // The source remembers how far it got, so the rest can be produced again after a failure.
  const ROUNDS = 5;
  const ACCOUNTS = 300;
  let produced = 0;
  function* updates(from: number): Generator<Balance> {
    for (let i = from; i < ROUNDS * ACCOUNTS; i++) {
      produced = i + 1;
      yield { Account: i % ACCOUNTS, Amount: BigInt(i) };
    }
  }

  const producerId = 'balance-import'; // the same producer for the run and its resume
  cluster.crashNode('node-2'); // its partitions are unavailable until it restarts
  let failed: readonly Balance[] = [];
  try {
    await balances.streamData(updates(0), { producerId, pageSize: 40, retryLimit: 2 });
    throw new Error('the stream was expected to fail with node-2 down');
  } catch (error) {
    if (!(error instanceof DataStreamerError)) throw error;
    failed = error.failedItems as readonly Balance[];
    console.log(
      `failed (${error.code}): ${failed.length} items not applied (${error.inDoubtItems.length} in doubt), ` +
        `${produced} taken from the source`,
    );
  }

  await cluster.restartNode('node-2');
  const from = produced;
  function* resume(): Generator<Balance> {
    yield* failed;
    yield* updates(from);
  }
  const resumed = await balances.streamData(resume(), { producerId, pageSize: 40 });
  console.log(`resumed: ${resumed.items} items applied`);

  // Every account ends with its last update: round ROUNDS - 1.
  const rows = await cluster.readTable('Balances');
  const wrong = rows.filter((r) => r['Amount'] !== BigInt((ROUNDS - 1) * ACCOUNTS + Number(r['Account'])));
  console.log(`${rows.length} accounts, ${wrong.length} with a wrong final amount`);
  if (rows.length !== ACCOUNTS || wrong.length > 0 || failed.length === 0) process.exitCode = 1;
} finally {
  await cluster.stop();
}
