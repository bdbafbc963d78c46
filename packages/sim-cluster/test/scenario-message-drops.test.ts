import { Client } from '@datastreamer/client';
import { type Connection, type ConnectionListener, createRng, type Transport } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import type { SimNetwork } from '../src/network/sim-network.js';
import {
  eventsView,
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  workload,
} from './scenario-support.js';

/**
 * A connection whose every fifth request (counted over all connections of the transport, handshakes
 * excluded) is sent and then cut off: the network resets the connection while the request is on the wire,
 * as a server that drops the connection on every fifth request.
 */
class FlakyConnection implements Connection {
  readonly #inner: Connection;
  readonly #network: SimNetwork;
  readonly #counter: { requests: number; cut: number };
  #sends = 0;

  constructor(inner: Connection, network: SimNetwork, counter: { requests: number; cut: number }) {
    this.#inner = inner;
    this.#network = network;
    this.#counter = counter;
  }

  get local(): string {
    return this.#inner.local;
  }

  get remote(): string {
    return this.#inner.remote;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  setListener(listener: ConnectionListener): void {
    this.#inner.setListener(listener);
  }

  send(bytes: Uint8Array): void {
    this.#inner.send(bytes);
    // The first unit of a connection is its handshake.
    if (this.#sends++ > 0 && ++this.#counter.requests % 5 === 0) {
      this.#counter.cut++;
      this.#network.disconnect(this.local, this.remote);
    }
  }

  close(): void {
    this.#inner.close();
  }
}

describe('Scenario: messages dropped on the network', () => {
  it('stores every item when 5% of all messages are lost, by timeouts and retries', async () => {
    const { cluster, client, view } = await startScenario({ seed: 51 });
    await using _ = cluster;
    cluster.network.setFaults({ drop: 0.05 });
    const items = workload({ seed: 51, items: 800, keys: 100 });
    const summary = await cluster.stream(view, items, { client, seq: seqOf }, { pageSize: 20 });
    cluster.network.heal();

    expect(summary.items).toBe(800);
    expect(summary.retries).toBeGreaterThan(0);
    const drops = cluster.history.ofType('fault').filter((e) => e.kind === 'drop');
    expect(drops.length).toBeGreaterThan(0);
    expect(cluster.network.stats.unitsDropped).toBe(drops.length);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('stores every item when only the link to one node loses half its messages', async () => {
    const { cluster, client, view } = await startScenario({ seed: 52 });
    await using _ = cluster;
    cluster.network.setFaults({ drop: 0.5, between: ['client-1', 'node-2'] });
    const items = workload({ seed: 52, items: 500, keys: 60 });
    const summary = await cluster.stream(view, items, { client, seq: seqOf }, { pageSize: 20 });
    cluster.network.heal();

    expect(summary.items).toBe(500);
    const drops = cluster.history.ofType('fault').filter((e) => e.kind === 'drop');
    expect(drops.length).toBeGreaterThan(0);
    for (const drop of drops) {
      const { from, to } = drop.details as { readonly from?: string; readonly to?: string };
      expect([from, to].sort()).toEqual(['client-1', 'node-2']);
    }
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('stores every item when every fifth request loses its connection', async () => {
    const { cluster } = await startScenario({ seed: 53 });
    await using _ = cluster;
    const counter = { requests: 0, cut: 0 };
    const inner = cluster.network.transport('flaky-client');
    const transport: Transport = {
      connect: async (endpoint) =>
        new FlakyConnection(await inner.connect(endpoint), cluster.network, counter),
    };
    const flaky = await Client.connect({
      name: 'flaky-client',
      transport,
      endpoints: cluster.nodes,
      clock: cluster.clock,
      rng: createRng(53).child('flaky-client'),
      requestTimeoutMs: 1000,
    });
    try {
      const view = await eventsView(flaky);
      const items = workload({ seed: 53, items: 700, keys: 90 });
      const summary = await cluster.stream(
        view,
        items,
        { client: 'flaky-client', seq: seqOf },
        { pageSize: 20 },
      );

      expect(summary.items).toBe(700);
      expect(counter.cut).toBeGreaterThanOrEqual(Math.floor(summary.batches / 5));
      expect(summary.retries).toBeGreaterThan(0);
      const resets = cluster.history.ofType('fault').filter((e) => e.kind === 'reset');
      expect(resets.length).toBe(counter.cut);
      expect(tableRows(cluster)).toEqual(expectedRows(items));
      expectValid(cluster);
    } finally {
      await flaky.close();
    }
  });
});
