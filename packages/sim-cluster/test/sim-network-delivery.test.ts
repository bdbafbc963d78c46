// The basic contract every client and node relies on: a connect costs a round trip and fails with
// NODE_UNAVAILABLE when nothing listens; units arrive in order, as private copies; nothing is lost before a
// listener is set; a close lets earlier units through and is heard by both sides.
import { type Connection, type ConnectionListener, createRng, ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import type { NetworkEvent } from '../src/network/network-event.js';
import { SimNetwork, type SimNetworkOptions } from '../src/network/sim-network.js';
import { SimNetworkError } from '../src/network/sim-network-error.js';

/** Records what a connection hears, with the virtual time. */
class Recorder implements ConnectionListener {
  readonly chunks: Uint8Array[] = [];
  readonly times: number[] = [];
  closes: (Error | undefined)[] = [];
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

  /** The first byte of each chunk: tests tag units with it. */
  get tags(): number[] {
    return this.chunks.map((chunk) => chunk[0] ?? -1);
  }
}

function setup(options: Partial<Omit<SimNetworkOptions, 'clock' | 'rng'>> = {}) {
  const clock = new SimClock();
  const net = new SimNetwork({ clock, rng: createRng(7).child('net'), ...options });
  const events: NetworkEvent[] = [];
  net.onEvent((event) => events.push(event));
  const accepted: Connection[] = [];
  const server = new Recorder(clock);
  net.listen('node-1', (connection) => {
    accepted.push(connection);
    connection.setListener(server);
  });
  return { clock, net, events, accepted, server };
}

describe('SimNetwork delivery', () => {
  it('resolves a connect after one round trip, with both sides named', async () => {
    const { clock, net, accepted } = setup({ baseDelayMs: [5, 5] });
    const client = await net.transport('client-1').connect('node-1');
    expect(clock.now()).toBe(10);
    expect([client.local, client.remote, client.isOpen]).toEqual(['client-1', 'node-1', true]);
    expect(accepted).toHaveLength(1);
    expect([accepted[0]?.local, accepted[0]?.remote]).toEqual(['node-1', 'client-1']);
    expect(net.stats.connectionsOpened).toBe(1);
  });

  it('rejects a connect to an endpoint that does not listen with NODE_UNAVAILABLE after the round trip', async () => {
    const { clock, net, events } = setup({ baseDelayMs: [4, 4] });
    const attempt = net.transport('client-1').connect('node-9');
    await expect(attempt).rejects.toBeInstanceOf(ProtocolError);
    await expect(attempt).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE', retryable: true });
    expect(clock.now()).toBe(8);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'refuse', from: 'client-1', to: 'node-9', reason: 'not-listening' }),
    );
    expect(net.stats).toMatchObject({ connectionsRefused: 1, connectionsOpen: 0 });
  });

  it('delivers units in order, each as a private copy of what was sent', async () => {
    const { clock, net, server } = setup();
    const client = await net.transport('client-1').connect('node-1');
    const reused = new Uint8Array([1, 1, 1]);
    client.send(reused);
    reused.set([2, 2, 2]);
    client.send(reused);
    reused.set([3, 3, 3]);
    const buffer = Buffer.from([4, 5, 6]);
    client.send(buffer);
    buffer[0] = 99;
    await clock.sleep(5);
    expect(server.chunks.map((chunk) => [...chunk])).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [4, 5, 6],
    ]);
    expect(server.chunks[0]).not.toBe(reused);
    expect(server.chunks[2]).not.toBe(buffer);
    expect(Buffer.isBuffer(server.chunks[2])).toBe(false);
    expect(net.stats).toMatchObject({ unitsSent: 3, unitsDelivered: 3, bytesSent: 9, bytesDelivered: 9 });
  });

  it('carries units both ways, and between two nodes', async () => {
    const { clock, net, accepted } = setup();
    const second = new Recorder(clock);
    net.listen('node-2', (connection) => {
      connection.setListener(second);
      connection.send(new Uint8Array([20]));
    });
    const nodeLink = await net.transport('node-1').connect('node-2');
    const fromNode2 = new Recorder(clock);
    nodeLink.setListener(fromNode2);
    nodeLink.send(new Uint8Array([10]));
    const client = await net.transport('client-1').connect('node-1');
    const clientHears = new Recorder(clock);
    client.setListener(clientHears);
    accepted[0]?.send(new Uint8Array([30]));
    await clock.sleep(5);
    expect(second.tags).toEqual([10]);
    expect(fromNode2.tags).toEqual([20]);
    expect(clientHears.tags).toEqual([30]);
  });

  it('holds units that arrive before a listener is set, then hands them over in order', async () => {
    const { clock, net } = setup();
    const accepted: Connection[] = [];
    net.listen('node-2', (connection) => accepted.push(connection));
    const client = await net.transport('client-1').connect('node-2');
    for (let tag = 0; tag < 5; tag++) {
      client.send(new Uint8Array([tag]));
    }
    await clock.sleep(10);
    const late = new Recorder(clock);
    accepted[0]?.setListener(late);
    expect(late.tags).toEqual([0, 1, 2, 3, 4]);
    client.send(new Uint8Array([5]));
    await clock.sleep(5);
    expect(late.tags).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('lets units sent before a close arrive, then tells both sides', async () => {
    const { clock, net, server } = setup();
    const client = await net.transport('client-1').connect('node-1');
    const clientHears = new Recorder(clock);
    client.setListener(clientHears);
    client.send(new Uint8Array([1]));
    client.send(new Uint8Array([2]));
    client.close();
    client.close();
    expect(client.isOpen).toBe(false);
    expect(() => client.send(new Uint8Array([3]))).toThrow(
      expect.objectContaining({ code: 'CONNECTION_LOST' }),
    );
    await clock.sleep(5);
    expect(server.tags).toEqual([1, 2]);
    expect(server.closes).toEqual([undefined]);
    expect(clientHears.closes).toEqual([undefined]);
    expect(net.stats.connectionsOpen).toBe(0);
  });

  it('discards units on their way to a side that closed, and units sent to a peer that already closed', async () => {
    const { clock, net, accepted } = setup({ baseDelayMs: [3, 3] });
    const client = await net.transport('client-1').connect('node-1');
    const clientHears = new Recorder(clock);
    client.setListener(clientHears);
    accepted[0]?.send(new Uint8Array([1]));
    client.close();
    // The server has not heard of the close yet: its send is accepted and lost.
    expect(accepted[0]?.isOpen).toBe(true);
    accepted[0]?.send(new Uint8Array([2]));
    await clock.sleep(10);
    expect(clientHears.chunks).toEqual([]);
    expect(accepted[0]?.isOpen).toBe(false);
    expect(net.stats).toMatchObject({ unitsSent: 2, unitsDelivered: 0, unitsDiscarded: 2, unitsInFlight: 0 });
  });

  it('keeps open connections after unlisten but refuses new ones', async () => {
    const { clock, net, server } = setup();
    const client = await net.transport('client-1').connect('node-1');
    net.unlisten('node-1');
    expect(net.isListening('node-1')).toBe(false);
    client.send(new Uint8Array([1]));
    await clock.sleep(5);
    expect(server.tags).toEqual([1]);
    await expect(net.transport('client-2').connect('node-1')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
  });

  it('gives one transport per endpoint name', () => {
    const { net } = setup();
    expect(net.transport('client-1')).toBe(net.transport('client-1'));
    expect(net.transport('client-1')).not.toBe(net.transport('client-2'));
  });

  it('rejects bad names, a second listen, and a connect to a bad name', async () => {
    const { net } = setup();
    expect(() => net.listen('node-1', () => {})).toThrow(SimNetworkError);
    expect(() => net.listen('node-1', () => {})).toThrow(/already listening/);
    expect(() => net.transport('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => net.partition(['a\u0000b'], ['c'])).toThrow(/groupA\[0\]/);
    await expect(net.transport('client-1').connect('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => new SimNetwork({ clock: new SimClock(), rng: createRng(1), maxInFlightBytes: 0 })).toThrow(
      /maxInFlightBytes/,
    );
  });
});
