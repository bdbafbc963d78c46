/**
 * Full pages through the whole stack, judged by the checkers. The property suites stream a few dozen items
 * per run, so their batches stay small; a node's per-batch buffers only grow (and are only reused across
 * batches) with real pages. A bug that wrote a key into the buffer a growth had just replaced went unseen by
 * them and was caught by the demo: one apply event per node carried a corrupt key. This runs default pages of
 * 1000 items, and pages of long keys, on virtual time, and asks the checkers.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const plays = {
  name: 'Plays',
  columns: [
    { name: 'PlayId', type: 'INT64' as const },
    { name: 'Listener', type: 'STRING' as const },
    { name: 'Track', type: 'INT32' as const },
  ],
  primaryKey: ['PlayId', 'Listener'],
};

function* playsOf(count: number, listenerLength: number) {
  for (let i = 0; i < count; i++) {
    yield { PlayId: i, Listener: `${String(i % 1009).padStart(listenerLength, 'l')}`, Track: i % 50_000 };
  }
}

async function streamAndCheck(count: number, listenerLength: number, seed: number) {
  await using cluster = await SimCluster.start({ nodes: 3, partitions: 4, seed });
  const client = await cluster.connect();
  const table = await client.catalog.createTable(plays);
  const summary = await cluster.stream(table.recordView(), playsOf(count, listenerLength), {
    client,
    seq: () => 0,
  });
  const verdict = cluster.check<Record<string, unknown>>({
    table: 'Plays',
    key: (row) => ({ PlayId: row['PlayId'], Listener: row['Listener'] }),
    seq: () => 0,
  });
  return { summary, verdict, applies: cluster.history.events.filter((e) => e.type === 'apply').length };
}

describe('SimCluster with full pages', () => {
  it('records one valid apply per row for 12,000 rows in default pages of 1000', async () => {
    const { summary, verdict, applies } = await streamAndCheck(12_000, 4, 11);
    expect(summary.items).toBe(12_000);
    expect(verdict.report).toContain('atLeastOnce: passed');
    expect(verdict.valid).toBe(true);
    expect(applies).toBe(12_000);
  });

  it('stays valid when each page of keys outgrows a node’s first batch buffers several times', async () => {
    const { verdict, applies } = await streamAndCheck(6000, 200, 12);
    expect(verdict.valid).toBe(true);
    expect(applies).toBe(6000);
  });
});
