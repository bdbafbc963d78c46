import { describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';
import { TestCluster } from './support/test-cluster.js';

const ENVELOPE = { from: 'node-9', term: 1 } as const;

function raftCalls(client: RawClient, group: string) {
  const envelope = { ...ENVELOPE, group };
  return [
    client.call('RAFT_VOTE', { ...envelope, lastLogIndex: 0, lastLogTerm: 0, preVote: true }),
    client.call('RAFT_APPEND', {
      ...envelope,
      leaderTime: 0,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 0,
      entries: [],
    }),
    client.call('RAFT_SNAPSHOT', {
      ...envelope,
      leaderTime: 0,
      meta: { index: 1, term: 1, config: { voters: ['node-9'], learners: [] }, lease: null },
      offset: 0,
      data: new Uint8Array(0),
      done: true,
    }),
  ];
}

describe('ClusterNode Raft routing', () => {
  it('answers each Raft op for a group it holds no replica of with NOT_PRIMARY naming the group', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    await client.handshake({ name: 'node-9', peerType: 'node' });
    for (const group of ['7:3', 't7p3']) {
      const answers = await Promise.allSettled(raftCalls(client, group));
      for (const answer of answers) {
        expect(answer).toMatchObject({
          status: 'rejected',
          reason: {
            code: 'NOT_PRIMARY',
            message: expect.stringContaining(`holds no replica of Raft group ${group}`),
          },
        });
      }
    }
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it('refuses Raft ops from a client with PROTOCOL_ERROR, and keeps serving', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await cluster.client('node-1');
    const answers = await Promise.allSettled(raftCalls(client, 't1p0'));
    for (const [i, answer] of answers.entries()) {
      const op = ['RAFT_VOTE', 'RAFT_APPEND', 'RAFT_SNAPSHOT'][i];
      expect(answer).toMatchObject({
        status: 'rejected',
        reason: { code: 'PROTOCOL_ERROR', message: expect.stringContaining(`${op} is a node-to-node op`) },
      });
    }
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });
});
