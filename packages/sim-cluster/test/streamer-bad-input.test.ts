// Bad input to a stream against a simulated cluster: a table that does not exist is reported as such
// before any stream starts; a source that throws mid-stream ends the stream with a clear error, and every
// item it had produced is either stored or in `failedItems`, in source order.

import { DataStreamerError } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { byId, createTable, type ItemRow, itemRow, itemsTable } from './streamer-fixtures.js';

/** A source that yields `count` rows, then throws; `produced` holds what it yielded. */
function throwingAfter(count: number, kind: 'sync' | 'async') {
  const produced: ItemRow[] = [];
  const failure = new Error(`source broke after ${count} rows`);
  function* sync(): Generator<ItemRow> {
    for (let i = 0; i < count; i++) {
      const row = itemRow(i);
      produced.push(row);
      yield row;
    }
    throw failure;
  }
  async function* async(): AsyncGenerator<ItemRow> {
    yield* sync();
  }
  return { source: kind === 'sync' ? sync() : async(), produced, failure };
}

describe('DataStreamer bad input', () => {
  it('finds no table under an unknown name', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 61 });
    const client = await cluster.connect();
    await createTable(client, itemsTable());

    expect(await client.tables.table('NoSuchTable')).toBeNull();
    expect(await client.tables.table('items')).toBeNull();
    expect(await client.tables.table('Items')).not.toBeNull();
  });

  it.each(['sync', 'async'] as const)(
    'ends with a clear error and full accounting when a %s source throws mid-stream',
    async (kind) => {
      await using cluster = await SimCluster.start({ nodes: 3, partitions: 4, seed: 62 });
      const client = await cluster.connect();
      const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
      const { source, produced, failure } = throwingAfter(250, kind);

      const error = await view.streamData(source, { pageSize: 20 }).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(DataStreamerError);
      const streamError = error as DataStreamerError<ItemRow>;
      expect(streamError.code).toBe('SOURCE_FAILED');
      expect(streamError.cause).toBe(failure);
      expect(streamError.message).toContain('the source failed');
      expect(streamError.message).toContain(failure.message);
      expect(produced).toHaveLength(250);
      const stored = byId(await cluster.readTable('Items'));
      const failed = new Set(streamError.failedItems);
      expect(streamError.failedItems).toEqual(produced.filter((row) => failed.has(row)));
      expect(failed.size + stored.size).toBe(250);
      for (const row of produced) {
        if (failed.has(row)) expect(stored.has(row.Id)).toBe(false);
        else expect(stored.get(row.Id)).toEqual(row);
      }
    },
  );
});
