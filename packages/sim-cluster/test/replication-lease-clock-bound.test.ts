import { ClusterNode, DEFAULT_MAX_CLOCK_OFFSET_MS, LocalControlPlane } from '@datastreamer/server-node';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const TABLE = 'Leased';

/** A 3-node cluster with one replicated partition, its first primary elected and leased. */
async function leasedPartition(leaseMs: number) {
  const cluster = await SimCluster.start({
    nodes: 3,
    partitions: 1,
    seed: 5,
    replicas: 3,
    replication: { leaseMs, electionTimeoutMs: { min: 150, max: 300 }, heartbeatIntervalMs: 30 },
  });
  const admin = await cluster.connect();
  await admin.catalog.createTable({
    name: TABLE,
    columns: [{ name: 'Key', type: 'INT32' }],
    primaryKey: ['Key'],
  });
  const primary = await cluster.primaryOf(TABLE, 0);
  const tableId = cluster.controlPlane.catalog.latest(TABLE)?.tableId ?? -1;
  return { cluster, primary, tableId };
}

describe('Leases and the clock-offset bound', () => {
  it('stops a cut-off leaseholder serving maxClockOffsetMs before its lease expires', async () => {
    const { cluster, primary, tableId } = await leasedPartition(2000);
    await using _ = cluster;
    const others = cluster.nodes.filter((n) => n !== primary);
    cluster.network.partition([primary], others);
    const group = cluster.node(primary).replicaGroup(tableId, 0);
    if (group === undefined) throw new Error(`${primary} holds no replica`);
    // Cut off, the leader steps down within an election timeout and stops renewing its lease.
    await cluster.clock.sleep(700);
    expect(group.raft.role).not.toBe('leader');
    const lease = cluster.controlPlane.leases.lease(tableId, 0);
    expect(lease?.holder).toBe(primary);
    const expiresAtMs = lease?.expiresAtMs ?? 0;
    const stopAtMs = expiresAtMs - DEFAULT_MAX_CLOCK_OFFSET_MS;
    expect(stopAtMs).toBeGreaterThan(cluster.clock.now());
    await cluster.clock.sleep(stopAtMs - 1 - cluster.clock.now());
    expect(group.servesReads()).toBe(true);
    await cluster.clock.sleep(1);
    // Its clock may trail the placement driver's by up to the bound: it stops while the lease still runs
    // there, so no other replica (leased only after the expiry) serves at the same time.
    expect(cluster.clock.now()).toBeLessThan(expiresAtMs);
    expect(group.servesReads()).toBe(false);
    expect(cluster.controlPlane.leases.lease(tableId, 0)?.holder).toBe(primary);
  });

  it('refuses a lease margin at or above the lease length, and a simulated lease within the bound', async () => {
    const clock = new SimClock();
    const controlPlane = new LocalControlPlane({ clock, leaseMs: 400 });
    const transport = { connect: () => Promise.reject(new Error('no network in this test')) };
    expect(() => new ClusterNode({ name: 'n1', controlPlane, clock, transport })).toThrow(
      /replication\.leaseMarginMs \(default maxClockOffsetMs\): expected an integer in 0\.\.399/,
    );
    const node = new ClusterNode({ name: 'n2', controlPlane, clock, transport, maxClockOffsetMs: 100 });
    expect(node.isRunning).toBe(true);
    node.crash();
    await expect(SimCluster.start({ replication: { leaseMs: 500 } })).rejects.toThrow(/replication\.leaseMs/);
    clock.stop();
  });
});
