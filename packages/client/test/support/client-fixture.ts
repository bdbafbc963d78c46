/**
 * Test support: a client connected to a fake cluster on virtual time, as an `await using` resource, and the
 * table definitions the tests share.
 */
import { createRng, type TableDefinition } from '@datastreamer/protocol';
import { SimClock } from '../../../sim-cluster/src/clock/sim-clock.js';
import { Client } from '../../src/client/client.js';
import type { ClientOptions } from '../../src/client/client-options.js';
import { FakeCluster, type FakeClusterOptions } from './fake-cluster.js';

export interface Fixture extends AsyncDisposable {
  readonly clock: SimClock;
  readonly cluster: FakeCluster;
  readonly client: Client;
}

export interface FixtureOptions extends FakeClusterOptions {
  /** Tables created on the cluster before the client connects. */
  readonly tables?: readonly TableDefinition[];
  /** Client options besides transport, endpoints, clock and rng. */
  readonly client?: Partial<ClientOptions>;
  /** Endpoints the client is given. Default: every node. */
  readonly endpoints?: readonly string[];
}

/** A fake cluster, a virtual clock, and a client connected to every node. */
export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const clock = new SimClock();
  const cluster = new FakeCluster({ ...options, clock });
  for (const table of options.tables ?? []) cluster.createTable(table);
  const client = await Client.connect({
    transport: cluster.transport,
    endpoints: options.endpoints ?? [...cluster.nodes.keys()],
    clock,
    rng: createRng(42),
    ...options.client,
  });
  return {
    clock,
    cluster,
    client,
    async [Symbol.asyncDispose]() {
      await client.close();
      clock.stop();
    },
  };
}

/** A table with a one-column INT64 key, a string, and a nullable column with a default. */
export const EVENTS: TableDefinition = {
  name: 'Events',
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'Name', type: 'STRING' },
    { name: 'Duration', type: 'INT32', nullable: true, default: 7 },
  ],
  primaryKey: ['EventId'],
};

/** A table whose two-column key is not at the front, colocated by one of the key columns. */
export const PLAYS: TableDefinition = {
  name: 'Plays',
  columns: [
    { name: 'Score', type: 'DOUBLE' },
    { name: 'UserId', type: 'INT32' },
    { name: 'Note', type: 'STRING', nullable: true },
    { name: 'TrackId', type: 'STRING' },
  ],
  primaryKey: ['TrackId', 'UserId'],
  colocateBy: ['UserId'],
};
