/**
 * Bounded clocks (issue 19). The attack: a node peer sent TX_ROWS_GET with a start timestamp of 2^63 - 2;
 * the node moved its hybrid clock there, could encode no answer any more, and closed every connection. Now a
 * timestamp further ahead than `maxClockOffsetMs` is refused before it touches the clock, and a node whose
 * kept high-water mark is absurd refuses to restart instead of serving.
 */
import { ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { hybridTimestamp, MAX_TIMESTAMP, physicalMillis } from '../src/clock/hlc.js';
import { ServerError } from '../src/errors/server-error.js';
import { sendBatch } from './support/batches.js';
import { caught } from './support/caught.js';
import { TestCluster } from './support/test-cluster.js';

function setup() {
  const cluster = new TestCluster(['node-1']);
  return { cluster, rows: cluster.plays(), target: cluster.target(), node: cluster.node('node-1') };
}

function rowsGet(tableId: number, startTimestamp: bigint) {
  return {
    txId: '123e4567-e89b-12d3-a456-426614174000',
    coordinator: 'node-9',
    startTimestamp,
    tableId,
    partitionId: 0,
    schemaVersion: 1,
    keys: [],
  };
}

describe('ClusterNode clock bounds', () => {
  it('refuses a peer timestamp near 2^63 before it touches the clock; bystanders keep being served', async () => {
    const { cluster, rows, target, node } = setup();
    const bystander = await cluster.client('node-1', { name: 'client-1' });
    const peer = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
    const before = node.clock.current();
    for (const startTimestamp of [MAX_TIMESTAMP - 1n, hybridTimestamp(cluster.clock.now() + 501)]) {
      const response = await peer.send('TX_ROWS_GET', rowsGet(rows.tableId, startTimestamp));
      expect(response.kind).toBe('error');
      const error = (response.kind === 'error' ? response.error : undefined) as ProtocolError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.code).toBe('CLOCK_OFFSET_EXCEEDED');
      expect(error.retryable).toBe(false);
    }
    expect(physicalMillis(node.clock.current())).toBeLessThanOrEqual(cluster.clock.now() + 1);
    expect(node.clock.current()).toBeGreaterThanOrEqual(before);
    // Nothing was closed and every answer still encodes.
    const put = await sendBatch(bystander, rows, [{ op: 'PUT', row: { Id: 1, Track: 'a' } }], target);
    expect(put.kind).toBe('ok');
    expect(peer.isClosed).toBe(false);
    await expect(peer.call('TX_ROWS_GET', rowsGet(rows.tableId, node.clock.now()))).resolves.toEqual([]);
  });

  it('takes a peer timestamp within maxClockOffsetMs, and honours a larger configured bound', async () => {
    // A lease must outlast the bound (its holder stops serving that long before it expires).
    expect(() => new TestCluster(['node-1'], { maxClockOffsetMs: 60_000 })).toThrow(/leaseMarginMs/);
    const cluster = new TestCluster(['node-1'], { maxClockOffsetMs: 60_000 }, 4, 120_000);
    const rows = cluster.plays();
    const peer = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
    const ahead = hybridTimestamp(cluster.clock.now() + 59_000);
    await expect(peer.call('TX_ROWS_GET', rowsGet(rows.tableId, ahead))).resolves.toEqual([]);
    expect(cluster.node('node-1').clock.current()).toBeGreaterThan(ahead);
    expect(() => new TestCluster(['node-2'], { maxClockOffsetMs: 0 })).toThrow(/maxClockOffsetMs/);
  });

  it('refuses to restart with a high-water mark far ahead of its clock, clearly, and serves once the clock is back', async () => {
    const { cluster, rows, target, node } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [{ op: 'PUT', row: { Id: 1, Track: 'a' } }], target);
    node.crash();
    // The machine's clock was reset by an hour while the node was down.
    cluster.clock.rewind(3_600_000);
    const error = caught(() => node.restart());
    expect(error).toBeInstanceOf(ServerError);
    expect(error.code).toBe('CLOCK_OFFSET_EXCEEDED');
    expect(error.message).toMatch(/node-1 refuses to start: its stored clock high-water mark/);
    expect(error.message).toMatch(
      /3600000 ms ahead of its physical clock, more than maxClockOffsetMs \(500 ms\)/,
    );
    expect(node.isRunning).toBe(false);
    await expect(cluster.client('node-1')).rejects.toThrow();
    cluster.clock.advance(3_600_000);
    node.restart();
    expect(node.isRunning).toBe(true);
    const again = await cluster.client('node-1');
    await expect(again.call('HEARTBEAT', {})).resolves.toBeNull();
  });
});
