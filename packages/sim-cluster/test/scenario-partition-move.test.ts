import { describe, expect, it } from 'vitest';
import {
  appliesOf,
  expectedRows,
  expectValid,
  ownerOf,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

describe('Scenario: a partition moves mid-stream', () => {
  it('sends later batches to the new owner, and per-key order holds across the move', async () => {
    const { cluster, client, view } = await startScenario({ seed: 41 });
    await using _ = cluster;
    const partition = 5;
    const from = ownerOf(cluster, partition);
    const to = cluster.nodes.find((n) => n !== from) as string;
    // Few keys, so each key gets many versions on both sides of the move.
    const items = workload({ seed: 41, items: 900, keys: 40 });
    const hooks = {
      450: async () => {
        await cluster.movePartition('Events', partition, to);
      },
    };
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 10 },
    );

    expect(summary.items).toBe(900);
    expect(ownerOf(cluster, partition)).toBe(to);
    const move = cluster.history.ofType('topology').find((e) => e.kind === 'move');
    expect(move?.details).toEqual({ table: 'Events', partition, from, to });
    const moveN = move?.n ?? 0;
    const before = appliesOf(cluster, partition).filter((e) => e.n < moveN);
    const after = appliesOf(cluster, partition, moveN);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((e) => e.node === from)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => e.node === to)).toBe(true);
    // The client learnt of the move: a batch was acknowledged as rerouted, and the last ones went to `to`.
    expect(summary.rerouted).toBeGreaterThan(0);
    const acksAfter = cluster.history.ofType('ack').filter((a) => a.partition === partition && a.n > moveN);
    expect(acksAfter.at(-1)?.node).toBe(to);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    const verdict = expectValid(cluster);
    expect(verdict.perKeyOrder.keys).toBeGreaterThan(30);
  });
});
