// `cluster.check(view, ...)` and `cluster.stream(view, rows, ...)` take their row types from the view and the
// source, so a test reads `row.Seq` without a type argument. If the inference broke, this file would stop
// compiling (typecheck) or a misspelt column would compile (the @ts-expect-error lines would then fail).

import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';

const table = {
  name: 'Events',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Seq', type: 'INT32' as const },
  ],
  primaryKey: ['Id'],
};

interface EventRow {
  Id: bigint;
  Seq: number;
}

describe('SimCluster.check with a view', () => {
  it('types the rows from a record view and judges its table', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 3 });
    const client = await cluster.connect();
    const view = (await client.catalog.createTable(table)).recordView<EventRow>();
    const rows: EventRow[] = Array.from({ length: 40 }, (_, i) => ({
      Id: BigInt(i % 10),
      Seq: 1 + Math.floor(i / 10),
    }));
    await cluster.stream(view, rows, { client, seq: (row) => row.Seq });
    const verdict = cluster.check(view, { key: (row) => ({ Id: row.Id }), seq: (row) => row.Seq });
    expect(verdict.valid, verdict.report).toBe(true);
    // @ts-expect-error: the rows of this view have no column Sequence
    expect(() => cluster.check(view, { key: (row) => row.Id, seq: (row) => row.Sequence })).toThrow();
  });

  it('types a key-value view rows as key and value columns together', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 4 });
    const client = await cluster.connect();
    const kv = (await client.catalog.createTable(table)).keyValueView<{ Id: bigint }, { Seq: number }>();
    const entries: (readonly [{ Id: bigint }, { Seq: number }])[] = [
      [{ Id: 1n }, { Seq: 1 }],
      [{ Id: 1n }, { Seq: 2 }],
    ];
    await cluster.stream(kv, entries, { client, seq: ([, value]) => value.Seq });
    const verdict = cluster.check(kv, { key: (row) => ({ Id: row.Id }), seq: (row) => row.Seq });
    expect(verdict.valid, verdict.report).toBe(true);
    expect(await cluster.readTable('Events')).toEqual([{ Id: 1n, Seq: 2 }]);
  });

  it('judges the view it is given, not the only or first table', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 5 });
    const client = await cluster.connect();
    const view = (await client.catalog.createTable(table)).recordView<EventRow>();
    const other = (await client.catalog.createTable({ ...table, name: 'Other' })).recordView<EventRow>();
    await cluster.stream(view, [{ Id: 1n, Seq: 1 }], { client, seq: (row) => row.Seq });
    const otherRows = [2n, 3n, 4n].map((Id) => ({ Id, Seq: 1 }));
    await cluster.stream(other, otherRows, { client, seq: (row) => row.Seq });
    // With two tables, the options form needs `table`; the view form names it.
    expect(() => cluster.check<EventRow>({ key: (row) => row.Id, seq: (row) => row.Seq })).toThrow(/table/);
    const verdict = cluster.check(other, { key: (row) => ({ Id: row.Id }), seq: (row) => row.Seq });
    expect(verdict.valid, verdict.report).toBe(true);
    expect(verdict.atLeastOnce.counts.submitted).toBe(3);
    expect(verdict.finalState.keys).toBe(3);
  });

  it('refuses a view without options, naming what is missing', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, seed: 6 });
    const client = await cluster.connect();
    const view = (await client.catalog.createTable(table)).recordView<EventRow>();
    const untyped = cluster.check.bind(cluster) as (view: unknown) => unknown;
    expect(() => untyped(view)).toThrow(SimClusterError);
    expect(() => untyped(view)).toThrow(/needs the options/);
  });
});
