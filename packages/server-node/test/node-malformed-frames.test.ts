import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRows, sendBatch } from './support/batches.js';
import { RawClient } from './support/raw-client.js';
import { settle } from './support/settle.js';
import { TestCluster } from './support/test-cluster.js';

function setup() {
  const cluster = new TestCluster(['node-1'], { maxFrameSize: 1024 });
  return { cluster, rows: cluster.plays(), target: cluster.target() };
}

describe('ClusterNode with malformed requests', () => {
  it('answers a body that does not decode with PROTOCOL_ERROR for its request id, and keeps serving', async () => {
    const { cluster } = setup();
    const client = await cluster.client('node-1');
    // TABLE_GET (4), request 5, then an int where the table name belongs.
    const answer = client.expect(5, 'TABLE_GET');
    client.sendFrame(Uint8Array.of(0x04, 0x05, 0x2a));
    const response = await answer;
    expect(response.kind === 'error' && response.error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(response.kind === 'error' && response.error.message).toContain(
      'TABLE_GET request 5: name: expected str',
    );
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it('answers an unknown op code naming it, and keeps serving', async () => {
    const { cluster } = setup();
    const client = await cluster.client('node-1');
    const answer = client.expect(41, 'HEARTBEAT');
    client.sendFrame(Uint8Array.of(0x63, 0x29));
    const response = await answer;
    expect(response.kind === 'error' && response.error.message).toContain('unknown op code 99 (request 41)');
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it('closes only the connection that sent a frame over the maximum size', async () => {
    const { cluster, rows, target } = setup();
    const bad = await cluster.client('node-1');
    const good = await cluster.client('node-1', { name: 'client-2' });
    // good's batch is sent first and is still being delivered when bad's oversized length prefix arrives.
    const pending = sendBatch(good, rows, [{ op: 'PUT', row: { Id: 1, Track: 'kept' } }], target);
    bad.sendBytes(Uint8Array.of(0x00, 0x00, 0x10, 0x00));
    await bad.closed;
    expect((await pending).kind).toBe('ok');
    expect(await readRows(good, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'kept' }]);
    expect(cluster.node('node-1').metrics()).toMatchObject({ connections: 1, errors: 1 });
  });

  it('closes a connection whose request id cannot be read, and only that one', async () => {
    const { cluster } = setup();
    const bad = await cluster.client('node-1');
    const good = await cluster.client('node-1', { name: 'client-2' });
    bad.sendFrame(Uint8Array.of(0x01, 0xc1));
    await bad.closed;
    await expect(good.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it('keeps other connections and committed rows intact whatever bytes one connection sends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (bodies, framed) => {
          const { cluster, rows, target } = setup();
          const good = await cluster.client('node-1', { name: 'client-2' });
          await sendBatch(good, rows, [{ op: 'PUT', row: { Id: 1, Track: 'before' } }], target);
          const noisy = await RawClient.connect(cluster.network, 'node-1');
          for (const body of bodies) {
            if (noisy.isClosed) break;
            if (framed) noisy.sendFrame(body);
            else noisy.sendBytes(body);
          }
          const during = sendBatch(good, rows, [{ op: 'PUT', row: { Id: 2, Track: 'during' } }], target);
          await settle();
          expect((await during).kind).toBe('ok');
          expect(await readRows(good, rows, [{ Id: 1 }, { Id: 2 }])).toEqual([
            { Id: 1, Track: 'before' },
            { Id: 2, Track: 'during' },
          ]);
          // Whole frames are each answered or end the connection: one that is still open still serves.
          if (framed && !noisy.isClosed) await expect(noisy.call('HEARTBEAT', {})).resolves.toBeNull();
        },
      ),
      { numRuns: 60 },
    );
  });
});
