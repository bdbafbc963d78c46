import { describe, expect, it } from 'vitest';
import {
  eventsView,
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  workload,
} from './scenario-support.js';

describe('Scenario: a client connected to one node of three', () => {
  it('streams PUTs and REMOVEs through the one node, which forwards to the owners', async () => {
    const { cluster } = await startScenario({ seed: 11 });
    await using _ = cluster;
    const partial = await cluster.connect({ nodes: ['node-2'], requestTimeoutMs: 1000 });
    const view = await eventsView(partial);
    const items = workload({ seed: 11, items: 600, keys: 80 });
    const summary = await cluster.stream(view, items, { client: partial, seq: seqOf }, { pageSize: 25 });

    expect(summary.items).toBe(600);
    expect(summary.rerouted).toBeGreaterThan(0);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    // Every node committed some of it, though the client only ever spoke to node-2.
    const nodes = new Set(cluster.history.ofType('apply').map((e) => e.node));
    expect([...nodes].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    const acks = cluster.history.ofType('ack');
    expect(acks.every((a) => a.client === 'client-2' && a.stream === 1)).toBe(true);
    expect(acks.reduce((n, a) => n + a.indexes.length, 0)).toBe(600);
    expect(cluster.history.ofType('submit')).toHaveLength(600);
    expectValid(cluster);
  });
});
