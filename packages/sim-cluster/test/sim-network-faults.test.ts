// Per-unit faults drive the client's retries and the checkers' duplicate counts, so each must do exactly
// what it says and only where it is aimed: a drop loses the unit and nothing else, a duplicate arrives
// twice, delays delay, order holds under random delays unless reordering is asked for, and `between` hits
// one link (in either direction) and no other.

import { type Connection, type ConnectionListener, createRng, ProtocolError } from '@datastreamer/protocol';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import type { NetworkEvent } from '../src/network/network-event.js';
import { SimNetwork, type SimNetworkOptions } from '../src/network/sim-network.js';

class Recorder implements ConnectionListener {
  readonly chunks: Uint8Array[] = [];
  readonly times: number[] = [];
  readonly closes: (Error | undefined)[] = [];
  readonly #clock: SimClock;

  constructor(clock: SimClock) {
    this.#clock = clock;
  }

  data(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.times.push(this.#clock.now());
  }

  close(error?: Error): void {
    this.closes.push(error);
  }

  get tags(): number[] {
    return this.chunks.map((chunk) => chunk[0] ?? -1);
  }
}

/** A network with `node-1` listening; `byClient` maps each client name to what its server side heard. */
function setup(seed = 11, options: Partial<Omit<SimNetworkOptions, 'clock' | 'rng'>> = {}) {
  const clock = new SimClock();
  const net = new SimNetwork({ clock, rng: createRng(seed).child('net'), ...options });
  const events: NetworkEvent[] = [];
  net.onEvent((event) => events.push(event));
  const byClient = new Map<string, Recorder>();
  const serverSides = new Map<string, Connection>();
  net.listen('node-1', (connection) => {
    const recorder = new Recorder(clock);
    byClient.set(connection.remote, recorder);
    serverSides.set(connection.remote, connection);
    connection.setListener(recorder);
  });
  const heard = (client: string): Recorder => {
    const recorder = byClient.get(client);
    if (recorder === undefined) {
      throw new Error(`no connection from ${client}`);
    }
    return recorder;
  };
  return { clock, net, events, heard, serverSides };
}

function sendTags(connection: Connection, count: number, from = 0): void {
  for (let tag = from; tag < from + count; tag++) {
    connection.send(new Uint8Array([tag]));
  }
}

describe('SimNetwork faults', () => {
  it('loses every unit on a link with drop 1, keeps the connection open, and flows again once cleared', async () => {
    const { clock, net, events, heard } = setup();
    const client = await net.transport('client-1').connect('node-1');
    net.setFaults({ drop: 1, between: ['client-1', 'node-1'] });
    sendTags(client, 5);
    await clock.sleep(20);
    expect(heard('client-1').chunks).toEqual([]);
    expect(client.isOpen).toBe(true);
    expect(events.filter((event) => event.kind === 'drop')).toHaveLength(5);
    expect(net.stats).toMatchObject({ unitsSent: 5, unitsDropped: 5, unitsDelivered: 0 });
    net.setFaults({ between: ['node-1', 'client-1'] });
    sendTags(client, 2, 5);
    await clock.sleep(20);
    expect(heard('client-1').tags).toEqual([5, 6]);
  });

  it('delivers every unit after the first (the handshake) twice with duplicate 1, as separate copies right after each other', async () => {
    const { clock, net, events, heard } = setup();
    const client = await net.transport('client-1').connect('node-1');
    net.setFaults({ duplicate: 1, delayMs: [1, 30] });
    sendTags(client, 3);
    await clock.sleep(100);
    const recorder = heard('client-1');
    expect(recorder.tags).toEqual([0, 1, 1, 2, 2]);
    expect(recorder.chunks[1]).not.toBe(recorder.chunks[2]);
    expect(events.filter((event) => event.kind === 'duplicate')).toHaveLength(2);
    expect(net.stats).toMatchObject({ unitsSent: 3, unitsDuplicated: 2, unitsDelivered: 5 });
  });

  it('delays each unit by the configured time, measured on the virtual clock', async () => {
    const { clock, net, heard } = setup();
    const client = await net.transport('client-1').connect('node-1');
    net.setFaults({ delayMs: [30, 30] });
    const sentAt = clock.now();
    client.send(new Uint8Array([1]));
    await clock.sleep(29);
    expect(heard('client-1').chunks).toEqual([]);
    await clock.sleep(1);
    expect(heard('client-1').times).toEqual([sentAt + 30]);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 1, max: 60 })], { numRuns: 30 })(
    'keeps each delay inside [min, max]',
    async (seed, count) => {
      const { clock, net, heard } = setup(seed);
      const client = await net.transport('client-1').connect('node-1');
      net.setFaults({ delayMs: [10, 50], reorder: true });
      const sentAt = clock.now();
      sendTags(client, count);
      await clock.sleep(60);
      const times = heard('client-1').times;
      expect(times).toHaveLength(count);
      for (const time of times) {
        expect(time - sentAt).toBeGreaterThanOrEqual(10);
        expect(time - sentAt).toBeLessThanOrEqual(50);
      }
      clock.stop();
    },
  );

