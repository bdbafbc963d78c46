import { describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';
import { TestCluster } from './support/test-cluster.js';

describe('ClusterNode without Raft groups', () => {
  it('refuses each Raft op with UNSUPPORTED_PROTOCOL naming the op, and keeps serving', async () => {
    const cluster = new TestCluster(['node-1']);
    const client = await RawClient.open(cluster.network, 'node-1');
    await client.handshake({ name: 'node-9' });
    const envelope = { group: '7:3', from: 'node-9', term: 1 };
    const calls = [
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
    for (const [i, op] of ['RAFT_VOTE', 'RAFT_APPEND', 'RAFT_SNAPSHOT'].entries()) {
      await expect(calls[i]).rejects.toMatchObject({
        code: 'UNSUPPORTED_PROTOCOL',
        message: expect.stringContaining(`${op} is not served by this node`),
      });
    }
    await expect(client.call('HEARTBEAT', {})).resolves.toBeNull();
  });
});
