// The metastorage (issue 15) on a simulated cluster: the catalog commits in a Raft group over the first three
// nodes and every node learns it by watching, applying each revision once and in order, across cuts; a node
// cut off from the metastorage keeps its stale copy, and what it cannot serve from it waits and retries
// instead of being applied against an older schema; the metastorage's leader cut off, or its majority lost,
// are faults the cluster rides out.

import { type MetaEvent, registerProducer } from '@datastreamer/server-node/internal';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { applyFault } from '../src/faults/apply-fault.js';
import { byId, createTable, type ItemRow, itemRow, itemsTable, tableOf } from './streamer-fixtures.js';

interface TaggedRow extends ItemRow {
  readonly Tag?: string;
}

const TAG_COLUMN = { name: 'Tag', type: 'STRING', nullable: true, default: 'untagged' } as const;

/** Sleeps on the cluster's clock until `done` holds (at most `maxMs`). */
async function until(cluster: SimCluster, done: () => boolean, maxMs = 10_000): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited >= maxMs) throw new Error(`not reached within ${maxMs} ms`);
    await cluster.clock.sleep(5);
  }
}

function copyOf(cluster: SimCluster, node: string) {
  const metastorage = cluster.node(node).metastorage;
  if (metastorage === undefined) throw new Error(`${node} has no metastorage`);
  return metastorage;
}

