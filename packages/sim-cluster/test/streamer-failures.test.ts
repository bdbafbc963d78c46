// How a stream survives, or ends, when things go wrong, against a simulated cluster: lost connections are
// retried until every item is stored; exhausted retries and refused rows end the stream with a
// `DataStreamerError` whose `failedItems` are exactly the items taken and not applied; a failed stream's
// publisher refuses more items; bad options are refused before any request leaves.
//
// "Exactly the items not applied" is checked against the source: every item the streamer pulled is either
// in the table or in `failedItems` (in source order), never both. Requests are dropped before they reach a
// node in those tests, so no item can be applied and reported at once.

import {
  ClientError,
  DataStreamerError,
  type DataStreamerOptions,
  InvalidOptionError,
  StreamerPublisher,
} from '@datastreamer/client';
import { InvalidValueError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  byId,
  CountingSource,
  connectTapped,
  createTable,
  type ItemRow,
  itemRow,
  itemsTable,
  requestsAtNodes,
} from './streamer-fixtures.js';

/** The stream's rejection, which must be a `DataStreamerError`. */
async function streamError(done: Promise<unknown>): Promise<DataStreamerError<unknown>> {
  const error = await done.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DataStreamerError))
    throw new Error(`expected a DataStreamerError, got ${String(error)}`);
  return error;
}

/** Checks that the taken items split exactly into stored rows and `failed`, with `failed` in source order. */
function expectAppliedOrFailed(
  taken: readonly unknown[],
  failed: readonly unknown[],
  stored: ReadonlyMap<unknown, unknown>,
) {
  const failedSet = new Set(failed);
  expect(failedSet.size).toBe(failed.length);
  const expectedFailed = taken.filter((item) => failedSet.has(item));
  expect(failed).toEqual(expectedFailed);
  for (const item of taken) {
    const row = item as { Id?: unknown };
    if (failedSet.has(item)) expect(stored.has(row.Id)).toBe(false);
    else expect(stored.get(row.Id)).toEqual(item);
  }
  expect(stored.size).toBe(taken.length - failed.length);
}

