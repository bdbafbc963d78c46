/**
 * Who a node lets in (issue 19): clients with good basic credentials when the node has users, node peers
 * that prove the cluster secret over the node's fresh challenge. Risks covered: wrong, missing and replayed
 * credentials for both; a fake peer's node-to-node ops (TX_ROWS_GET, TX_ROWS_WRITE) refused before they
 * touch anything; every refusal a typed, non-retryable `AUTHENTICATION_FAILED` that closes the connection
 * and never quotes the secret.
 */
import { HandshakeExtensionKeys, type HandshakeResponse, ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { peerProof } from '../src/auth/peer-proof.js';
import { RawClient } from './support/raw-client.js';
import { TEST_CLUSTER_SECRET, TestCluster } from './support/test-cluster.js';

const ALICE = { username: 'alice', password: 'correct horse battery staple' };
const TX_ID = '123e4567-e89b-12d3-a456-426614174000';

function basic(username: string, password: string): Map<string, string> {
  return new Map([
    [HandshakeExtensionKeys.authnType, 'basic'],
    [HandshakeExtensionKeys.authnIdentity, username],
    [HandshakeExtensionKeys.authnSecret, password],
  ]);
}

function withUsers() {
  return new TestCluster(['node-1'], {
    authentication: { users: [ALICE], clusterSecret: TEST_CLUSTER_SECRET },
  });
}

/** The rejection a handshake got; fails the test if it was accepted. */
function rejection(answer: HandshakeResponse): ProtocolError {
  if (answer.kind !== 'rejected') throw new Error('the handshake was accepted');
  return answer.error;
}

function expectRefusal(error: unknown, secret?: string): void {
  expect(error).toBeInstanceOf(ProtocolError);
  const refused = error as ProtocolError;
  expect(refused.code).toBe('AUTHENTICATION_FAILED');
  expect(refused.retryable).toBe(false);
  if (secret !== undefined) expect(refused.message).not.toContain(secret);
}

describe('ClusterNode client authentication', () => {
  it('serves a client that gives a good user name and password', async () => {
    const cluster = withUsers();
    const client = await cluster.client('node-1', { extensions: basic('alice', ALICE.password) });
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it.each([
    ['a wrong password', basic('alice', 'Tr0ub4dor&3'), 'Tr0ub4dor&3'],
    ['an unknown user', basic('mallory', ALICE.password), ALICE.password],
    ['no credentials', new Map<string, string>(), undefined],
    ['another scheme', new Map([[HandshakeExtensionKeys.authnType, 'token']]), undefined],
  ])(
    'refuses a client with %s, says so without the secret, and closes',
    async (_name, extensions, secret) => {
      const cluster = withUsers();
      const client = await RawClient.open(cluster.network, 'node-1');
      const error = rejection(await client.handshake({ extensions }));
      expectRefusal(error, secret);
      await client.closed;
      expect(client.isClosed).toBe(true);
    },
  );

  it('words an unknown user and a wrong password alike', async () => {
    const cluster = withUsers();
    const messages = [];
    for (const extensions of [basic('alice', 'nope'), basic('mallory', 'nope')]) {
      const client = await RawClient.open(cluster.network, 'node-1');
      messages.push(rejection(await client.handshake({ extensions })).message);
    }
    expect(messages[0]).toBe('authentication failed: unknown user or wrong password');
    expect(messages[1]).toBe(messages[0]);
  });

  it('does not let client credentials stand in for the cluster secret', async () => {
    const cluster = withUsers();
    const peer = await RawClient.open(cluster.network, 'node-1', 'node-9');
    const answer = await peer.handshake({
      name: 'node-9',
      peerType: 'node',
      extensions: basic('alice', ALICE.password),
    });
    expect(answer.kind).toBe('accepted');
    const response = await peer.send('TX_ROWS_GET', rowsGet(1n));
    expect(response.kind === 'error' && response.error.code).toBe('AUTHENTICATION_FAILED');
    await peer.closed;
  });

  it('ignores credentials on a node without users', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await cluster.client('node-1', { extensions: basic('anyone', 'anything') });
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });
});

function rowsGet(startTimestamp: bigint) {
  return {
    txId: TX_ID,
    coordinator: 'node-9',
    startTimestamp,
    tableId: 1,
    partitionId: 0,
    schemaVersion: 1,
    keys: [],
  };
}

/** A node peer's connection that stopped after the handshake: its challenge and the raw client. */
async function challenged(cluster: TestCluster, name = 'node-9') {
  const peer = await RawClient.open(cluster.network, 'node-1', name);
  const answer = await peer.handshake({ name, peerType: 'node' });
  if (answer.kind !== 'accepted') throw answer.error;
  const challenge = answer.extensions?.get(HandshakeExtensionKeys.authnChallenge);
  if (!(challenge instanceof Uint8Array)) throw new Error('no challenge');
  return { peer, challenge };
}

describe('ClusterNode node peer authentication', () => {
  it('serves node ops to a peer that proves the cluster secret over its challenge', async () => {
    const cluster = new TestCluster(['node-1']);
    cluster.plays();
    const { peer, challenge } = await challenged(cluster);
    expect(challenge).toHaveLength(16);
    const proof = peerProof(new TextEncoder().encode(TEST_CLUSTER_SECRET), 'node-9', 'node-1', challenge);
    await expect(peer.call('NODE_AUTHENTICATE', { proof })).resolves.toBeNull();
    const start = cluster.node('node-1').clock.now();
    await expect(peer.call('TX_ROWS_GET', { ...rowsGet(start), keys: [] })).resolves.toEqual([]);
    // The proof is given once.
    const again = await peer.send('NODE_AUTHENTICATE', { proof });
    expect(again.kind === 'error' && again.error.code).toBe('PROTOCOL_ERROR');
  });

  it('refuses a wrong secret, a proof for another challenge, and a missing proof, closing each connection', async () => {
    const cluster = new TestCluster(['node-1']);
    const rows = cluster.plays();
    const wrongSecret = await challenged(cluster);
    const guessed = peerProof(new TextEncoder().encode('guess'), 'node-9', 'node-1', wrongSecret.challenge);
    const first = await wrongSecret.peer.send('NODE_AUTHENTICATE', { proof: guessed });
    expectRefusal(first.kind === 'error' ? first.error : undefined);
    await wrongSecret.peer.closed;

    // A fake peer that skips the proof: its TX_ROWS_WRITE is refused and writes nothing.
    const fake = await challenged(cluster);
    const write = await fake.peer.send('TX_ROWS_WRITE', {
      ...rowsGet(cluster.node('node-1').clock.now()),
      tableId: rows.tableId,
      rows: [{ key: rows.key({ Id: 1 }), row: rows.put({ Id: 1, Track: 'forged' }).tuple }],
    });
    expectRefusal(write.kind === 'error' ? write.error : undefined);
    await fake.peer.closed;
    expect(cluster.node('node-1').transactionLog.prepared(TX_ID)).toBeUndefined();
    const store = cluster.node('node-1').localPartition(rows.tableId, 0);
    expect(store?.keyCount ?? 0).toBe(0);

    const silent = await challenged(cluster);
    const read = await silent.peer.send('TX_ROWS_GET', rowsGet(1n));
    expectRefusal(read.kind === 'error' ? read.error : undefined);
    await silent.peer.closed;
  });

  it('refuses a recorded node handshake and proof replayed on a new connection', async () => {
    const cluster = new TestCluster(['node-1']);
    const recorded = await RawClient.open(cluster.network, 'node-1', 'node-9');
    const answer = await recorded.handshake({ name: 'node-9', peerType: 'node' });
    const challenge = answer.kind === 'accepted' ? answer.extensions?.get('authn-challenge') : undefined;
    if (!(challenge instanceof Uint8Array)) throw new Error('no challenge');
    const proof = peerProof(new TextEncoder().encode(TEST_CLUSTER_SECRET), 'node-9', 'node-1', challenge);
    await recorded.call('NODE_AUTHENTICATE', { proof });
    // Everything the genuine peer sent, byte for byte, replayed by someone without the secret: the node's
    // new challenge makes the old proof worthless.
    const bytes = [...(cluster.network.sent.get('node-9') ?? [])];
    expect(bytes).toHaveLength(2);
    const replay = await RawClient.open(cluster.network, 'node-1', 'node-9');
    const replayed = replay.expect(1, 'NODE_AUTHENTICATE');
    for (const chunk of bytes) replay.sendBytes(chunk);
    const response = await replayed;
    expectRefusal(response.kind === 'error' ? response.error : undefined);
    await replay.closed;
  });

  it('admits no node peer when it has no cluster secret', async () => {
    const cluster = new TestCluster(['node-1'], { authentication: {} });
    const peer = await RawClient.open(cluster.network, 'node-1', 'node-9');
    const error = rejection(await peer.handshake({ name: 'node-9', peerType: 'node' }));
    expectRefusal(error);
    expect(error.message).toMatch(/node-1 has no cluster secret/);
  });

  it('fails forwarding between nodes that do not share a secret with AUTHENTICATION_FAILED, not a retry loop', async () => {
    const cluster = new TestCluster(['node-1']);
    cluster.addNode('node-2', { authentication: { clusterSecret: 'another secret' } });
    const rows = cluster.plays();
    const owner = cluster.controlPlane.placement.owner(rows.tableId, 0);
    const client = await cluster.client(owner === 'node-1' ? 'node-2' : 'node-1');
    const response = await client.send('TUPLE_GET', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      partition: 0,
      key: rows.key({ Id: 1 }),
    });
    expectRefusal(response.kind === 'error' ? response.error : undefined);
  });
});
