import { PREAMBLE_BYTES, ProtocolError, silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { NodeConnection } from '../src/connection/node-connection.js';
import { FakeCluster } from './support/fake-cluster.js';

function options(clock: SimClock) {
  return { clock, logger: silentLogger, requestTimeoutMs: 1000, connectTimeoutMs: 500 };
}

describe('NodeConnection handshake', () => {
  it('sends the preamble and a client handshake, and learns the node name', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1'], clock });
    const connection = await NodeConnection.open(cluster.transport, 'node-1', {
      ...options(clock),
      name: 'me',
    });
    const first = cluster.transport.clientConnections('node-1')[0]?.sent[0] ?? new Uint8Array(0);
    expect(connection.nodeName).toBe('node-1');
    expect(connection.isOpen).toBe(true);
    expect([...first.subarray(0, 4)]).toEqual([...PREAMBLE_BYTES]);
    expect(cluster.node('node-1').handshakes).toEqual(['me']);
    const reply = await connection.request('TABLES_GET', {});
    expect(reply.result).toEqual([]);
    expect(reply.node).toBe('node-1');
    connection.close();
    clock.stop();
  });

  it('handles a byte-at-a-time stream', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1'], clock, chunkSize: 1 });
    const connection = await NodeConnection.open(cluster.transport, 'node-1', options(clock));
    const replies = await Promise.all([
      connection.request('HEARTBEAT', {}),
      connection.request('TABLES_GET', {}),
    ]);
    expect(replies.map((r) => r.result)).toEqual([null, []]);
    connection.close();
    clock.stop();
  });

  it("rejects with the node's error when the handshake is refused", async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1'], clock });
    cluster.node('node-1').handshakeRejection = new ProtocolError(
      'UNSUPPORTED_PROTOCOL',
      'this node speaks 9.x',
    );
    const failure = await NodeConnection.open(cluster.transport, 'node-1', options(clock)).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure).toMatchObject({
      code: 'UNSUPPORTED_PROTOCOL',
      retryable: false,
      message: 'this node speaks 9.x',
    });
    clock.stop();
  });

  it('fails with a retryable NODE_UNAVAILABLE when the handshake is never answered', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1'], clock });
    cluster.node('node-1').silentHandshake = true;
    const failure = await NodeConnection.open(cluster.transport, 'node-1', options(clock)).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: 'NODE_UNAVAILABLE', retryable: true });
    expect(String((failure as Error).message)).toContain('connectTimeoutMs (500 ms)');
    expect(clock.now()).toBe(500);
    expect(cluster.node('node-1').connections).toBe(0);
    clock.stop();
  });

  it('fails with NODE_UNAVAILABLE when the endpoint cannot be reached', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ nodes: ['node-1'], clock });
    const failure = await NodeConnection.open(cluster.transport, 'node-9', options(clock)).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: 'NODE_UNAVAILABLE', retryable: true });
    clock.stop();
  });
});
