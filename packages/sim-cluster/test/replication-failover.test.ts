import { describe, expect, it } from 'vitest';
import type { SimCluster } from '../src/cluster/sim-cluster.js';
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

type Fault = (cluster: SimCluster, victim: string) => void;

async function streamThrough(seed: number, fault: Fault) {
  const { cluster, client, view } = await startScenario({ seed, replicas: 3 });
  const victim = 'node-2';
  const led = partitionsOf(cluster, victim);
  const items = workload({ seed, items: 1200, keys: 150 });
  let faultAtMs = 0;
  const summary = await cluster.stream(
    view,
    withHooks(items, {
      400: () => {
        faultAtMs = cluster.clock.now();
        fault(cluster, victim);
      },
    }),
    { client, seq: seqOf },
    { pageSize: 20, retryLimit: -1 },
  );
  return { cluster, items, summary, victim, led, faultAtMs };
}

describe('Replicated partitions: a stream keeps going when one replica of three fails', () => {
  it('survives the crash of a primary, with no restart', async () => {
    const { cluster, items, summary, victim, led } = await streamThrough(41, (c, v) => c.crashNode(v));
    await using _ = cluster;
    expect(led.length).toBeGreaterThan(0);
    expect(summary.items).toBe(items.length);
    expect(cluster.node(victim).isRunning).toBe(false);
    for (const p of led) expect(await cluster.primaryOf('Events', p)).not.toBe(victim);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    const elections = cluster.history.ofType('topology').filter((e) => e.kind === 'election');
    expect(elections.length).toBeGreaterThan(8);
    expectValid(cluster);
  });

  it('survives the destruction of a node and its disk', async () => {
    const { cluster, items, summary, victim } = await streamThrough(42, (c, v) => c.destroyNode(v));
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    expect(cluster.nodes).not.toContain(victim);
    expect(await cluster.replicasOf('Events', 0)).toContain(victim);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('survives a primary cut off from every other endpoint, its clients included', async () => {
    const { cluster, items, summary, victim, faultAtMs } = await streamThrough(43, (c, v) =>
      c.network.isolate(v),
    );
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    const leases = cluster.history.ofType('topology').filter((e) => e.kind === 'lease' && e.atMs > faultAtMs);
    expect(leases.some((e) => e.details['node'] !== victim)).toBe(true);
    cluster.network.heal();
    await cluster.clock.sleep(2000);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('survives a paused primary', async () => {
    const { cluster, items, summary } = await streamThrough(44, (c, v) => c.pauseNode(v, 3000));
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    await cluster.clock.sleep(3000);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });
});

describe('Replicated partitions without a majority', () => {
  it('answers NO_QUORUM (retried) while two replicas of three are down, and succeeds once one is back', async () => {
    const { cluster, client, view } = await startScenario({ seed: 45, replicas: 3 });
    await using _ = cluster;
    const items = workload({ seed: 45, items: 600, keys: 80 });
    let downAtMs = 0;
    let backAtMs = 0;
    let back: Promise<void> | undefined;
    const summary = await cluster.stream(
      view,
      withHooks(items, {
        200: () => {
          downAtMs = cluster.clock.now();
          cluster.crashNode('node-2');
          cluster.crashNode('node-3');
          back = cluster.clock.sleep(4000).then(async () => {
            backAtMs = cluster.clock.now();
            await cluster.restartNode('node-3');
          });
        },
      }),
      { client, seq: seqOf },
      { pageSize: 20, retryLimit: -1 },
    );
    await back;
    expect(summary.items).toBe(items.length);
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.durationMs).toBeGreaterThan(backAtMs - downAtMs);
    // No partition committed anything while only one replica of it was up.
    const during = cluster.history
      .ofType('apply')
      .filter((e) => e.atMs > downAtMs + 2500 && e.atMs < backAtMs);
    expect(during).toEqual([]);
    expect(cluster.node('node-1').metrics().errors).toBeGreaterThan(0);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });
});
