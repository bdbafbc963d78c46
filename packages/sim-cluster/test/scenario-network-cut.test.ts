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

describe('Scenario: a network cut that heals', () => {
  it('goes around a cut between the client and one node, and completes after the heal', async () => {
    const { cluster, client, view } = await startScenario({ seed: 71 });
    await using _ = cluster;
    const cutOff = 'node-1';
    const owned = partitionsOf(cluster, cutOff);
    const items = workload({ seed: 71, items: 900, keys: 100 });
    let cutAtMs = -1;
    let healed: Promise<void> | undefined;
    const hooks = {
      300: () => {
        cutAtMs = cluster.clock.now();
        cluster.network.partition(['client-1'], [cutOff]);
        healed = cluster.clock.sleep(2000).then(() => cluster.network.heal());
      },
    };
    const infos: StreamerBatchInfo[] = [];
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 20, onBatch: (info) => void infos.push(info) },
    );
    await healed;

    expect(summary.items).toBe(900);
    expect(cutAtMs).toBeGreaterThanOrEqual(0);
    const faults = cluster.history.ofType('fault');
    const cut = faults.find((e) => e.kind === 'partition');
    const heal = faults.find((e) => e.kind === 'heal');
    expect(heal?.atMs).toBe(cutAtMs + 2000);
    // While cut off from the client, node-1 still committed its partitions' batches: others forwarded them.
    const duringCut = cluster.history
      .ofType('apply')
      .filter((e) => e.n > (cut?.n ?? 0) && e.n < (heal?.n ?? 0) && owned.includes(e.partition));
    expect(duringCut.length).toBeGreaterThan(0);
    expect(duringCut.every((e) => e.node === cutOff)).toBe(true);
    expect(infos.some((i) => owned.includes(i.partition) && i.rerouted)).toBe(true);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    const verdict = expectValid(cluster);
    expect(verdict.liveness.valid).toBe(true);
  });

  it('completes a stream whose owner is cut off from every other endpoint, once the cut heals', async () => {
    const { cluster, client, view } = await startScenario({ seed: 72 });
    await using _ = cluster;
    const isolated = 'node-3';
    const items = workload({ seed: 72, items: 600, keys: 80 });
    let isolatedAtMs = -1;
    let healed: Promise<void> | undefined;
    const hooks = {
      200: () => {
        isolatedAtMs = cluster.clock.now();
        cluster.network.isolate(isolated);
        healed = cluster.clock.sleep(3000).then(() => cluster.network.heal());
      },
    };
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 20 },
    );
    await healed;

    expect(summary.items).toBe(600);
    expect(summary.retries).toBeGreaterThan(0);
    const applies = cluster.history.ofType('apply').filter((e) => e.node === isolated);
    // Nothing reached the isolated node until the heal; its partitions' batches were retried until then.
    expect(applies.some((e) => e.atMs > isolatedAtMs && e.atMs < isolatedAtMs + 3000)).toBe(false);
    expect(applies.some((e) => e.atMs >= isolatedAtMs + 3000)).toBe(true);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });
});
