import type { Connection } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { ClientDefaults } from '../src/client/client-options.js';
import { ClientError } from '../src/errors/client-error.js';
import { EVENTS, startFixture } from './support/client-fixture.js';

const HEARTBEATS = { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 };
const RECONNECT = { initialMs: 10, multiplier: 2, maxMs: 100, jitter: 0 };

// Regression for issue 19: one answer whose length prefix claimed 1 MiB left the client waiting for bytes
// that never came, reporting the connection open while every later request timed out, forever.
describe('Client dead connections', () => {
  it('detects a node that sent a lying length prefix within the heartbeat timeout, reconnects, and serves again', async () => {
    await using fixture = await startFixture({
      nodes: ['node-1'],
      tables: [EVENTS],
      client: { ...HEARTBEATS, reconnect: RECONNECT },
    });
    const { clock, cluster, client } = fixture;
    let poisoned: Connection | undefined;
    cluster.node('node-1').intercept = (_request, next, connection) => {
      if (poisoned !== undefined) return next();
      poisoned = connection;
      // A frame of 1 MiB is announced; its body never comes. Later answers are swallowed into it.
      connection.send(Uint8Array.of(0x00, 0x10, 0x00, 0x00));
      return { kind: 'drop' };
    };
    const sentAt = clock.now();
    const failure = await client.tables.table('Events').catch((error: unknown) => error);
    const detectedAfter = clock.now() - sentAt;
    expect(failure).toBeInstanceOf(ClientError);
    expect(failure).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
    expect((failure as Error).message).toMatch(/is dead: no message for \d+ ms and no answer to a heartbeat/);
    // Found within one quiet interval and one heartbeat timeout (plus the simulated network's round trip),
    // not after the 30 s request timeout.
    expect(detectedAfter).toBeLessThanOrEqual(
      HEARTBEATS.heartbeatIntervalMs + HEARTBEATS.heartbeatTimeoutMs + 5,
    );
    expect(poisoned?.isOpen).toBe(false);
    for (let i = 0; i < 200 && client.endpoints[0]?.state !== 'open'; i++) await clock.sleep(5);
    expect(client.endpoints[0]?.state).toBe('open');
    expect(await client.tables.table('Events')).not.toBeNull();
  });

  it('keeps a quiet but healthy connection open: its heartbeats are answered', async () => {
    await using fixture = await startFixture({ nodes: ['node-1'], tables: [EVENTS], client: HEARTBEATS });
    const { clock, cluster, client } = fixture;
    await clock.sleep(10_500);
    const heartbeats = cluster.received.filter((r) => r.request.op === 'HEARTBEAT');
    expect(heartbeats.length).toBeGreaterThanOrEqual(9);
    expect(heartbeats.length).toBeLessThanOrEqual(11);
    expect(client.endpoints[0]?.state).toBe('open');
    expect(await client.tables.table('Events')).not.toBeNull();
  });

  it('sends no heartbeat on a connection that keeps receiving, and none at all when turned off', async () => {
    await using busy = await startFixture({ nodes: ['node-1'], tables: [EVENTS], client: HEARTBEATS });
    for (let i = 0; i < 30; i++) {
      await busy.client.tables.tables();
      await busy.clock.sleep(200);
    }
    expect(busy.cluster.received.filter((r) => r.request.op === 'HEARTBEAT')).toEqual([]);
    await using off = await startFixture({
      nodes: ['node-1'],
      tables: [EVENTS],
      client: { heartbeatIntervalMs: 0 },
    });
    await off.clock.sleep(120_000);
    expect(off.cluster.received.filter((r) => r.request.op === 'HEARTBEAT')).toEqual([]);
  });

  it("defaults to Ignite 3's client: a 30 s interval and a 5 s timeout", () => {
    expect(ClientDefaults.heartbeatIntervalMs).toBe(30_000);
    expect(ClientDefaults.heartbeatTimeoutMs).toBe(5_000);
  });
});
