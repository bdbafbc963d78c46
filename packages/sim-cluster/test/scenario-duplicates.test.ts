import { describe, expect, it } from 'vitest';
import {
  type EventRow,
  expectedRows,
  expectValid,
  partitionsOf,
  seqOf,
  startScenario,
  tableRows,
  workload,
} from './scenario-support.js';

describe('Scenario: every message on one link is delivered twice', () => {
  it('applies each duplicated batch once (the batch fence drops the copy) and stays valid', async () => {
    const { cluster, client, view } = await startScenario({ seed: 61 });
    await using _ = cluster;
    // After the handshake: from now on every request to node-2 and every answer from it arrives twice.
    cluster.network.setFaults({ duplicate: 1, between: ['client-1', 'node-2'] });
    const items = workload({ seed: 61, items: 600, keys: 70 });
    const summary = await cluster.stream(view, items, { client, seq: seqOf }, { pageSize: 20 });
    cluster.network.heal();

    expect(summary.items).toBe(600);
    const duplicates = cluster.history.ofType('fault').filter((e) => e.kind === 'duplicate');
    expect(duplicates.length).toBeGreaterThan(0);
    const node2 = new Set(partitionsOf(cluster, 'node-2'));
    const applies = cluster.history.ofType('apply');
    const onNode2 = applies.filter((e) => node2.has(e.partition));
    expect(onNode2.length).toBeGreaterThan(0);
    expect(onNode2.every((e) => e.node === 'node-2')).toBe(true);
    // Every row version node-2 committed, it committed once: the second copy of each batch was fenced.
    const versions = new Map<string, number>();
    for (const e of onNode2) {
      const row = e.row as Partial<EventRow> | null;
      if (row === null) continue;
      const version = `${e.key}/${String(row.Seq)}`;
      versions.set(version, (versions.get(version) ?? 0) + 1);
    }
    expect(versions.size).toBeGreaterThan(0);
    expect([...versions.values()].every((count) => count === 1)).toBe(true);
    expect(cluster.node('node-2').metrics().staleBatches).toBeGreaterThan(0);
    const verdict = expectValid(cluster);
    expect(verdict.duplicated).toBe(0);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
  });
});
