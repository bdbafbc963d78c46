import { createRng, hasFeature, silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { ConnectionPool } from '../src/connection/connection-pool.js';
import { FakeCluster } from './support/fake-cluster.js';

const NODES = ['node-1', 'node-2', 'node-3', 'node-4'];

/** A fake cluster of four nodes and a pool given `endpoints` of them. */
async function openPool(
  endpoints: readonly string[],
  options: { readonly clusterDiscovery?: boolean; readonly maxConnections?: number } = {},
) {
  const clock = new SimClock();
  const cluster = new FakeCluster({ nodes: NODES, clock });
  const hints: number[] = [];
  const pool = await ConnectionPool.open({
    transport: cluster.transport,
    endpoints,
    clock,
    rng: createRng(11),
    logger: silentLogger,
    requestTimeoutMs: 1000,
    connectTimeoutMs: 1000,
    reconnect: { initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0 },
    name: 'client-1',
    auth: undefined,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 5000,
    onAssignmentVersion: () => {},
    onTopologyHint: () => hints.push(clock.now()),
    clusterDiscovery: options.clusterDiscovery ?? true,
    maxConnections: options.maxConnections ?? Number.POSITIVE_INFINITY,
  });
  return { clock, cluster, pool, hints };
}

const members = (...names: string[]) => names.map((name) => ({ name, endpoint: name }));

/** Lets the pool's connection attempts (a microtask each, then a handshake on the clock) finish. */
async function settle(clock: SimClock, ms = 50): Promise<void> {
  await clock.sleep(ms);
}

describe('ConnectionPool following the cluster', () => {
  it('opens a connection to each member it was not given, marked learned', async () => {
    const { clock, pool } = await openPool(['node-1']);
    pool.learn(members('node-1', 'node-2', 'node-3'), 5);
    await settle(clock);
    expect(pool.endpoints).toEqual([
      { endpoint: 'node-1', state: 'open', node: 'node-1', learned: false },
      { endpoint: 'node-2', state: 'open', node: 'node-2', learned: true },
      { endpoint: 'node-3', state: 'open', node: 'node-3', learned: true },
    ]);
    expect(pool.byNode('node-3')?.nodeName).toBe('node-3');
    pool.close();
  });

  it('learns no more members than maxConnections allows, given endpoints included', async () => {
    const { clock, pool } = await openPool(['node-1', 'node-2'], { maxConnections: 3 });
    pool.learn(members('node-1', 'node-2', 'node-3', 'node-4'), 5);
    await settle(clock);
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual(['node-1', 'node-2', 'node-3']);
    pool.close();
  });

  it('drops an unreachable endpoint absent from the newest list, and stops reconnecting to it', async () => {
    const { clock, cluster, pool, hints } = await openPool(['node-1', 'node-2']);
    cluster.transport.setReachable('node-2', false);
    cluster.transport.cut('node-2');
    await settle(clock);
    expect(pool.endpoints.map((e) => [e.endpoint, e.state])).toEqual([
      ['node-1', 'open'],
      ['node-2', 'waiting'],
    ]);
    // The lost connection is a hint that the members may have changed.
    expect(hints).toHaveLength(1);
    pool.learn(members('node-1', 'node-3'), 7);
    await settle(clock);
    expect(pool.endpoints.map((e) => [e.endpoint, e.state])).toEqual([
      ['node-1', 'open'],
      ['node-3', 'open'],
    ]);
    const attempts = cluster.transport.attempts.filter((a) => a.endpoint === 'node-2').length;
    await settle(clock, 10_000);
    expect(cluster.transport.attempts.filter((a) => a.endpoint === 'node-2')).toHaveLength(attempts);
    pool.close();
  });

  it('keeps an open endpoint absent from the list until its connection closes, then drops it', async () => {
    const { clock, cluster, pool } = await openPool(['node-1', 'node-2']);
    pool.learn(members('node-1'), 3);
    await settle(clock);
    // Still reachable: it stays while open.
    expect(pool.endpoints.map((e) => [e.endpoint, e.state])).toEqual([
      ['node-1', 'open'],
      ['node-2', 'open'],
    ]);
    cluster.transport.cut('node-2');
    await settle(clock, 5000);
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual(['node-1']);
    expect(cluster.transport.attempts.filter((a) => a.endpoint === 'node-2')).toHaveLength(1);
    pool.close();
  });

  it('keeps streaming through learned members when every given endpoint is gone', async () => {
    const { clock, cluster, pool } = await openPool(['node-1']);
    pool.learn(members('node-1', 'node-4'), 2);
    await settle(clock);
    cluster.transport.setReachable('node-1', false);
    cluster.transport.cut('node-1');
    pool.learn(members('node-4'), 3);
    await settle(clock);
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual(['node-4']);
    const reply = await pool.request('TABLES_GET', {});
    expect(reply.node).toBe('node-4');
    pool.close();
  });

  it('ignores a list older than the one it follows', async () => {
    const { clock, cluster, pool } = await openPool(['node-1', 'node-2']);
    pool.learn(members('node-1', 'node-2', 'node-3'), 9);
    pool.learn(members('node-1'), 8);
    await settle(clock);
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(pool.endpoints.every((e) => e.state === 'open')).toBe(true);
    // Had the older list been followed, node-2 would count as gone and be dropped when its connection closes.
    cluster.transport.cut('node-2');
    await settle(clock, 1000);
    expect(pool.endpoints.map((e) => [e.endpoint, e.state])).toContainEqual(['node-2', 'open']);
    pool.close();
  });

  it('with clusterDiscovery off, keeps to its endpoints and does not ask for member lists', async () => {
    const { clock, cluster, pool, hints } = await openPool(['node-1'], { clusterDiscovery: false });
    expect(hasFeature(pool.connections[0]?.features ?? new Uint8Array(0), 'TOPOLOGY_DISCOVERY')).toBe(false);
    pool.learn(members('node-2', 'node-3'), 5);
    cluster.transport.cut('node-1');
    await settle(clock);
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual(['node-1']);
    expect(hints).toEqual([]);
    pool.close();
  });

  it('announces TOPOLOGY_DISCOVERY in its handshakes when it follows the cluster', async () => {
    const { pool } = await openPool(['node-1']);
    expect(hasFeature(pool.connections[0]?.features ?? new Uint8Array(0), 'TOPOLOGY_DISCOVERY')).toBe(true);
    pool.close();
  });
});