  test.prop(
    [
      fc.integer({ min: 0, max: 2 ** 32 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 15 })), {
        minLength: 1,
        maxLength: 25,
      }),
    ],
    { numRuns: 40 },
  )('keeps per-direction order under random delays while reorder is off', async (seed, bursts) => {
    const { clock, net, heard } = setup(seed);
    const client = await net.transport('client-1').connect('node-1');
    net.setFaults({ delayMs: [0, 80] });
    let tag = 0;
    for (const [count, pause] of bursts) {
      sendTags(client, count, tag);
      tag += count;
      await clock.sleep(pause);
    }
    await clock.sleep(100);
    expect(heard('client-1').tags).toEqual(Array.from({ length: tag }, (_, i) => i));
    clock.stop();
  });

  it('reorders units when reorder is on, losing none', async () => {
    const { clock, net, heard } = setup(3);
    const client = await net.transport('client-1').connect('node-1');
    net.setFaults({ delayMs: [0, 80], reorder: true });
    sendTags(client, 40);
    await clock.sleep(100);
    const tags = heard('client-1').tags;
    const inOrder = Array.from({ length: 40 }, (_, i) => i);
    expect(tags).not.toEqual(inOrder);
    expect([...tags].sort((a, b) => a - b)).toEqual(inOrder);
  });

  it('never lets data overtake a close, even with reorder on', async () => {
    const { clock, net, heard } = setup(5);
    net.setFaults({ delayMs: [0, 80], reorder: true });
    const client = await net.transport('client-1').connect('node-1');
    sendTags(client, 20);
    client.close();
    await clock.sleep(200);
    const recorder = heard('client-1');
    expect(recorder.chunks).toHaveLength(20);
    expect(recorder.closes).toEqual([undefined]);
    expect(net.stats).toMatchObject({ unitsDelivered: 20, unitsDiscarded: 0 });
  });

  it('aims `between` at one link only, in either order, and lets that link inherit the rest', async () => {
    const { clock, net, heard } = setup();
    net.setFaults({ delayMs: [25, 25] });
    net.setFaults({ drop: 1, between: ['node-1', 'client-1'] });
    const first = await net.transport('client-1').connect('node-1');
    const second = await net.transport('client-2').connect('node-1');
    const sentAt = clock.now();
    sendTags(first, 3);
    sendTags(second, 3);
    await clock.sleep(50);
    expect(heard('client-1').chunks).toEqual([]);
    expect(heard('client-2').tags).toEqual([0, 1, 2]);
    // client-2's link has no setting of its own: it takes the global delay.
    expect(heard('client-2').times).toEqual([sentAt + 25, sentAt + 25, sentAt + 25]);
  });

  it('resets the connection when a unit drawn for the reset fault arrives', async () => {
    const { clock, net, events, heard } = setup();
    const client = await net.transport('client-1').connect('node-1');
    const hears = new Recorder(clock);
    client.setListener(hears);
    net.setFaults({ reset: 1 });
    sendTags(client, 3);
    await clock.sleep(10);
    expect(heard('client-1').chunks).toEqual([]);
    for (const closes of [hears.closes, heard('client-1').closes]) {
      expect(closes).toHaveLength(1);
      expect(closes[0]).toBeInstanceOf(ProtocolError);
      expect(closes[0]).toMatchObject({ code: 'CONNECTION_LOST' });
    }
    expect(events).toContainEqual(expect.objectContaining({ kind: 'reset', reason: 'fault' }));
    expect(net.stats).toMatchObject({ unitsDiscarded: 3, connectionsReset: 1, unitsInFlight: 0 });
  });

  it('resets a connection whose sender puts more than maxInFlightBytes in flight', async () => {
    const { clock, net, heard } = setup(1, { maxInFlightBytes: 10 });
    const client = await net.transport('client-1').connect('node-1');
    const hears = new Recorder(clock);
    client.setListener(hears);
    client.send(new Uint8Array(6));
    expect(() => client.send(new Uint8Array(6))).not.toThrow();
    expect(client.isOpen).toBe(false);
    await clock.sleep(5);
    expect(heard('client-1').chunks).toEqual([]);
    expect(hears.closes[0]).toMatchObject({
      code: 'CONNECTION_LOST',
      message: expect.stringMatching(/in flight/),
    });
  });

  it('rejects fault settings that are out of range or unknown, naming the field', () => {
    const { net } = setup();
    expect(() => net.setFaults({ drop: 1.5 })).toThrow(/faults\.drop/);
    expect(() => net.setFaults({ duplicate: Number.NaN })).toThrow(/faults\.duplicate/);
    expect(() => net.setFaults({ delayMs: [5, 1] })).toThrow(/faults\.delayMs/);
    expect(() => net.setFaults({ delayMs: [-1, 1] })).toThrow(/faults\.delayMs/);
    const typo: Record<string, unknown> = { dropp: 0.1 };
    expect(() => net.setFaults(typo)).toThrow(/faults\.dropp/);
    expect(() => net.setFaults({ between: ['client-1', ''] })).toThrow(/between\[1\]/);
  });
});
