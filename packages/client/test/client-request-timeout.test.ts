import { silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { NodeConnection } from '../src/connection/node-connection.js';
import { ClientError } from '../src/errors/client-error.js';
import { FakeCluster } from './support/fake-cluster.js';

async function setup() {
  const clock = new SimClock();
  const cluster = new FakeCluster({ nodes: ['node-1'], clock });
  const connection = await NodeConnection.open(cluster.transport, 'node-1', {
    clock,
    logger: silentLogger,
    requestTimeoutMs: 2000,
    connectTimeoutMs: 1000,
  });
  return { clock, cluster, connection };
}

describe('NodeConnection request timeout', () => {
  it('fails an unanswered request with a retryable REQUEST_TIMEOUT after requestTimeoutMs of virtual time', async () => {
    const { clock, cluster, connection } = await setup();
    cluster.node('node-1').intercept = (request, next) =>
      request.op === 'HEARTBEAT' ? { kind: 'drop' } : next();
    const started = clock.now();
    const failure = await connection.request('HEARTBEAT', {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClientError);
    expect(failure).toMatchObject({ code: 'REQUEST_TIMEOUT', retryable: true });
    expect(clock.now() - started).toBe(2000);
    expect(connection.pendingRequests).toBe(0);
    connection.close();
    clock.stop();
  });

  it('drops an answer that comes after the timeout and keeps the connection usable', async () => {
    const { clock, cluster, connection } = await setup();
    let late = 0;
    cluster.node('node-1').intercept = async (request, next) => {
      if (request.op !== 'TABLES_GET' || late++ > 0) return next();
      await clock.sleep(3000);
      return next();
    };
    const failure = await connection.request('TABLES_GET', {}).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await clock.sleep(2000);
    expect(connection.isOpen).toBe(true);
    expect((await connection.request('TABLES_GET', {})).result).toEqual([]);
    connection.close();
    clock.stop();
  });

  it('honours a per-request timeout', async () => {
    const { clock, cluster, connection } = await setup();
    cluster.node('node-1').intercept = () => ({ kind: 'drop' });
    const started = clock.now();
    const failure = await connection.request('HEARTBEAT', {}, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(clock.now() - started).toBe(150);
    connection.close();
    clock.stop();
  });

  it('fails with CANCELLED when the signal aborts, before the timeout', async () => {
    const { clock, cluster, connection } = await setup();
    cluster.node('node-1').intercept = () => ({ kind: 'drop' });
    const controller = new AbortController();
    const pending = connection
      .request('HEARTBEAT', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    await clock.sleep(100);
    controller.abort(new Error('stop'));
    expect(await pending).toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(clock.now()).toBeLessThan(2000);
    connection.close();
    clock.stop();
  });
});
