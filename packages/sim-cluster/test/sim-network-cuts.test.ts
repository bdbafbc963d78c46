// Cuts, clogs and crashes are how the simulation produces stale ownership views, lost in-flight requests
// and backpressure. A cut that leaks a unit, a reset that lets a unit through afterwards, or a clog that
// loses or reorders what it held would hide exactly the bugs these faults exist to find.
import { type Connection, type ConnectionListener, createRng, ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import type { NetworkEvent } from '../src/network/network-event.js';
import { SimNetwork } from '../src/network/sim-network.js';

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

/** One end of a connection with its own recorder, and the recorder of the far end. */
interface Link {
  readonly near: Connection;
  readonly nearHears: Recorder;
  readonly farHears: Recorder;
}

function setup(baseDelayMs: readonly [number, number] = [5, 5]) {
  const clock = new SimClock();
  const net = new SimNetwork({ clock, rng: createRng(99).child('net'), baseDelayMs });
  const events: NetworkEvent[] = [];
  net.onEvent((event) => events.push(event));
  /** What each node's accepted connections hear, keyed `node<-remote`. */
  const serverHears = new Map<string, Recorder>();
  const listen = (node: string): void => {
    net.listen(node, (connection) => {
      const recorder = new Recorder(clock);
      serverHears.set(`${node}<-${connection.remote}`, recorder);
      connection.setListener(recorder);
    });
  };
  for (const node of ['node-1', 'node-2', 'node-3']) {
    listen(node);
  }
  const open = async (from: string, to: string): Promise<Link> => {
    const near = await net.transport(from).connect(to);
    const nearHears = new Recorder(clock);
    near.setListener(nearHears);
    const farHears = serverHears.get(`${to}<-${from}`);
    if (farHears === undefined) {
      throw new Error(`${to} did not accept ${from}`);
    }
    return { near, nearHears, farHears };
  };
  return { clock, net, events, open, listen };
}

function expectReset(recorder: Recorder): void {
  expect(recorder.closes).toHaveLength(1);
  expect(recorder.closes[0]).toBeInstanceOf(ProtocolError);
  expect(recorder.closes[0]).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
}

describe('SimNetwork cuts, clogs and crashes', () => {
  it('resets connections across a partition, refuses new ones until heal, and spares the rest', async () => {
    const { clock, net, events, open } = setup();
    const across = await open('client-1', 'node-2');
    const within = await open('client-1', 'node-1');
    across.near.send(new Uint8Array([1]));
    net.partition(['client-1', 'node-1'], ['node-2', 'node-3']);
    expect(across.near.isOpen).toBe(false);
    // Listeners hear of the reset after the current event, never from inside `partition`.
    expect(across.nearHears.closes).toEqual([]);
    expect(() => across.near.send(new Uint8Array([2]))).toThrow(
      expect.objectContaining({ code: 'CONNECTION_LOST' }),
    );
    await expect(net.transport('client-1').connect('node-3')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    await expect(net.transport('node-2').connect('node-1')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    within.near.send(new Uint8Array([3]));
    await clock.sleep(20);
    expect(across.farHears.chunks).toEqual([]);
    expectReset(across.nearHears);
    expectReset(across.farHears);
    expect(within.farHears.tags).toEqual([3]);
    expect(within.nearHears.closes).toEqual([]);
    expect(events.map((event) => event.kind)).toEqual(['partition', 'reset', 'refuse', 'refuse']);

    net.heal();
    const again = await open('client-1', 'node-2');
    again.near.send(new Uint8Array([4]));
    await clock.sleep(10);
    expect(again.farHears.tags).toEqual([4]);
  });

  it('fails a connect whose set-up is cut by a partition', async () => {
    const { net } = setup();
    const attempt = net.transport('client-1').connect('node-1');
    net.partition(['client-1'], ['node-1']);
    await expect(attempt).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE' });
    expect(net.stats).toMatchObject({ connectionsRefused: 1, connectionsOpen: 0 });
  });

  it('refuses a partition with an endpoint in both groups', () => {
    const { net } = setup();
    expect(() => net.partition(['node-1', 'node-2'], ['node-2'])).toThrow(/node-2 is in both groups/);
  });

  it('isolates one endpoint from every other, including endpoints that appear later', async () => {
    const { clock, net, open } = setup();
    const toIsolated = await open('client-1', 'node-2');
    const elsewhere = await open('client-1', 'node-1');
    net.isolate('node-2');
    await clock.sleep(1);
    expectReset(toIsolated.nearHears);
    expect(elsewhere.nearHears.closes).toEqual([]);
    await expect(net.transport('client-7').connect('node-2')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    await expect(net.transport('node-2').connect('node-3')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    net.heal();
    await open('client-7', 'node-2');
  });

  it('disconnects with units in flight: they are never delivered, and a new connection works at once', async () => {
    const { clock, net, events, open } = setup([10, 10]);
    const link = await open('client-1', 'node-1');
    const other = await open('client-2', 'node-1');
    link.near.send(new Uint8Array([1]));
    link.near.send(new Uint8Array([2]));
    other.near.send(new Uint8Array([3]));
    await clock.sleep(5);
    net.disconnect('node-1', 'client-1');
    expect(net.stats).toMatchObject({ unitsDiscarded: 2, unitsInFlight: 1 });
    await clock.sleep(20);
    expect(link.farHears.chunks).toEqual([]);
    expectReset(link.nearHears);
    expectReset(link.farHears);
    expect(other.farHears.tags).toEqual([3]);
    expect(events.filter((event) => event.kind === 'reset')).toEqual([
      expect.objectContaining({ from: 'client-1', to: 'node-1', reason: 'disconnect' }),
    ]);
    expect(net.stats).toMatchObject({ unitsDiscarded: 2, connectionsReset: 1 });
    const again = await open('client-1', 'node-1');
    again.near.send(new Uint8Array([4]));
    await clock.sleep(20);
    expect(again.farHears.tags).toEqual([4]);
  });

  it('loses data one way only across a one-way cut, without resetting, and refuses new connections', async () => {
    const { clock, net, events, open } = setup();
    const link = await open('client-1', 'node-1');
    net.partitionOneWay(['client-1'], ['node-1']);
    link.near.send(new Uint8Array([1]));
    await clock.sleep(20);
    expect(link.farHears.chunks).toEqual([]);
    expect(link.near.isOpen).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'drop', cause: 'cut', from: 'client-1' }));
    await expect(net.transport('node-1').connect('client-1')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    net.heal();
    link.near.send(new Uint8Array([2]));
    await clock.sleep(20);
    expect(link.farHears.tags).toEqual([2]);
  });

  it('delivers the other direction across a one-way cut', async () => {
    const { clock, net } = setup();
    const serverSides: Connection[] = [];
    net.listen('node-9', (connection) => {
      serverSides.push(connection);
    });
    const client = await net.transport('client-1').connect('node-9');
    const hears = new Recorder(clock);
    client.setListener(hears);
    net.partitionOneWay(['client-1'], ['node-9']);
    serverSides[0]?.send(new Uint8Array([7]));
    await clock.sleep(20);
    expect(hears.tags).toEqual([7]);
  });

  it('holds units on a clogged link for the duration, then delivers them in order', async () => {
    const { clock, net, events, open } = setup([5, 5]);
    net.setFaults({ delayMs: [1, 40] });
    const clogged = await open('client-1', 'node-1');
    const free = await open('client-2', 'node-1');
    const start = clock.now();
    net.clog(['node-1', 'client-1'], 100);
    for (let tag = 0; tag < 10; tag++) {
      clogged.near.send(new Uint8Array([tag]));
      free.near.send(new Uint8Array([tag]));
    }
    await clock.sleep(99);
    expect(clogged.farHears.chunks).toEqual([]);
    expect(free.farHears.tags).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await clock.sleep(10);
    expect(clogged.farHears.tags).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.min(...clogged.farHears.times)).toBe(start + 100);
    expect(clogged.near.isOpen).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'clog', untilMs: start + 100 }));
  });

  it('holds units already in flight when a clog begins', async () => {
    const { clock, net, open } = setup([20, 20]);
    const link = await open('client-1', 'node-1');
    const sentAt = clock.now();
    link.near.send(new Uint8Array([1]));
    await clock.sleep(5);
    link.near.send(new Uint8Array([2]));
    await clock.sleep(5);
    net.clog('client-1', 50);
    await clock.sleep(100);
    expect(link.farHears.tags).toEqual([1, 2]);
    expect(link.farHears.times).toEqual([sentAt + 60, sentAt + 60]);
  });

  it('clogs everything to and from an endpoint, and heal lets it flow at once', async () => {
    const { clock, net, open } = setup([5, 5]);
    const toNode = await open('client-1', 'node-2');
    const fromNode = await open('node-2', 'node-3');
    const unrelated = await open('client-1', 'node-1');
    net.clog('node-2', 1_000);
    toNode.near.send(new Uint8Array([1]));
    fromNode.near.send(new Uint8Array([2]));
    unrelated.near.send(new Uint8Array([3]));
    await clock.sleep(50);
    expect(toNode.farHears.chunks).toEqual([]);
    expect(fromNode.farHears.chunks).toEqual([]);
    expect(unrelated.farHears.tags).toEqual([3]);
    const healedAt = clock.now();
    net.heal();
    await clock.sleep(1);
    expect(toNode.farHears.tags).toEqual([1]);
    expect(fromNode.farHears.tags).toEqual([2]);
    expect(toNode.farHears.times).toEqual([healedAt]);
  });

  it('takes an endpoint down: connections reset, in-flight units lost, connects refused until up and listen', async () => {
    const { clock, net, events, open, listen } = setup();
    const link = await open('client-1', 'node-1');
    link.near.send(new Uint8Array([1]));
    net.down('node-1');
    expect(net.isDown('node-1')).toBe(true);
    expect(net.isListening('node-1')).toBe(false);
    await clock.sleep(20);
    expect(link.farHears.chunks).toEqual([]);
    expectReset(link.nearHears);
    expectReset(link.farHears);
    await expect(net.transport('client-1').connect('node-1')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    // A down endpoint cannot open connections either: refused at once.
    const before = clock.now();
    await expect(net.transport('node-1').connect('node-2')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    expect(clock.now()).toBe(before);
    // Listening again while down is allowed, but nothing gets through until `up`.
    listen('node-1');
    await expect(net.transport('client-1').connect('node-1')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    net.up('node-1');
    const again = await open('client-1', 'node-1');
    again.near.send(new Uint8Array([2]));
    await clock.sleep(20);
    expect(again.farHears.tags).toEqual([2]);
    expect(
      events
        .filter((event) => event.kind === 'refuse')
        .map((event) => event.kind === 'refuse' && event.reason),
    ).toEqual(['down', 'down', 'down']);
  });

  it('needs a listen after up: a crashed endpoint lost its acceptor', async () => {
    const { net } = setup();
    net.down('node-3');
    net.up('node-3');
    await expect(net.transport('client-1').connect('node-3')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
  });
});