describe('Metastorage', () => {
  it('commits catalog changes in a group over the first three nodes, and every node learns them by version', async () => {
    await using cluster = await SimCluster.start({ nodes: 5, partitions: 4, seed: 1501 });
    expect(cluster.metastorageNodes).toEqual(['node-1', 'node-2', 'node-3']);
    expect(cluster.node('node-4').metastorage?.isMember).toBe(false);
    const admin = await cluster.connect({ nodes: ['node-5'] });
    const created = await createTable(admin, itemsTable('Items', 4));
    await admin.catalog.addColumn('Items', TAG_COLUMN);
    const leader = cluster.metastorageLeader();
    expect(leader).toBeDefined();
    const revision = copyOf(cluster, leader as string).view.revision;
    await until(cluster, () => cluster.nodes.every((n) => copyOf(cluster, n).view.revision === revision));
    for (const name of cluster.nodes) {
      expect(cluster.node(name).metastorage?.view.revision, name).toBe(revision);
    }
    // Each node's own catalog copy holds both versions, with the id the metastorage handed out.
    const client = await cluster.connect({ nodes: ['node-3'] });
    const table = await tableOf(client, 'Items');
    expect(table.id).toBe(created.id);
    const view = table.recordView<TaggedRow>();
    await view.upsert({ ...itemRow(1), Tag: 'new' });
    expect((await view.get({ Id: 1n }))?.Tag).toBe('new');
  });

  it('delivers every revision to a watching node once and in order, across a cut and a heal', async () => {
    await using cluster = await SimCluster.start({ nodes: 4, partitions: 2, seed: 1502 });
    const watcher = copyOf(cluster, 'node-4');
    const seen: MetaEvent[] = [];
    watcher.view.subscribe((event) => seen.push(event));
    const admin = await cluster.connect({ nodes: ['node-1'] });
    await createTable(admin, itemsTable('Before', 2));
    cluster.network.partition(['node-4'], ['node-1', 'node-2', 'node-3']);
    const failuresBefore = watcher.watchFailures;
    for (const name of ['During1', 'During2', 'During3']) await createTable(admin, itemsTable(name, 2));
    await admin.catalog.addColumn('During1', TAG_COLUMN);
    await cluster.clock.sleep(2_000);
    const stale = watcher.view.revision;
    const leader = cluster.metastorageLeader() as string;
    const group = cluster.node(leader).metastorage?.group;
    expect(stale).toBeLessThan(group?.kv.revision ?? 0);
    expect(watcher.watchFailures).toBeGreaterThan(failuresBefore);
    cluster.network.heal();
    await until(cluster, () => watcher.view.revision === group?.kv.revision);
    // Exactly the leader's changes, each once, in revision order.
    const all = group?.kv.since('', 0);
    expect(all?.kind).toBe('events');
    if (all?.kind === 'events') expect(seen).toEqual(all.events);
    expect(
      cluster
        .node('node-4')
        .metastorage?.view.range('catalog/name/')
        .map((e) => e.key),
    ).toEqual([
      'catalog/name/Before',
      'catalog/name/During1',
      'catalog/name/During2',
      'catalog/name/During3',
    ]);
  });

  it('keeps a node cut off from the metastorage on its stale copy; what it cannot serve waits, and nothing applies twice or out of order', async () => {
    await using cluster = await SimCluster.start({ nodes: 5, partitions: 8, seed: 1503 });
    const admin = await cluster.connect({ nodes: ['node-1'] });
    await createTable(admin, itemsTable('Items', 8));
    const tableId = cluster.controlPlane.catalog.latest('Items')?.tableId as number;
    await until(
      cluster,
      () => cluster.node('node-4').metastorage?.view.revision === copyOf(cluster, 'node-1').view.revision,
    );
    const owned = [...Array(8).keys()].filter(
      (p) => cluster.controlPlane.placement.owner(tableId, p) === 'node-4',
    );
    expect(owned.length).toBeGreaterThan(0);

    // node-4 loses the metastorage (not its clients); a column is added meanwhile.
    cluster.network.partition(['node-4'], ['node-1', 'node-2', 'node-3']);
    await admin.catalog.addColumn('Items', TAG_COLUMN);
    // The writer reaches node-5, which forwards node-4's batches to it (a producer registers through the
    // metastorage, so a stream cannot start on a node cut off from it).
    const writer = await cluster.connect({ nodes: ['node-5'] });
    const view = (await tableOf(writer, 'Items')).recordView<TaggedRow>();
    const rows = Array.from({ length: 200 }, (_, i) => ({ ...itemRow(i), Tag: `t${i}` }));
    const done = view.streamData(rows, { pageSize: 10, retryLimit: -1 });
    await cluster.clock.sleep(1_500);
    // Still cut off: node-4 serves from version 1 and refused every batch written with version 2.
    expect(copyOf(cluster, 'node-4').view.revision).toBeLessThan(copyOf(cluster, 'node-1').view.revision);
    const appliedOnStale = () =>
      cluster.history.ofType('apply').filter((e) => e.table === 'Items' && owned.includes(e.partition));
    expect(appliedOnStale()).toEqual([]);
    // It met requests from a newer catalog and tried to catch up (its metastorage unreachable).
    expect(copyOf(cluster, 'node-4').syncs).toBeGreaterThan(0);
    cluster.network.heal();
    const summary = await done;
    expect(summary.items).toBe(200);
    expect(appliedOnStale().length).toBeGreaterThan(0);
    // Every row once, written with the new column: none applied twice, none against the old schema.
    const applies = cluster.history.ofType('apply').filter((e) => e.table === 'Items');
    expect(applies).toHaveLength(200);
    expect(new Set(applies.map((e) => e.key)).size).toBe(200);
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(200);
    for (const row of rows) expect(stored.get(row.Id)?.['Tag']).toBe(row.Tag);
    const storedRows = cluster.checkStoredRows();
    expect(storedRows.valid, storedRows.report).toBe(true);
  });

  it('elects another metastorage leader when its leader is cut off, and commits catalog changes through it', async () => {
    await using cluster = await SimCluster.start({ nodes: 4, partitions: 2, seed: 1504 });
    const before = cluster.metastorageLeader();
    await applyFault(cluster, { kind: 'isolateMetastorageLeader' });
    const admin = await cluster.connect({ nodes: ['node-4'] });
    await createTable(admin, itemsTable('AfterCut', 2));
    const after = cluster.metastorageLeader();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(cluster.history.ofType('fault').some((e) => e.kind === 'isolateMetastorageLeader')).toBe(true);
    // The old leader still reaches clients and answers from its stale copy until the heal.
    expect(copyOf(cluster, before as string).view.get('catalog/name/AfterCut')).toBeUndefined();
    cluster.network.heal();
    await until(
      cluster,
      () => copyOf(cluster, before as string).view.get('catalog/name/AfterCut') !== undefined,
    );
  });

  it('refuses catalog changes with the retryable NO_QUORUM while its majority is lost, and serves the tables it has', async () => {
    await using cluster = await SimCluster.start({ nodes: 5, partitions: 4, seed: 1505 });
    // Longer than the node's 10 s of trying to reach a metastorage leader.
    const admin = await cluster.connect({ nodes: ['node-5'], requestTimeoutMs: 30_000 });
    await createTable(admin, itemsTable('Items', 4));
    await until(cluster, () =>
      cluster.nodes.every(
        (n) => copyOf(cluster, n).view.revision === copyOf(cluster, 'node-5').view.revision,
      ),
    );
    await applyFault(cluster, { kind: 'loseMetastorageMajority' });
    const error = await createTable(admin, itemsTable('Refused', 4)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'NO_QUORUM', retryable: true });
    expect(String((error as Error).message)).toContain('metastorage');
    cluster.network.heal();
    await createTable(admin, itemsTable('Accepted', 4));
    expect(cluster.controlPlane.catalog.latest('Accepted')).toBeDefined();
  });

  it("numbers a producer's runs through the metastorage, whichever nodes register them, once per run", async () => {
    await using cluster = await SimCluster.start({ nodes: 5, partitions: 2, seed: 1506 });
    const at = (node: string) => copyOf(cluster, node);
    expect(await registerProducer(at('node-4'), 'albums', 'run-1')).toBe(1);
    // Two nodes at once: one compare loses, catches up, and takes the next epoch.
    const [second, third] = await Promise.all([
      registerProducer(at('node-2'), 'albums', 'run-2'),
      registerProducer(at('node-5'), 'albums', 'run-3'),
    ]);
    expect([second, third].sort()).toEqual([2, 3]);
    // The same run again (a retried registration) gets its epoch back, on any node.
    expect(await registerProducer(at('node-1'), 'albums', 'run-1')).toBe(1);
    expect(await registerProducer(at('node-3'), 'albums', 'run-4')).toBe(4);
    await expect(registerProducer(at('node-3'), '', 'run-5')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // Streams register through their node, and the shared registry is not used.
    const client = await cluster.connect({ nodes: ['node-4'] });
    await createTable(client, itemsTable('Items', 2));
    const view = (await tableOf(client, 'Items')).recordView<ItemRow>();
    await view.streamData([itemRow(1)], { producerId: 'albums' });
    expect(at('node-4').view.get('producers/albums')).toBeDefined();
    expect(cluster.controlPlane.producers.epochOf('albums')).toBeUndefined();
  });
});
