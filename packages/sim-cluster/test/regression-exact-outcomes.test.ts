// Regressions of issue 13, each the reproduction the issue gave, judged by the checkers (exactOutcomes among
// them) and by reading the table:
// 1. a resumed stream must never be overwritten by its own past (timeout, and cancel, then resume through
//    another client; the failed run's held attempts arrive afterwards);
// 2. failedItems must not hold applied items: what may still apply is in inDoubtItems, and only that;
// 3. (receivers: see receiver-exactly-once.test.ts);
// 7. large rows must not fail the whole stream: batches are bounded by bytes (pageBytes);
// 8. a REMOVE reads only key columns; a receiver stream mixing payload kinds is refused with the item.

import { type Client, DataStreamerError, DataStreamerItem, type RecordView } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { connectTapped } from './streamer-fixtures.js';

interface SeqRow {
  readonly Id: bigint;
  readonly Seq: number;
}

const TABLE = {
  name: 'Plays',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Seq', type: 'INT32' as const },
  ],
  primaryKey: ['Id'],
  partitions: 4,
};

/** `keys` keys, each written `versions` times (seq 1, 2, ...), round robin over the keys. */
function rows(keys: number, versions: number): SeqRow[] {
  const out: SeqRow[] = [];
  for (let version = 1; version <= versions; version++) {
    for (let key = 0; key < keys; key++) out.push({ Id: BigInt(key), Seq: version });
  }
  return out;
}

const judge = { key: (row: SeqRow) => ({ Id: row.Id }), seq: (row: SeqRow) => row.Seq };

/** The seq a streamed item carries (items here are bare rows). */
const seqOf = (item: unknown): number => (item as SeqRow).Seq;

async function setup(seed: number, requestTimeoutMs = 200) {
  const cluster = await SimCluster.start({ nodes: 3, partitions: 4, seed });
  const first = await cluster.connect({ requestTimeoutMs });
  await first.catalog.createTable(TABLE);
  const second = await cluster.connect({ requestTimeoutMs });
  const view = async (client: Client): Promise<RecordView<SeqRow>> => {
    const table = await client.tables.table('Plays');
    if (table === null) throw new Error('no table Plays');
    return table.recordView<SeqRow>();
  };
  return { cluster, first, second, firstView: await view(first), secondView: await view(second) };
}

/** A source over `items` that runs `onFirstPull` when the streamer first pulls (the stream is open by then). */
function* startingWith<T>(items: readonly T[], onFirstPull: () => void): Generator<T> {
  onFirstPull();
  yield* items;
}

/** The final `Seq` of every key, read from the table. */
async function finalSeqs(cluster: SimCluster): Promise<Map<bigint, number>> {
  const table = await cluster.readTable('Plays');
  return new Map(table.map((row) => [row['Id'] as bigint, row['Seq'] as number]));
}

describe('Regression: a resumed stream is overwritten by its own past (issue 13, item 1)', () => {
  for (const cause of ['timeout', 'cancel'] as const) {
    it(`keeps the resume's writes when the failed run's held attempts arrive after it (${cause})`, async () => {
      const { cluster, first, second, firstView, secondView } = await setup(1301);
      await using _ = cluster;
      const items = rows(8, 4);
      const controller = new AbortController();
      // The link of the first client to node-2 holds everything for 30 s from the first pull on.
      const source = startingWith(items, () => {
        cluster.network.clog([cluster.clientName(first), 'node-2'], 30_000);
        if (cause === 'cancel') cluster.clock.setTimer(300, () => controller.abort());
      });
      const options = {
        pageSize: 4,
        retryLimit: cause === 'timeout' ? 2 : -1,
        producerId: 'album-import',
        ...(cause === 'cancel' ? { signal: controller.signal } : {}),
      };
      const failure = await cluster.stream(firstView, source, { client: first, seq: seqOf }, options).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DataStreamerError);
      const error = failure as DataStreamerError<SeqRow>;
      expect(error.code).toBe(cause === 'timeout' ? 'REQUEST_TIMEOUT' : 'CANCELLED');
      expect(error).toMatchObject({ producerId: 'album-import', epoch: 1 });
      // Every partition node-2 owns was sealed through another node: nothing is in doubt.
      expect(error.inDoubtItems).toEqual([]);
      expect(error.failedItems.length).toBeGreaterThan(0);

      // Resume as the README says: the failed items, then the rest (the source was read to its end here).
      const summary = await cluster.stream(
        secondView,
        [...error.failedItems],
        { client: second, seq: seqOf, producer: cluster.clientName(first) },
        { producerId: 'album-import' },
      );
      expect(summary.epoch).toBe(2);
      const expected = new Map(items.map((row) => [row.Id, 4]));
      expect(await finalSeqs(cluster)).toEqual(expected);

      // The held attempts of the failed run arrive now: all refused, nothing goes back in time.
      await cluster.clock.sleep(31_000);
      expect(await finalSeqs(cluster)).toEqual(expected);
      expect(cluster.node('node-2').metrics().fencedBatches).toBeGreaterThan(0);
      const verdict = cluster.check(judge);
      expect(verdict.report).toContain('exactOutcomes: passed');
      expect(verdict.valid, verdict.report).toBe(true);
    });
  }
});

