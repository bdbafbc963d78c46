// With history 'off' a large run must not pay for recording, and nothing may silently judge an empty
// history as valid: a mix-up here would either keep the cost or report a verdict over nothing.

import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';

const events = {
  name: 'Events',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Value', type: 'INT32' as const },
  ],
  primaryKey: ['Id'],
};

function* rows(count: number) {
  for (let i = 0; i < count; i++) yield { Id: BigInt(i), Value: i % 101 };
}

async function streamInto(cluster: SimCluster, count: number) {
  const client = await cluster.connect();
  await client.catalog.createTable(events);
  const table = await client.tables.table('Events');
  if (table === null) throw new Error('no table');
  const summary = await cluster.stream(
    table.recordView<{ Id: bigint; Value: number }>(),
    rows(count),
    { client, seq: () => 0 },
    { pageSize: 50 },
  );
  return summary;
}

describe('SimCluster history option', () => {
  it("records applies and stream events by default ('full')", async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 1 });
    await streamInto(cluster, 300);
    const types = new Set(cluster.history.events.map((e) => e.type));
    expect(cluster.history.events.filter((e) => e.type === 'apply')).toHaveLength(300);
    expect(types).toContain('submit');
    expect(
      cluster.check<{ Id: bigint }>({ table: 'Events', key: (row) => ({ Id: row.Id }), seq: () => 0 }).valid,
    ).toBe(true);
  });

  it("records no apply, submit or ack with 'off' and still stores every row", async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 1, history: 'off' });
    const summary = await streamInto(cluster, 300);
    expect(summary.items).toBe(300);
    expect(cluster.readTableNow('Events')).toHaveLength(300);
    const recorded = cluster.history.events.filter(
      (e) => e.type === 'apply' || e.type === 'submit' || e.type === 'ack' || e.type === 'settled',
    );
    expect(recorded).toEqual([]);
  });

  it("still records topology changes with 'off'", async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 3, history: 'off' });
    cluster.crashNode('node-1');
    await cluster.restartNode('node-1');
    const kinds = cluster.history.events.flatMap((e) => (e.type === 'topology' ? [e.kind] : []));
    expect(kinds).toEqual(['start', 'crash', 'restart']);
  });

  it("refuses to check with 'off', saying the history was off", async () => {
    await using cluster = await SimCluster.start({ nodes: 1, seed: 4, history: 'off' });
    await streamInto(cluster, 10);
    const attempt = () =>
      cluster.check<{ Id: bigint }>({ table: 'Events', key: (row) => ({ Id: row.Id }), seq: () => 0 });
    expect(attempt).toThrow(SimClusterError);
    expect(attempt).toThrow(/history: 'off'/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('rejects an unknown history mode, naming the option', async () => {
    await expect(SimCluster.start({ history: 'partial' as 'off' })).rejects.toThrow(
      /option history must be 'full' or 'off', got partial/,
    );
  });
});
