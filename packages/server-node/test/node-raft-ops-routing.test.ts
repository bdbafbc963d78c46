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
    const client = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
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

  it("refuses an unauthenticated node peer's Raft messages, which change nothing, and takes an authenticated one's", async () => {
    const cluster = new TestCluster(['node-1', 'node-2', 'node-3']);
    const { schema } = cluster.table({
      name: 'Replicated',
      columns: [{ name: 'Id', type: 'INT32' }],
      primaryKey: ['Id'],
      partitions: 1,
      replicas: 3,
    });
    const group = cluster.node('node-1').replicaGroup(schema.tableId, 0);
    if (group === undefined) throw new Error('node-1 holds no replica of the partition');
    // The replicas elect among themselves meanwhile (in terms well below 5): nothing of term 5 may land.
    const fromTerm5 = () => {
      const terms = [group.raft.term];
      for (let i = 1; i <= group.raft.lastIndex; i++) terms.push(group.raft.entryAt(i)?.term ?? 0);
      return terms.filter((term) => term >= 5);
    };
    // A leader of term 5 with an entry to append, from node-2's name.
    const append = {
      group: group.name,
      from: 'node-2',
      term: 5,
      leaderTime: 0,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 1,
      entries: [{ kind: 'noop', term: 5 } as const],
    };
    // Never proved the secret: the first request is refused, the connection closed.
    const silent = await RawClient.open(cluster.network, 'node-1', 'node-2');
    await silent.handshake({ name: 'node-2', peerType: 'node' });
    await expect(silent.call('RAFT_APPEND', append)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: expect.stringContaining('sent RAFT_APPEND before proving it knows the cluster secret'),
    });
    await silent.closed;
    // A wrong secret: refused the same way, before any Raft message is looked at.
    await expect(
      cluster.client('node-1', { name: 'node-2', peerType: 'node', clusterSecret: 'not-the-secret' }),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(fromTerm5()).toEqual([]);
    // With the proof, the same message is taken: the replica follows term 5 and holds the entry.
    const peer = await cluster.client('node-1', { name: 'node-2', peerType: 'node' });
    const answer = peer.call('RAFT_APPEND', append);
    // The replica answers once the entry is on its disk: the fsync takes a few ms of the manual clock.
    for (let ms = 0; ms < 20; ms++) {
      await Promise.resolve();
      cluster.clock.advance(1);
    }
    await expect(answer).resolves.toMatchObject({ term: 5, success: true });
    expect(group.raft.term).toBe(5);
    expect(group.raft.entryAt(1)).toEqual({ kind: 'noop', term: 5 });
  });
});
