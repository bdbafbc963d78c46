// Authentication through the whole stack (issue 19): clients connect with basic credentials when the cluster
// has users, nodes prove the cluster secret to each other (forwarding works), a fake node peer is refused
// before its ops touch anything, every refusal is a typed AUTHENTICATION_FAILED that does not hang, and no
// password or secret ever reaches a log record or an error.

import { ClientError } from '@datastreamer/client';
import type { Logger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RawConnection } from './support/raw-connection.js';

const ALICE = { username: 'alice', password: 'alice-pw-7f3a9c' };
const WRONG = 'wrong-pw-5e1d2b';
const SECRET = 'cluster-secret-c0ffee';

const EVENTS = {
  name: 'Events',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Name', type: 'STRING' as const },
  ],
  primaryKey: ['Id'],
};

/** A pino-shaped logger that keeps every record, at every level, with its bindings. */
function recordingLogger(records: unknown[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (fields: object | string, message?: string): void => {
      records.push({ level, bindings, fields, message });
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => recordingLogger(records, { ...bindings, ...more }),
  };
}

/** Everything `value` holds, as text: strings, errors (message, stack, cause), bytes (hex and UTF-8). */
function allText(value: unknown): string {
  const seen = new Set<unknown>();
  const parts: string[] = [];
  const walk = (item: unknown): void => {
    if (item instanceof Uint8Array) {
      parts.push(Buffer.from(item).toString('hex'), new TextDecoder().decode(item));
      return;
    }
    if (item instanceof Map) {
      for (const [key, entry] of item) walk([key, entry]);
      return;
    }
    if (item === null || typeof item !== 'object') {
      parts.push(String(item));
      return;
    }
    if (seen.has(item)) return;
    seen.add(item);
    if (item instanceof Error) parts.push(item.message, item.stack ?? '');
    for (const key of Object.getOwnPropertyNames(item)) walk((item as Record<string, unknown>)[key]);
  };
  walk(value);
  return parts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('it succeeded'),
    (error: unknown) => error,
  );
}

describe('SimCluster authentication', () => {
  it('serves clients with good credentials, refuses wrong and missing ones, and never logs a secret', async () => {
    const records: unknown[] = [];
    await using cluster = await SimCluster.start({
      nodes: 3,
      partitions: 8,
      seed: 19,
      logger: recordingLogger(records),
      auth: { users: [ALICE], clusterSecret: SECRET },
    });
    const client = await cluster.connect({ auth: ALICE });
    await client.catalog.createTable(EVENTS);
    // A client of one node: the others' partitions are forwarded over authenticated node links.
    const partial = await cluster.connect({ nodes: ['node-1'], auth: ALICE });
    const view = (await partial.tables.table('Events'))?.recordView();
    const summary = await view?.streamData(
      Array.from({ length: 200 }, (_, i) => ({ Id: BigInt(i), Name: `e${i}` })),
      { pageSize: 20 },
    );
    expect(summary?.rerouted).toBeGreaterThan(0);
    expect(await cluster.readTable('Events')).toHaveLength(200);

    const errors: unknown[] = [];
    for (const auth of [
      { username: 'alice', password: WRONG },
      { username: 'mallory', password: WRONG },
      undefined,
    ]) {
      const startedAt = cluster.clock.now();
      const error = await failure(cluster.connect(auth === undefined ? {} : { auth }));
      errors.push(error);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
      // Refused in a round trip or two, not after a timeout or a reconnect loop.
      expect(cluster.clock.now() - startedAt).toBeLessThan(50);
    }
    expect(allText(errors)).not.toContain(WRONG);
    const logged = allText(records);
    expect(records.length).toBeGreaterThan(0);
    for (const secret of [ALICE.password, WRONG, SECRET]) expect(logged).not.toContain(secret);
    expect(logged).toContain('handshake refused');
  });

  it('refuses a fake node peer before its TX_ROWS_GET or TX_ROWS_WRITE touches anything', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, seed: 7 });
    const admin = await cluster.connect();
    await admin.catalog.createTable(EVENTS);
    const schema = cluster.controlPlane.catalog.latest('Events');
    if (schema === undefined) throw new Error('no table');
    const target = {
      txId: '123e4567-e89b-12d3-a456-426614174000',
      coordinator: 'node-9',
      startTimestamp: 1n << 62n,
      tableId: schema.tableId,
      partitionId: 0,
      schemaVersion: 1,
    };
    const owner = cluster.controlPlane.placement.owner(schema.tableId, 0) as string;
    const before = cluster.node(owner).clock.current();
    for (const op of ['TX_ROWS_GET', 'TX_ROWS_WRITE'] as const) {
      const fake = await RawConnection.open(cluster, 'node-9', owner);
      const answer = await fake.handshake('node', 'node-9');
      expect(answer.kind).toBe('accepted');
      const response =
        op === 'TX_ROWS_GET'
          ? await fake.send(op, { ...target, keys: [] })
          : await fake.send(op, { ...target, rows: [{ key: Uint8Array.of(0, 1, 1), row: null }] });
      expect(response.kind === 'error' && response.error).toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        retryable: false,
      });
      await fake.closed;
      expect(fake.isOpen).toBe(false);
    }
    // The start timestamp near 2^62 never reached the clock, and nothing was written.
    expect(cluster.node(owner).clock.current()).toBeLessThan(1n << 60n);
    expect(cluster.node(owner).clock.current()).toBeGreaterThanOrEqual(before);
    expect(await cluster.readTable('Events')).toEqual([]);
  });

  it('refuses bad auth options by name, without quoting them', async () => {
    await expect(
      SimCluster.start({ auth: { users: [{ username: 'a', password: 1 as never }] } }),
    ).rejects.toThrow(
      /option auth\.users must be an array of \{ username: a non-empty string, password: a string \}/,
    );
    await expect(SimCluster.start({ auth: { clusterSecret: '' } })).rejects.toThrow(/auth\.clusterSecret/);
    await expect(SimCluster.start({ auth: { token: SECRET } as never })).rejects.toThrow(
      /unknown option auth\.token/,
    );
  });
});
