import type { StreamerBatchInfo } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import {
  expectedRows,
  expectValid,
  partitionsOf,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

describe('Scenario: a node crashes and restarts mid-stream', () => {
  it('keeps the stream alive by retries until the node is back; committed data survives the crash', async () => {
    const { cluster, client, view } = await startScenario({ seed: 31 });
    await using _ = cluster;
    const victim = 'node-3';
    const owned = partitionsOf(cluster, victim);
    expect(owned.length).toBeGreaterThan(0);
    const items = workload({ seed: 31, items: 1000, keys: 120 });
    let rowsBeforeCrash = -1;
    let rowsAfterCrash = -2;
    let restarted: Promise<void> | undefined;
    let crashAtMs = 0;
    const hooks = {
      350: () => {
        crashAtMs = cluster.clock.now();
        rowsBeforeCrash = cluster.readTableNow('Events').length;
        cluster.crashNode(victim);
        rowsAfterCrash = cluster.readTableNow('Events').length;
        // Back after 1.5 virtual seconds, whatever the stream is doing then (it stalls on the victim's
        // partitions, so the source is not pulled until it is back).
        restarted = cluster.clock.sleep(1500).then(() => cluster.restartNode(victim));
      },
    };
    const infos: StreamerBatchInfo[] = [];
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 20, onBatch: (info) => void infos.push(info) },
    );
    await restarted;

    expect(summary.items).toBe(1000);
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.durationMs).toBeGreaterThanOrEqual(1500);
    // Batches of the victim's partitions were retried across the outage and applied by it once back.
    expect(infos.some((i) => owned.includes(i.partition) && i.attempt > 1)).toBe(true);
    const restart = cluster.history.ofType('topology').find((e) => e.kind === 'restart');
    expect(restart?.atMs).toBe(crashAtMs + 1500);
    const victimApplies = cluster.history.ofType('apply').filter((e) => e.node === victim);
    expect(victimApplies.some((e) => e.n < (restart?.n ?? 0))).toBe(true);
    expect(victimApplies.some((e) => e.n > (restart?.n ?? 0))).toBe(true);
    expect(victimApplies.every((e) => e.atMs <= crashAtMs || e.atMs >= crashAtMs + 1500)).toBe(true);
    expect(rowsBeforeCrash).toBeGreaterThan(0);
    expect(rowsAfterCrash).toBe(rowsBeforeCrash);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });
});
