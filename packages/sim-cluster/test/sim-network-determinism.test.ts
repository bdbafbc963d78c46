// A failing simulated run must replay exactly from its seed: the same seed and the same sends must give the
// same deliveries at the same virtual times, and a different seed a different run (otherwise the faults are
// not drawn from the seed at all). The counters must also add up, or the cluster's reports would lie about
// what the network did.

import type { Connection } from '@datastreamer/protocol';
import { createRng } from '@datastreamer/protocol';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import type { NetworkStats } from '../src/network/network-stats.js';
import { SimNetwork } from '../src/network/sim-network.js';

/**
 * Three clients and two nodes exchange tagged units under drop, duplicate, reset, random delays and
 * reordering; returns every delivery and close, in the order they happened, with virtual times.
 */
async function trace(seed: number): Promise<string[]> {
  const clock = new SimClock();
  const net = new SimNetwork({ clock, rng: createRng(seed).child('net') });
  const log: string[] = [];
  const listenerFor = (connection: Connection) => ({
    data: (chunk: Uint8Array) =>
      log.push(`${clock.now()} ${connection.remote}->${connection.local} ${chunk.join(',')}`),
    close: (error?: Error) => log.push(`${clock.now()} close ${connection.local} ${error?.message ?? ''}`),
  });
  for (const node of ['node-1', 'node-2']) {
    net.listen(node, (connection) => {
      connection.setListener(listenerFor(connection));
      connection.send(new Uint8Array([0xee]));
    });
  }
  net.onEvent((event) => log.push(`${event.atMs} event ${event.kind}`));
  net.setFaults({ drop: 0.1, duplicate: 0.1, reset: 0.01, delayMs: [1, 40], reorder: true });
  const connections: Connection[] = [];
  for (const client of ['client-1', 'client-2', 'client-3']) {
    for (const node of ['node-1', 'node-2']) {
      const connection = await net.transport(client).connect(node);
      connection.setListener(listenerFor(connection));
      connections.push(connection);
    }
  }
  for (let round = 0; round < 30; round++) {
    for (const [index, connection] of connections.entries()) {
      if (connection.isOpen) {
        connection.send(new Uint8Array([index, round]));
      }
    }
    await clock.sleep(3);
  }
  await clock.sleep(100);
  clock.stop();
  return log;
}

/** Units still to be accounted for: every unit sent or duplicated is delivered, dropped, discarded or in flight. */
function unaccounted(stats: NetworkStats): number {
  return (
    stats.unitsSent +
    stats.unitsDuplicated -
    stats.unitsDelivered -
    stats.unitsDropped -
    stats.unitsDiscarded -
    stats.unitsInFlight
  );
}

const step = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('send' as const),
      connection: fc.nat(5),
      size: fc.integer({ min: 0, max: 64 }),
    }),
    weight: 12,
  },
  { arbitrary: fc.record({ op: fc.constant('reconnect' as const), connection: fc.nat(5) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant('sleep' as const), ms: fc.integer({ min: 0, max: 30 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('faults' as const),
      drop: fc.double({ min: 0, max: 1, noNaN: true }),
      duplicate: fc.double({ min: 0, max: 1, noNaN: true }),
      reset: fc.constantFrom(0, 0.05),
      reorder: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('close' as const), connection: fc.nat(5) }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant('disconnect' as const),
      node: fc.constantFrom('node-1', 'node-2'),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ op: fc.constant('clog' as const), ms: fc.integer({ min: 0, max: 50 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('partition' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('heal' as const) }), weight: 1 },
);

describe('SimNetwork determinism', () => {
  it('gives the same delivery trace for the same seed', async () => {
    const first = await trace(2024);
    const second = await trace(2024);
    expect(first.length).toBeGreaterThan(100);
    expect(second).toEqual(first);
  });

  it('gives a different delivery trace for a different seed', async () => {
    const first = await trace(2024);
    const other = await trace(2025);
    expect(other).not.toEqual(first);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 }), fc.array(step, { minLength: 10, maxLength: 80 })], {
    numRuns: 60,
  })('accounts for every unit, and delivers all it says it delivered', async (seed, steps) => {
    const clock = new SimClock();
    const net = new SimNetwork({ clock, rng: createRng(seed).child('net'), baseDelayMs: [0, 10] });
    let received = 0;
    const count = { data: () => received++, close: () => {} };
    for (const node of ['node-1', 'node-2']) {
      net.listen(node, (connection) => connection.setListener(count));
    }
    const ends = ['client-1', 'client-2', 'client-3'].flatMap((client) =>
      ['node-1', 'node-2'].map((node) => [client, node] as const),
    );
    const connections: (Connection | undefined)[] = [];
    const connect = async (index: number): Promise<void> => {
      const [client, node] = ends[index] ?? ['client-1', 'node-1'];
      try {
        const connection = await net.transport(client).connect(node);
        connection.setListener(count);
        connections[index] = connection;
      } catch (error) {
        // Only the partition below may refuse it.
        expect(error).toMatchObject({ code: 'NODE_UNAVAILABLE' });
      }
    };
    for (const index of ends.keys()) {
      await connect(index);
    }
    for (const s of steps) {
      switch (s.op) {
        case 'send': {
          const connection = connections[s.connection];
          if (connection?.isOpen) {
            connection.send(new Uint8Array(s.size));
          }
          break;
        }
        case 'reconnect':
          if (connections[s.connection]?.isOpen !== true) {
            await connect(s.connection);
          }
          break;
        case 'sleep':
          await clock.sleep(s.ms);
          break;
        case 'faults':
          net.setFaults({ drop: s.drop, duplicate: s.duplicate, reset: s.reset, reorder: s.reorder });
          break;
        case 'close':
          connections[s.connection]?.close();
          break;
        case 'disconnect':
          net.disconnect('client-1', s.node);
          break;
        case 'clog':
          net.clog('node-1', s.ms);
          break;
        case 'partition':
          net.partition(['client-2'], ['node-2']);
          break;
        case 'heal':
          net.heal();
          break;
      }
      expect(unaccounted(net.stats)).toBe(0);
    }
    net.heal();
    await clock.sleep(100);
    const stats = net.stats;
    expect(unaccounted(stats)).toBe(0);
    expect(stats.unitsInFlight).toBe(0);
    expect(stats.unitsDelivered).toBe(received);
    clock.stop();
  });
});
