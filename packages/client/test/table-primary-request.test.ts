import { ProtocolError, type Request } from '@datastreamer/protocol';
import type { VersionedSchema } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { ClientError } from '../src/errors/client-error.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { requestPrimary } from '../src/table/partition-route.js';
import { ReceiverStreamerSink } from '../src/table/receiver-streamer-sink.js';
import { MAX_SCHEMA_ROUNDS } from '../src/table/schema-errors.js';
import type { TableContext } from '../src/table/table-context.js';
import { TableRows } from '../src/table/table-rows.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { EVENTS, startFixture } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';
import type { Outcome } from './support/fake-node.js';
import { openSink, preparedSlot, sendOnce } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

async function setup() {
  const clock = new SimClock();
  const cluster = new FakeCluster({ clock, partitions: 4 });
  const events = cluster.createTable(EVENTS);
  const context = await openTableContext(cluster, clock);
  const dispose = () => {
    context.pool.close();
    clock.stop();
  };
  return { clock, cluster, context, tableId: events.tableId, dispose };
}

/** A TUPLE_UPSERT of `row` written with `schema`: the request `requestPrimary` sends, and its partition. */
function upsertOf(schema: VersionedSchema, row: object) {
  const { tuple, noValueSet } = schema.encodeRow(row);
  const partition = schema.partition();
  return {
    partition,
    payload: {
      tableId: schema.schema.tableId,
      schemaVersion: schema.version,
      partition,
      noValueSet,
      row: tuple,
    },
  };
}

/** Answers every request with op `op`, on every node, with `outcome` (the rest as the fake does). */
function answerEvery(cluster: FakeCluster, op: Request['op'], outcome: (next: () => Outcome) => Outcome) {
  for (const node of cluster.nodes.values()) {
    node.intercept = (request, next) => (request.op === op ? outcome(next) : next());
  }
}

function upsertNodes(cluster: FakeCluster): string[] {
  return cluster.received.filter((r) => r.request.op === 'TUPLE_UPSERT').map((r) => r.node);
}