describe('DataStreamer failures', () => {
  it('stores every item when the connection drops on every fifth request', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 41 });
    const { client, tap } = await connectTapped(cluster);
    await using _client = client;
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    let resets = 0;
    // Half the resets lose the request before the node sees it, half lose the answer after it applied.
    tap.decide = (request) => {
      if (request.op !== 'STREAMER_BATCH_SEND' || (request.index + 1) % 5 !== 0) return 'send';
      resets++;
      return resets % 2 === 0 ? 'resetAfter' : 'resetBefore';
    };
    const rows = Array.from({ length: 2000 }, (_, i) => itemRow(i));

    const summary = await view.streamData(rows, { pageSize: 50 });

    expect(resets).toBeGreaterThanOrEqual(8);
    expect(summary.retries).toBeGreaterThanOrEqual(resets);
    expect(summary.items).toBe(2000);
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(2000);
    for (const row of rows) expect(stored.get(row.Id)).toEqual(row);
  });

  it('rejects once retries are exhausted, with failedItems exactly the items not applied', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 42 });
    const { client, tap } = await connectTapped(cluster, { requestTimeoutMs: 200 });
    await using _client = client;
    const view = (await createTable(client, itemsTable('Items', 4))).recordView<ItemRow>();
    // Partition 2 never answers: each of its attempts times out.
    tap.decide = (request) =>
      request.op === 'STREAMER_BATCH_SEND' && request.partition === 2 ? 'swallow' : 'send';
    const source = new CountingSource(Array.from({ length: 300 }, (_, i) => itemRow(i)));

    const error = await streamError(view.streamData(source, { pageSize: 10, retryLimit: 2 }));

    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(error.message).toMatch(/partition 2 failed after 3 attempt/);
    const attempts = tap.requests.filter((r) => r.op === 'STREAMER_BATCH_SEND' && r.partition === 2);
    expect(attempts).toHaveLength(3);
    expect(error.failedItems.length).toBeGreaterThanOrEqual(10);
    expectAppliedOrFailed(source.taken(), error.failedItems, byId(await cluster.readTable('Items')));
  });

  const badRows: readonly { readonly label: string; readonly row: object; readonly column: string }[] = [
    { label: 'without a key column', row: { Name: 'no key', Score: 1 }, column: 'Id' },
    { label: 'with a value of the wrong type', row: { Id: 7777n, Name: 42, Score: 1 }, column: 'Name' },
    { label: 'with null in a non-nullable column', row: { Id: 7777n, Name: null, Score: 1 }, column: 'Name' },
    {
      label: 'with a property that is no column',
      row: { Id: 7777n, Name: 'x', Colour: 'red' },
      column: 'Colour',
    },
  ];

  it.each(badRows)(
    'rejects a row $label naming the column, with the row in failedItems',
    async ({ row, column }) => {
      await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 43 });
      const client = await cluster.connect();
      const view = (await createTable(client, itemsTable())).recordView<object>();
      const items: object[] = Array.from({ length: 100 }, (_, i) => itemRow(i));
      items.splice(50, 0, row);
      const source = new CountingSource(items);

      const error = await streamError(view.streamData(source, { pageSize: 8 }));

      expect(error.code).toBe('INVALID_ROW');
      expect(error.cause).toBeInstanceOf(InvalidValueError);
      expect((error.cause as InvalidValueError).column).toBe(column);
      expect(error.message).toContain(column);
      expect(error.failedItems).toContain(row);
      const stored = byId(await cluster.readTable('Items'));
      expect(stored.has(7777n)).toBe(false);
      expectAppliedOrFailed(source.taken(), error.failedItems, stored);
    },
  );

  it('refuses more items from a StreamerPublisher after the stream failed', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 44 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<object>();
    const publisher = new StreamerPublisher<object>();
    const done = view.streamData(publisher, { pageSize: 4 });
    await publisher.submit(itemRow(1));
    await publisher.submit({ Id: 2n, Name: null });

    const error = await streamError(done);
    const refused = await publisher.submit(itemRow(3)).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error.failedItems).toEqual([itemRow(1), { Id: 2n, Name: null }]);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).toMatchObject({ code: 'CLOSED', message: expect.stringMatching(/streamer is closed/) });
    expect(await cluster.readTable('Items')).toEqual([]);
  });

  const badOptions: readonly { readonly option: string; readonly options: unknown }[] = [
    { option: 'pageSize', options: { pageSize: 0 } },
    { option: 'pageSize', options: { pageSize: -5 } },
    { option: 'pageSize', options: { pageSize: 2.5 } },
    { option: 'perPartitionParallelOperations', options: { perPartitionParallelOperations: 0 } },
    { option: 'retryLimit', options: { retryLimit: 1.5 } },
    { option: 'autoFlushInterval', options: { autoFlushInterval: '5s' } },
    { option: 'maxBufferedItems', options: { maxBufferedItems: 0 } },
    { option: 'retryBackoff.jitter', options: { retryBackoff: { jitter: 2 } } },
    { option: 'pagesize', options: { pagesize: 10 } },
  ];

  it.each(badOptions)('refuses $options before anything is pulled or sent', async ({ option, options }) => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 45 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    const source = new CountingSource([itemRow(1), itemRow(2)]);
    await cluster.clock.sleep(10);
    const requestsBefore = requestsAtNodes(cluster);

    const error = await view.streamData(source, options as DataStreamerOptions).then(
      () => undefined,
      (e: unknown) => e,
    );
    await cluster.clock.sleep(1000);

    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as InvalidOptionError).message).toContain(option);
    expect(source.pulled).toBe(0);
    expect(requestsAtNodes(cluster)).toBe(requestsBefore);
  });
});
