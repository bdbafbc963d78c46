import { MsgPackWriter, type Request, silentLogger } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { NodeConnection } from '../src/connection/node-connection.js';
import { FakeCluster } from './support/fake-cluster.js';
import type { Outcome } from './support/fake-node.js';

interface Held {
  readonly request: Request;
  readonly release: () => void;
}

/** A cluster with tables T0..T{n-1}, whose node holds every TABLE_GET until the test releases it. */
async function setup(tables: number) {
  const clock = new SimClock();
  const cluster = new FakeCluster({ nodes: ['node-1'], clock });
  for (let i = 0; i < tables; i++) {
    cluster.createTable({ name: `T${i}`, columns: [{ name: 'K', type: 'INT32' }], primaryKey: ['K'] });
  }
  const held: Held[] = [];
  cluster.node('node-1').intercept = (request, next) => {
    if (request.op !== 'TABLE_GET') return next();
    return new Promise<Outcome>((resolve) => held.push({ request, release: () => resolve(next()) }));
  };
  const connection = await NodeConnection.open(cluster.transport, 'node-1', {
    clock,
    logger: silentLogger,
    requestTimeoutMs: 60_000,
    connectTimeoutMs: 1000,
  });
  return { clock, cluster, connection, held };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await Promise.resolve();
  expect(condition()).toBe(true);
}

describe('NodeConnection multiplexing', () => {
  it('matches answers given in reverse order to their requests', async () => {
    const { clock, connection, held } = await setup(5);
    const replies = [0, 1, 2, 3, 4].map((i) => connection.request('TABLE_GET', { name: `T${i}` }));
    await until(() => held.length === 5);
    expect(connection.pendingRequests).toBe(5);
    for (const entry of [...held].reverse()) entry.release();
    const names = (await Promise.all(replies)).map((reply) => reply.result?.name);
    expect(names).toEqual(['T0', 'T1', 'T2', 'T3', 'T4']);
    expect(connection.pendingRequests).toBe(0);
    connection.close();
    clock.stop();
  });

  it('matches answers given in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 8 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.nat(), { minLength: n, maxLength: n }))),
        async ([n, keys]) => {
          const { clock, connection, held } = await setup(n);
          const replies = Array.from({ length: n }, (_, i) =>
            connection.request('TABLE_GET', { name: `T${i}` }),
          );
          await until(() => held.length === n);
          const order = held.map((entry, i) => ({ entry, key: keys[i] ?? 0 })).sort((a, b) => a.key - b.key);
          for (const { entry } of order) entry.release();
          const names = (await Promise.all(replies)).map((reply) => reply.result?.name);
          expect(names).toEqual(Array.from({ length: n }, (_, i) => `T${i}`));
          connection.close();
          clock.stop();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects only the request whose answer is an error', async () => {
    const { clock, cluster, connection } = await setup(1);
    cluster.node('node-1').intercept = undefined;
    const [missing, found] = await Promise.allSettled([
      connection.request('SCHEMAS_GET', { tableId: 999, versions: null }),
      connection.request('TABLE_GET', { name: 'T0' }),
    ]);
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { code: 'TABLE_NOT_FOUND', retryable: false },
    });
    expect(found).toMatchObject({ status: 'fulfilled', value: { result: { name: 'T0' } } });
    connection.close();
    clock.stop();
  });

  it('fails only the request whose answer cannot be decoded, and keeps serving', async () => {
    const { clock, cluster, connection } = await setup(1);
    cluster.node('node-1').intercept = (request, next, served) => {
      if (request.op !== 'TABLE_GET' || request.name !== 'bad') return next();
      // A well-framed answer whose body is wrong for TABLE_GET (a string where nil or a table belongs).
      const writer = new MsgPackWriter();
      writer.reserve(4);
      writer.writeInt(request.requestId);
      writer.writeInt32(0);
      writer.writeInt(0);
      writer.writeString('not a table');
      writer.patchUint32(0, writer.length - 4);
      served.send(writer.toBytes());
      return { kind: 'drop' };
    };
    const bad = connection.request('TABLE_GET', { name: 'bad' }).catch((e: unknown) => e);
    const good = connection.request('TABLE_GET', { name: 'T0' });
    expect(await bad).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect((await good).result?.name).toBe('T0');
    expect(connection.isOpen).toBe(true);
    expect((await connection.request('HEARTBEAT', {})).result).toBeNull();
    connection.close();
    clock.stop();
  });

  it('refuses a request it cannot encode without sending anything', async () => {
    const { clock, cluster, connection } = await setup(0);
    const before = cluster.received.length;
    const failure = await connection
      .request('SCHEMAS_GET', { tableId: 2 ** 40, versions: null })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(cluster.received.length).toBe(before);
    expect(connection.pendingRequests).toBe(0);
    connection.close();
    clock.stop();
  });
});