describe('requestPrimary', () => {
  it('follows a partition to its new primary once a response flagged the newer assignment', async () => {
    const { cluster, context, tableId, dispose } = await setup();
    const schema = await context.schemas.latest(tableId);
    const { partition, payload } = upsertOf(schema, { EventId: 1n, Name: 'a' });
    const before = cluster.ownerOf('Events', partition);
    const after = before === 'node-1' ? 'node-2' : 'node-1';
    const send = () =>
      requestPrimary(context, { op: 'TUPLE_UPSERT', tableId, partition, payload: () => payload });

    expect((await send()).route).toMatchObject({ owner: before, assignment: { assignmentVersion: 1 } });
    cluster.setOwner('Events', partition, after);
    // The client still holds version 1: this one goes to the old primary, whose answer flags version 2.
    cluster.node(before).intercept = (_request, next) => ({ ...next(), assignmentVersion: 2 });
    expect((await send()).reply.assignmentVersion).toBe(2);
    const lookups = cluster.requestsOf('PARTITION_ASSIGNMENT_GET').length;
    const third = await send();
    expect(third.route).toMatchObject({ owner: after, assignment: { assignmentVersion: 2 } });
    expect(third.route.connection.nodeName).toBe(after);
    expect(cluster.requestsOf('PARTITION_ASSIGNMENT_GET')).toHaveLength(lookups + 1);
    expect(upsertNodes(cluster)).toEqual([before, before, after]);
    dispose();
  });

  it('re-encodes for the version a node expects and resends, in the same call', async () => {
    const { cluster, context, tableId, dispose } = await setup();
    const stale = await context.schemas.latest(tableId);
    cluster.addColumn('Events', { name: 'Tag', type: 'STRING', nullable: true });
    const row = { EventId: 5n, Name: 'e' };
    let request = upsertOf(stale, row);
    const versions: number[] = [];
    const { reply } = await requestPrimary(context, {
      op: 'TUPLE_UPSERT',
      tableId,
      partition: request.partition,
      payload: () => request.payload,
      reencode: (schema) => {
        versions.push(schema.version);
        request = upsertOf(schema, row);
      },
    });
    expect(reply.result).toBeNull();
    expect(versions).toEqual([2]);
    expect(cluster.requestsOf('TUPLE_UPSERT').map((r) => r.schemaVersion)).toEqual([1, 2]);
    expect(cluster.rows('Events')).toEqual([{ EventId: 5n, Name: 'e', Duration: 7, Tag: null }]);
    dispose();
  });

  it(`fails with the last mismatch after ${MAX_SCHEMA_ROUNDS} rounds`, async () => {
    const { cluster, context, tableId, dispose } = await setup();
    const schema = await context.schemas.latest(tableId);
    const { partition, payload } = upsertOf(schema, { EventId: 2n, Name: 'b' });
    // A node that keeps asking for version 1, whatever it is sent.
    const mismatch = new ProtocolError('SCHEMA_VERSION_MISMATCH', 'expected 1', {
      extensions: { 'expected-schema-ver': 1 },
    });
    answerEvery(cluster, 'TUPLE_UPSERT', () => ({ kind: 'error', error: mismatch }));
    let reencoded = 0;
    const error = await requestPrimary(context, {
      op: 'TUPLE_UPSERT',
      tableId,
      partition,
      payload: () => payload,
      reencode: () => {
        reencoded++;
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'SCHEMA_VERSION_MISMATCH', message: 'expected 1' });
    expect(cluster.requestsOf('TUPLE_UPSERT')).toHaveLength(MAX_SCHEMA_ROUNDS);
    expect(reencoded).toBe(MAX_SCHEMA_ROUNDS - 1);
    dispose();
  });

  it('surfaces a mismatch at once when the request has nothing to re-encode', async () => {
    const { cluster, context, tableId, dispose } = await setup();
    const schema = await context.schemas.latest(tableId);
    const { partition, payload } = upsertOf(schema, { EventId: 3n, Name: 'c' });
    cluster.addColumn('Events', { name: 'Tag', type: 'STRING', nullable: true });
    const error = await requestPrimary(context, {
      op: 'TUPLE_UPSERT',
      tableId,
      partition,
      payload: () => payload,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_VERSION_MISMATCH', retryable: true });
    expect(cluster.requestsOf('TUPLE_UPSERT')).toHaveLength(1);
    dispose();
  });
});

/** The three senders of the client, each sending one row (or payload) of table Events after `open`. */
async function sendersOf(context: TableContext, tableId: number) {
  const rows = new TableRows(context, tableId, 'Events');
  const plain = new TableStreamerSink<object>(context, tableId, 'Events', 'record');
  const receiver = new ReceiverStreamerSink<bigint, string>(context, tableId, {
    receiver: 'Echo',
    keyFn: (id) => ({ EventId: id }),
    payloadFn: (id) => `event ${id}`,
  });
  await openSink(plain);
  await openSink(receiver);
  const plainSlot: PreparedItem<TableStreamerEntry> = preparedSlot();
  plain.prepare({ EventId: 1n, Name: 'a' }, plainSlot);
  const receiverSlot: PreparedItem<unknown> = preparedSlot();
  receiver.prepare(1n, receiverSlot);
  return {
    'TableRows.upsert': () => rows.upsert([{ EventId: 1n, Name: 'a' }]),
    'TableStreamerSink.send': () =>
      sendOnce(plain, plainSlot.partition, [plainSlot.entry as TableStreamerEntry]),
    'ReceiverStreamerSink.send': () => sendOnce(receiver, receiverSlot.partition, [receiverSlot.entry]),
  };
}

describe('A failed partition-assignment lookup', () => {
  const failures = [
    { code: 'NODE_UNAVAILABLE', retryable: true },
    { code: 'TABLE_NOT_FOUND', retryable: false },
  ] as const;

  for (const { code, retryable } of failures) {
    it(`fails all three senders with the same ClientError ${code} (retryable: ${retryable}), the lookup's error as cause`, async () => {
      const { cluster, context, tableId, dispose } = await setup();
      const senders = await sendersOf(context, tableId);
      const cause = new ProtocolError(code, `assignment of ${tableId}: ${code}`);
      answerEvery(cluster, 'PARTITION_ASSIGNMENT_GET', () => ({ kind: 'error', error: cause }));
      const seen: unknown[] = [];
      for (const send of Object.values(senders)) {
        context.assignments.forget(tableId);
        seen.push(
          await send().then(
            () => 'sent',
            (e: unknown) => e,
          ),
        );
      }
      for (const error of seen) {
        expect(error).toBeInstanceOf(ClientError);
        expect(error).toMatchObject({
          code,
          retryable,
          message: `the partition assignment of table ${tableId} could not be fetched: assignment of ${tableId}: ${code}`,
          cause: { code, message: cause.message },
        });
      }
      // Nothing went out: a sender does not guess a node when it does not know the primary.
      expect(cluster.rowRequests()).toHaveLength(0);
      dispose();
    });
  }

  it('stays retryable for a stream: a transient lookup failure costs a retry, not the stream', async () => {
    // Without discovery: its member refresh, on hearing of the new assignment, would be the lookup that fails.
    await using fixture = await startFixture({
      tables: [EVENTS],
      partitions: 2,
      client: { clusterDiscovery: false },
    });
    const { cluster, client } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsert({ EventId: 0n, Name: 'loads the assignment' });
    cluster.setOwner('Events', 0, cluster.ownerOf('Events', 0) === 'node-1' ? 'node-2' : 'node-1');
    let failed = 0;
    answerEvery(cluster, 'PARTITION_ASSIGNMENT_GET', (next) => {
      if (failed > 0) return next();
      failed++;
      return { kind: 'error', error: new ProtocolError('NODE_UNAVAILABLE', 'metastore unreachable') };
    });
    const rows = Array.from({ length: 20 }, (_, i) => ({ EventId: BigInt(i), Name: `e${i}` }));
    const summary = await view.streamData(rows, { pageSize: 1, retryBackoff: { initialMs: 1, maxMs: 1 } });
    expect(failed).toBe(1);
    expect(summary.items).toBe(20);
    expect(summary.retries).toBeGreaterThanOrEqual(1);
    expect(cluster.rows('Events')).toHaveLength(20);
  });
});