describe('Regression: failedItems holds applied items (issue 13, item 2)', () => {
  it('reports in doubt what a paused node may still apply, and nothing else applies', async () => {
    const cluster = await SimCluster.start({ nodes: 1, partitions: 4, seed: 1302 });
    await using _ = cluster;
    const client = await cluster.connect({ requestTimeoutMs: 100 });
    await client.catalog.createTable(TABLE);
    const view = (await client.tables.table('Plays'))?.recordView<SeqRow>() as RecordView<SeqRow>;
    const items = rows(10, 4);
    const source = startingWith(items, () => cluster.pauseNode('node-1', 5_000));
    const failure = await cluster
      .stream(view, source, { client, seq: seqOf }, { pageSize: 5, retryLimit: 1 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const error = failure as DataStreamerError<SeqRow>;
    expect(error).toBeInstanceOf(DataStreamerError);
    // The only node is paused: the seals could not get through, so what was sent is in doubt.
    expect(error.inDoubtItems.length).toBeGreaterThan(0);
    await cluster.clock.sleep(6_000);
    const stored = await cluster.readTable('Plays');
    const inDoubt = new Set(error.inDoubtItems);
    const certain = (error.failedItems as readonly SeqRow[]).filter((item) => !inDoubt.has(item));
    // What the paused node applied once it woke up came from the batches in doubt, and only from them.
    for (const row of stored) {
      const id = row['Id'] as bigint;
      expect(certain.some((item) => item.Id === id && item.Seq === row['Seq'])).toBe(false);
    }
    expect(cluster.check(judge).valid).toBe(true);
  });

  it('makes a lost answer certain after one disconnect, with retryLimit 0', async () => {
    const cluster = await SimCluster.start({ nodes: 3, partitions: 4, seed: 1303 });
    await using _ = cluster;
    const { client, tap } = await connectTapped(cluster, { requestTimeoutMs: 300 });
    await using _client = client;
    await client.catalog.createTable(TABLE);
    const view = (await client.tables.table('Plays'))?.recordView<SeqRow>() as RecordView<SeqRow>;
    // The second batch is applied, then its connection resets: its answer is lost.
    let batches = 0;
    tap.decide = (request) =>
      request.op === 'STREAMER_BATCH_SEND' && ++batches === 2 ? 'resetAfter' : 'send';
    const items = rows(8, 2);
    const failure = await cluster
      .stream(view, items, { client: tap.name, seq: seqOf }, { pageSize: 2, retryLimit: 0 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const error = failure as DataStreamerError<SeqRow>;
    expect(error).toBeInstanceOf(DataStreamerError);
    expect(error.code).toBe('CONNECTION_LOST');
    // The seal said the batch applied: it is not reported, and nothing is in doubt.
    expect(error.inDoubtItems).toEqual([]);
    await cluster.clock.sleep(1_000);
    const stored = await cluster.readTable('Plays');
    const applied = items.filter((item) => !error.failedItems.includes(item));
    expect(applied.length).toBeGreaterThan(0);
    for (const item of error.failedItems as readonly SeqRow[]) {
      // A failed item's version is never the stored one.
      expect(stored.some((row) => row['Id'] === item.Id && row['Seq'] === item.Seq)).toBe(false);
    }
    const verdict = cluster.check(judge);
    expect(verdict.valid, verdict.report).toBe(true);
    expect(verdict.exactOutcomes.counts.reportedApplied).toBeGreaterThan(0);
  });
});

describe('Regression: items of a failed stream are reported with the key they carry', () => {
  it('removes with a payload that names unknown columns (only the key is read)', async () => {
    const cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 1304 });
    await using _ = cluster;
    const client = await cluster.connect();
    await client.catalog.createTable(TABLE);
    const view = (await client.tables.table('Plays'))?.recordView<SeqRow>() as RecordView<SeqRow>;
    await view.streamData([{ Id: 1n, Seq: 1 }]);
    const extra = { Id: 1n, Seq: 2, Comment: 'not a column' } as unknown as SeqRow;
    await view.streamData([DataStreamerItem.removed(extra)]);
    expect(await cluster.readTable('Plays')).toEqual([]);
  });
});

describe('Regression: large rows fail the whole stream (issue 13, item 7)', () => {
  it('streams rows of 20 KB with the default options, in batches under the frame limit', async () => {
    // One partition: the default page of 1,000 such rows would be a 20 MB batch, over the 16 MB frame limit.
    const cluster = await SimCluster.start({ nodes: 3, partitions: 1, seed: 1307 });
    await using _ = cluster;
    const client = await cluster.connect();
    await client.catalog.createTable({
      name: 'Blobs',
      columns: [
        { name: 'Id', type: 'INT64' },
        { name: 'Body', type: 'BYTES' },
      ],
      primaryKey: ['Id'],
    });
    const view = (await client.tables.table('Blobs'))?.recordView<{ Id: bigint; Body: Uint8Array }>();
    if (view === undefined) throw new Error('no table Blobs');
    const body = new Uint8Array(20_000).fill(7);
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ Id: BigInt(i), Body: body }));
    const batchBytes: number[] = [];
    const summary = await view.streamData(rows, { onBatch: (info) => void batchBytes.push(info.bytes) });
    expect(summary.items).toBe(1_000);
    expect(summary.batches).toBeGreaterThanOrEqual(5);
    // Each request stays under the default pageBytes (4 MiB) plus its envelope, far under the 16 MiB frame.
    expect(Math.max(...batchBytes)).toBeLessThan(4 * 1024 * 1024 + 64 * 1024);
    expect((await cluster.readTable('Blobs')).length).toBe(1_000);
  });

  it('fails only from the row larger than pageBytes, naming its position', async () => {
    const cluster = await SimCluster.start({ nodes: 1, partitions: 1, seed: 1308 });
    await using _ = cluster;
    const client = await cluster.connect();
    await client.catalog.createTable({
      name: 'Blobs',
      columns: [
        { name: 'Id', type: 'INT64' },
        { name: 'Body', type: 'BYTES' },
      ],
      primaryKey: ['Id'],
    });
    const view = (await client.tables.table('Blobs'))?.recordView<{ Id: bigint; Body: Uint8Array }>();
    if (view === undefined) throw new Error('no table Blobs');
    const rows = Array.from({ length: 10 }, (_, i) => ({
      Id: BigInt(i),
      Body: new Uint8Array(i === 6 ? 70_000 : 1_000),
    }));
    const error = await view.streamData(rows, { pageSize: 2, pageBytes: 64 * 1024 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataStreamerError);
    const failure = error as DataStreamerError<{ Id: bigint }>;
    expect(failure.code).toBe('ROW_TOO_LARGE');
    expect(failure.message).toContain('item 6 of the source');
    // The large row and what the stream had read after it; everything before it applied.
    expect(failure.failedItems[0]?.Id).toBe(6n);
    expect(failure.failedItems.every((row) => row.Id >= 6n)).toBe(true);
    expect((await cluster.readTable('Blobs')).map((row) => row['Id'])).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });
});
