import { createRng } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { Client } from '../src/client/client.js';
import { ClientError } from '../src/errors/client-error.js';
import { EVENTS, startFixture } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';

const RECONNECT = { initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0.5 };

async function waitUntil(clock: SimClock, condition: () => boolean, limitMs = 60_000): Promise<void> {
  const until = clock.now() + limitMs;
  while (!condition() && clock.now() < until) await clock.sleep(1);
  expect(condition()).toBe(true);
}

describe('Client connection loss', () => {
  it('fails requests in flight with a retryable CONNECTION_LOST when the connection drops', async () => {
    await using fixture = await startFixture({
      nodes: ['node-1'],
      tables: [EVENTS],
      client: { reconnect: RECONNECT },
    });
    const { cluster, client } = fixture;
    cluster.node('node-1').intercept = () => ({ kind: 'drop' });
    const pending = [client.tables.table('Events'), client.tables.tables()].map((p) =>
      p.catch((e: unknown) => e),
    );
    await fixture.clock.sleep(10);
    cluster.transport.cut('node-1');
    for (const failure of await Promise.all(pending)) {
      expect(failure).toBeInstanceOf(ClientError);
      expect(failure).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
    }
  });

  it('reconnects with exponential backoff on the clock, then serves again', async () => {
    await using fixture = await startFixture({
      nodes: ['node-1'],
      tables: [EVENTS],
      client: { reconnect: RECONNECT },
    });
    const { clock, cluster, client } = fixture;
    const transport = cluster.transport;
    transport.setReachable('node-1', false);
    const lostAt = clock.now();
    transport.cut('node-1');
    await waitUntil(clock, () => transport.attempts.filter((a) => !a.ok).length >= 5);
    const failed = transport.attempts.filter((a) => !a.ok).map((a) => a.at);
    const gaps = failed.map((at, i) => at - (i === 0 ? lostAt : (failed[i - 1] as number)));
    // Attempt n waits min(1000, 100 * 2^(n-1)) ms, of which up to half is taken off at random.
    const bases = [100, 200, 400, 800, 1000];
    gaps.slice(0, 5).forEach((gap, i) => {
      const base = bases[i] as number;
      expect(gap).toBeGreaterThanOrEqual(base / 2);
      expect(gap).toBeLessThanOrEqual(base);
    });
    expect(client.endpoints[0]?.state).toBe('waiting');
    expect(await client.tables.table('Events').catch((e: unknown) => e)).toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });

    transport.setReachable('node-1', true);
    await waitUntil(clock, () => client.endpoints[0]?.state === 'open');
    expect(cluster.node('node-1').connections).toBe(1);
    expect((await client.tables.table('Events'))?.name).toBe('Events');
  });

  it('connects when some endpoints are down and reaches them later in the background', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1', 'node-2'], clock });
    cluster.transport.setReachable('node-2', false);
    await using client = await Client.connect({
      transport: cluster.transport,
      endpoints: ['node-1', 'node-2'],
      clock,
      rng: createRng(7),
      reconnect: RECONNECT,
    });
    expect(client.endpoints.map((e) => e.state)).toEqual(['open', 'waiting']);
    await clock.sleep(3000);
    cluster.transport.setReachable('node-2', true);
    await waitUntil(clock, () => client.endpoints[1]?.state === 'open');
    expect(client.endpoints[1]?.node).toBe('node-2');
    await client.close();
    clock.stop();
  });

  it('fails to connect with one error naming every endpoint when none can be reached', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1', 'node-2'], clock });
    cluster.transport.setReachable('node-1', false);
    cluster.node('node-2').silentHandshake = true;
    const failure = await Client.connect({
      transport: cluster.transport,
      endpoints: ['node-1', 'node-2', 'node-3'],
      clock,
      rng: createRng(7),
      connectTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClientError);
    expect(failure).toMatchObject({ code: 'NODE_UNAVAILABLE' });
    const message = (failure as Error).message;
    expect(message).toContain('could not connect to any endpoint');
    expect(message).toContain('node-1 (node-1 cannot be reached)');
    expect(message).toContain(
      'node-2 (the handshake with node-2 got no answer within connectTimeoutMs (500 ms))',
    );
    expect(message).toContain('node-3 (node-3 cannot be reached)');
    // Nothing is left running: no background attempt follows a failed connect.
    const attempts = cluster.transport.attempts.length;
    await clock.sleep(60_000);
    expect(cluster.transport.attempts.length).toBe(attempts);
    clock.stop();
  });

  it('stops reconnecting and fails waiting requests with CLOSED once closed', async () => {
    const fixture = await startFixture({ nodes: ['node-1', 'node-2'], client: { reconnect: RECONNECT } });
    const { clock, cluster, client } = fixture;
    cluster.node('node-1').intercept = () => ({ kind: 'drop' });
    cluster.node('node-2').intercept = () => ({ kind: 'drop' });
    cluster.transport.setReachable('node-2', false);
    cluster.transport.cut('node-2');
    await clock.sleep(1);
    expect(client.endpoints.map((e) => e.state)).toEqual(['open', 'waiting']);
    const pending = client.tables.tables().catch((e: unknown) => e);
    await clock.sleep(1);
    await client.close();
    expect(await pending).toMatchObject({ code: 'CLOSED', retryable: false });
    expect(client.endpoints.map((e) => e.state)).toEqual(['closed', 'closed']);
    const attempts = cluster.transport.attempts.length;
    await clock.sleep(10_000);
    expect(cluster.transport.attempts.length).toBe(attempts);
    expect(await client.tables.table('X').catch((e: unknown) => e)).toMatchObject({ code: 'CLOSED' });
    expect(cluster.node('node-1').connections).toBe(0);
    await fixture[Symbol.asyncDispose]();
  });
});

describe('Client lifecycle', () => {
  it('closes at the end of an await using scope', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1', 'node-2'], clock });
    let outer: Client | undefined;
    {
      await using client = await Client.connect({
        transport: cluster.transport,
        endpoints: ['node-1', 'node-2'],
        clock,
      });
      outer = client;
      expect(cluster.node('node-1').connections + cluster.node('node-2').connections).toBe(2);
    }
    expect(outer.isClosed).toBe(true);
    await clock.sleep(1);
    expect(cluster.node('node-1').connections + cluster.node('node-2').connections).toBe(0);
    clock.stop();
  });
});
