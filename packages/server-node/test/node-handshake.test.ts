import { decodeHandshakeResponse, FrameDecoder, hasFeature } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';
import { settle } from './support/settle.js';
import { TestCluster } from './support/test-cluster.js';

describe('ClusterNode handshake', () => {
  it('accepts a client of the same major version and names itself', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    const answer = await client.handshake({ name: 'client-7', version: { major: 1, minor: 4, patch: 2 } });
    expect(answer.kind).toBe('accepted');
    if (answer.kind !== 'accepted') return;
    expect(answer.nodeName).toBe('node-1');
    expect(answer.version).toEqual({ major: 1, minor: 0, patch: 0 });
    expect(hasFeature(answer.features, 'BATCH_FORWARDING')).toBe(true);
    expect(hasFeature(answer.features, 'NODE_TO_NODE')).toBe(true);
    expect(hasFeature(answer.features, 'STREAMER_RECEIVER')).toBe(true);
    expect(hasFeature(answer.features, 'TOPOLOGY_DISCOVERY')).toBe(true);
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
    expect(cluster.node('node-1').metrics().connections).toBe(1);
  });

  it('rejects another major version with UNSUPPORTED_PROTOCOL, then closes the connection', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    const answer = await client.handshake({ version: { major: 2, minor: 0, patch: 0 } });
    expect(answer.kind).toBe('rejected');
    if (answer.kind !== 'rejected') return;
    expect(answer.error.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(answer.error.message).toContain('unsupported protocol version 2.0.0');
    await client.closed;
    expect(cluster.node('node-1').metrics()).toMatchObject({ connections: 0, errors: 1 });
  });

  it('answers a bad preamble with a PROTOCOL_ERROR rejection instead of hanging', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    const answers: Uint8Array[] = [];
    const decoder = new FrameDecoder();
    client.connection.setListener({
      data: (chunk) => answers.push(...decoder.decode(chunk)),
      close: () => {},
    });
    client.sendBytes(Uint8Array.of(0x47, 0x45, 0x54, 0x20));
    await settle();
    expect(answers).toHaveLength(1);
    const answer = decodeHandshakeResponse(answers[0] as Uint8Array);
    expect(answer.kind).toBe('rejected');
    if (answer.kind === 'rejected') {
      expect(answer.error.code).toBe('PROTOCOL_ERROR');
      expect(answer.error.message).toContain('bad preamble');
    }
    expect(client.connection.isOpen).toBe(false);
  });

  it('answers a malformed handshake body with a PROTOCOL_ERROR rejection', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    const answers: Uint8Array[] = [];
    const decoder = new FrameDecoder();
    let closed = false;
    client.connection.setListener({
      data: (chunk) => answers.push(...decoder.decode(chunk)),
      close: () => {
        closed = true;
      },
    });
    client.sendBytes(Uint8Array.of(0x49, 0x47, 0x4e, 0x49));
    // version 1.0.0, then a string where the peer type belongs.
    client.sendFrame(Uint8Array.of(0x01, 0x00, 0x00, 0xa1, 0x78));
    await settle();
    const answer = decodeHandshakeResponse(answers[0] as Uint8Array);
    expect(answer.kind === 'rejected' && answer.error.code).toBe('PROTOCOL_ERROR');
    expect(closed).toBe(true);
  });

  it('refuses connections while crashed and serves again after a restart', async () => {
    const cluster = new TestCluster(['node-1']);
    const node = cluster.node('node-1');
    node.crash();
    const refused = await RawClient.open(cluster.network, 'node-1');
    await refused.closed;
    node.restart();
    const client = await cluster.client('node-1');
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });
});
