import type { StreamerBatchInfo } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import {
  expectedRows,
  expectValid,
  ownerOf,
  partitionsOf,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

describe('Scenario: the owner of a partition leaves while a batch is in flight', () => {
  it('retries the lost batch at the new owner; nothing is lost and no key goes back', async () => {
    const { cluster, client, view } = await startScenario({ seed: 21 });
    await using _ = cluster;
    const leaving = ownerOf(cluster, 0);
    const owned = partitionsOf(cluster, leaving);
    const items = workload({ seed: 21, items: 1200, keys: 150 });
    let inFlightAtLeave = 0;
    const hooks = {
      // Hold the owner's traffic, so the batches sent to it from now on are surely still on the wire...
      400: () => cluster.pauseNode(leaving, 60_000),
      // ...when it leaves: its partitions move to the others, it goes down, what was in flight is lost.
      600: async () => {
        inFlightAtLeave = cluster.network.stats.unitsInFlight;
        await cluster.removeNode(leaving);
      },
    };
    const infos: StreamerBatchInfo[] = [];
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 20, onBatch: (info) => void infos.push(info) },
    );

    expect(inFlightAtLeave).toBeGreaterThan(0);
    expect(summary.items).toBe(1200);
    expect(summary.retries).toBeGreaterThan(0);
    // A batch of a partition the leaver owned needed more than one attempt: it was the one on the wire.
    expect(infos.some((i) => owned.includes(i.partition) && i.attempt > 1)).toBe(true);
    expect(cluster.nodes).not.toContain(leaving);
    // The leaver committed nothing after it left; its partitions kept being written elsewhere.
    const leave = cluster.history.ofType('topology').find((e) => e.kind === 'leave');
    expect(leave?.details).toEqual({ node: leaving });
    const after = cluster.history.ofType('apply').filter((e) => e.n > (leave?.n ?? 0));
    expect(after.some((e) => e.node === leaving)).toBe(false);
    expect(after.some((e) => owned.includes(e.partition))).toBe(true);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });
});
