import type { Client } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import type { FaultPlan } from '../src/faults/fault.js';
import { healCluster, runSchedule } from '../src/faults/run-schedule.js';
import { scenarioTable } from '../src/replay/scenario-workload.js';

async function clusterWithRows(seed: number, rows = 40) {
  const cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed });
  const client = await cluster.connect();
  await client.catalog.createTable(scenarioTable('Events'));
  const view = (await client.tables.table('Events'))?.recordView();
  const batch = Array.from({ length: rows }, (_, i) => ({ Id: BigInt(i), Seq: 1, Producer: 'seed' }));
  await view?.upsertAll(batch);
  return { cluster, client };
}

/** A field of an event's details. */
function detail(details: Readonly<Record<string, unknown>>, name: string): unknown {
  return details[name];
}

function faultEvents(cluster: SimCluster, kind: string) {
  return cluster.history.ofType('fault').filter((e) => e.kind === kind);
}

/** Opens a raw connection from `from` to `to`; resolves with whether it connected. */
async function reachable(cluster: SimCluster, from: string, to: string): Promise<boolean> {
  try {
    const connection = await cluster.network.transport(from).connect(to);
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Virtual ms one upsert takes through `client`, table lookup included. */
async function upsertTook(cluster: SimCluster, client: Client): Promise<number> {
  const start = cluster.clock.now();
  const view = (await client.tables.table('Events'))?.recordView();
  await view?.upsert({ Id: 1000n, Seq: 1, Producer: 'probe' });
  return cluster.clock.now() - start;
}

describe('runSchedule', () => {
  it('applies each step at its virtual time, in time order whatever the order given', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 1 });
    const plan: FaultPlan = [
      { atMs: 300, fault: { kind: 'pause', node: 'node-2', ms: 10 } },
      { atMs: 100, fault: { kind: 'pause', node: 'node-1', ms: 10 } },
      { atMs: 100, fault: { kind: 'heal' } },
    ];
    const report = await runSchedule(cluster, plan);
    expect(report.steps.map((s) => [s.fault.kind, s.appliedAtMs - report.startedAtMs])).toEqual([
      ['pause', 100],
      ['heal', 100],
      ['pause', 300],
    ]);
    expect(report.applied).toBe(3);
    const pauses = cluster.history.ofType('topology').filter((e) => e.kind === 'pause');
    expect(pauses.map((e) => detail(e.details, 'node'))).toEqual(['node-1', 'node-2']);
  });

  it('setFaults duplicates every unit on the link it names, and only there', async () => {
    const { cluster, client } = await clusterWithRows(2);
    await using _ = cluster;
    // Connected (handshake done) before the fault: a duplicated handshake answer is not a frame.
    const other = await cluster.connect({ nodes: ['node-1'] });
    await other.tables.table('Events');
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'setFaults', faults: { duplicate: 1 }, between: ['client-2', 'node-1'] } },
    ]);
    const before = cluster.network.stats.unitsDuplicated;
    await upsertTook(cluster, client);
    expect(cluster.network.stats.unitsDuplicated).toBe(before);
    await upsertTook(cluster, other);
    expect(cluster.network.stats.unitsDuplicated).toBeGreaterThan(before);
    expect(faultEvents(cluster, 'faults')[0]?.details).toEqual({
      between: ['client-2', 'node-1'],
      faults: { duplicate: 1 },
    });
  });

  it('setFaults drops units: a request through the lossy link times out', async () => {
    const { cluster } = await clusterWithRows(3);
    await using _ = cluster;
    const lossy = await cluster.connect({ nodes: ['node-1'], requestTimeoutMs: 1000 });
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'setFaults', faults: { drop: 1 } } }]);
    const before = cluster.network.stats.unitsDropped;
    await expect(upsertTook(cluster, lossy)).rejects.toThrow();
    expect(cluster.network.stats.unitsDropped).toBeGreaterThan(before);
  });

  it('setFaults delays: a round trip takes at least twice the minimum delay', async () => {
    const { cluster, client } = await clusterWithRows(4);
    await using _ = cluster;
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'setFaults', faults: { delayMs: [250, 250] } } }]);
    expect(await upsertTook(cluster, client)).toBeGreaterThanOrEqual(500);
  });

  it('clog holds a node’s traffic for its duration, then lets it through', async () => {
    const { cluster } = await clusterWithRows(5);
    await using _ = cluster;
    const viaOne = await cluster.connect({ nodes: ['node-1'] });
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'clog', target: 'node-1', ms: 800 } }]);
    expect(await upsertTook(cluster, viaOne)).toBeGreaterThanOrEqual(800);
  });

  it('partition cuts the groups apart until heal, and only them', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, seed: 6 });
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'partition', groupA: ['probe', 'node-1'], groupB: ['node-2'] } },
    ]);
    expect(await reachable(cluster, 'probe', 'node-2')).toBe(false);
    expect(await reachable(cluster, 'probe', 'node-3')).toBe(true);
    await runSchedule(cluster, [{ atMs: 10, fault: { kind: 'heal' } }]);
    expect(await reachable(cluster, 'probe', 'node-2')).toBe(true);
  });

  it('a one-way partition loses units in one direction only', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 7 });
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'partition', groupA: ['node-1'], groupB: ['node-2'], oneWay: true } },
    ]);
    expect(faultEvents(cluster, 'partition')[0]?.details).toMatchObject({ oneWay: true });
    // A handshake needs both directions: new connections fail either way.
    expect(await reachable(cluster, 'node-2', 'node-1')).toBe(false);
  });

  it('isolate cuts one endpoint from every other', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, seed: 8 });
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'isolate', endpoint: 'node-3' } }]);
    expect(await reachable(cluster, 'probe', 'node-3')).toBe(false);
    expect(await reachable(cluster, 'probe', 'node-1')).toBe(true);
  });

  it('disconnect resets the open connections between two endpoints', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 9 });
    const connection = await cluster.network.transport('probe').connect('node-1');
    expect(connection.isOpen).toBe(true);
    await runSchedule(cluster, [{ atMs: 5, fault: { kind: 'disconnect', a: 'probe', b: 'node-1' } }]);
    expect(connection.isOpen).toBe(false);
    expect(faultEvents(cluster, 'reset').map((e) => detail(e.details, 'reason'))).toEqual(['disconnect']);
  });

  it('crash stops a node and keeps its committed data; restart brings it back', async () => {
    const { cluster } = await clusterWithRows(10);
    await using _ = cluster;
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'crash', node: 'node-2' } }]);
    expect(cluster.node('node-2').isRunning).toBe(false);
    expect(await reachable(cluster, 'probe', 'node-2')).toBe(false);
    expect(await cluster.readTable('Events')).toHaveLength(40);
    await runSchedule(cluster, [{ atMs: 100, fault: { kind: 'restart', node: 'node-2' } }]);
    expect(cluster.node('node-2').isRunning).toBe(true);
    expect(await reachable(cluster, 'probe', 'node-2')).toBe(true);
  });

  it('pause makes a node slow, not dead', async () => {
    const { cluster } = await clusterWithRows(11);
    await using _ = cluster;
    const viaTwo = await cluster.connect({ nodes: ['node-2'] });
    await runSchedule(cluster, [{ atMs: 0, fault: { kind: 'pause', node: 'node-2', ms: 600 } }]);
    expect(cluster.node('node-2').isRunning).toBe(true);
    expect(await upsertTook(cluster, viaTwo)).toBeGreaterThanOrEqual(600);
  });

  it('movePartition hands the partition to the named node', async () => {
    const { cluster } = await clusterWithRows(12);
    await using _ = cluster;
    const tableId = cluster.controlPlane.catalog.latest('Events')?.tableId ?? -1;
    const owner = cluster.controlPlane.placement.owner(tableId, 3);
    const to = owner === 'node-1' ? 'node-2' : 'node-1';
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'movePartition', table: 'Events', partition: 3, to } },
    ]);
    expect(cluster.controlPlane.placement.owner(tableId, 3)).toBe(to);
    expect(await cluster.readTable('Events')).toHaveLength(40);
  });

  it('join adds a node that takes partitions; leave removes one and keeps its data', async () => {
    const { cluster } = await clusterWithRows(13);
    await using _ = cluster;
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'join' } },
      { atMs: 50, fault: { kind: 'leave', node: 'node-2' } },
    ]);
    expect(cluster.nodes).toEqual(['node-1', 'node-3', 'node-4']);
    const tableId = cluster.controlPlane.catalog.latest('Events')?.tableId ?? -1;
    const owners = Array.from({ length: 6 }, (_, p) => cluster.controlPlane.placement.owner(tableId, p));
    expect(owners).toContain('node-4');
    expect(owners).not.toContain('node-2');
    expect(await cluster.readTable('Events')).toHaveLength(40);
  });

  it('skips and records a step the cluster refuses, and goes on', async () => {
    const { cluster } = await clusterWithRows(14);
    await using _ = cluster;
    const report = await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'leave', node: 'node-3' } },
      { atMs: 10, fault: { kind: 'crash', node: 'node-3' } },
      { atMs: 20, fault: { kind: 'pause', node: 'node-1', ms: 5 } },
    ]);
    expect(report.steps.map((s) => s.status)).toEqual(['applied', 'skipped', 'applied']);
    expect(report.steps[1]?.reason).toMatch(/node-3/);
    expect(faultEvents(cluster, 'skipped')[0]?.details).toMatchObject({ step: 1, fault: 'crash' });
  });

  it('rejects a refused step when asked to', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 15 });
    const plan: FaultPlan = [
      { atMs: 0, fault: { kind: 'leave', node: 'node-2' } },
      { atMs: 1, fault: { kind: 'crash', node: 'node-2' } },
    ];
    await expect(runSchedule(cluster, plan, { onRefused: 'throw' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('healCluster', () => {
  it('heals the network, restarts crashed nodes and records the heal point', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, seed: 16 });
    await runSchedule(cluster, [
      { atMs: 0, fault: { kind: 'crash', node: 'node-1' } },
      { atMs: 0, fault: { kind: 'crash', node: 'node-3' } },
      { atMs: 0, fault: { kind: 'isolate', endpoint: 'node-2' } },
    ]);
    const report = await healCluster(cluster);
    expect(report.restarted).toEqual(['node-1', 'node-3']);
    for (const node of cluster.nodes) expect(await reachable(cluster, 'probe', node)).toBe(true);
    expect(cluster.history.ofType('topology').at(-1)).toMatchObject({ kind: 'heal', atMs: report.atMs });
  });
});
