import { ClientDefaults, DataStreamerItem } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import {
  type EventRow,
  eventsView,
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

const ORIGINAL = ['node-1', 'node-2', 'node-3'];
// The clusters run without a metastorage (`metastorageNodes: 0`): its members would be these nodes, and a
// majority of them must stay (it does not replace its members yet).

describe('Scenario: every node the client was given leaves, after a new one joined (issue 20)', () => {
  it('streams to the end through the node that joined', async () => {
    const { cluster, client, view } = await startScenario({ seed: 20, metastorageNodes: 0 });
    await using _ = cluster;
    const joined = await cluster.addNode();
    // An idle client hears of the join with its next response: a heartbeat's, at the latest. (The leaves
    // below follow each other at once: it has no time to learn anything from them.)
    await cluster.clock.sleep(ClientDefaults.heartbeatIntervalMs + 1000);
    expect(client.endpoints.map((e) => e.endpoint)).toEqual([...ORIGINAL, joined]);
    for (const node of ORIGINAL) await cluster.removeNode(node);

    const row = DataStreamerItem.of<EventRow>({ Id: 1n, Seq: 1, Payload: 'after the replacement' });
    const summary = await cluster.stream(view, [row], { client, seq: seqOf });

    expect(summary.items).toBe(1);
    expect(summary.retries).toBe(0);
    // The given endpoints were dropped once their nodes left; the one it learned serves.
    expect(client.endpoints).toEqual([
      { endpoint: joined, state: 'open', node: joined, learned: true, requestsInFlight: {} },
    ]);
    expect(cluster.readTableNow('Events')).toEqual([{ Id: 1n, Seq: 1, Payload: 'after the replacement' }]);
    expectValid(cluster);
  });

  it('keeps a stream going while every node is replaced under it', async () => {
    const { cluster, client, view } = await startScenario({ seed: 2020, metastorageNodes: 0 });
    await using _ = cluster;
    const items = workload({ seed: 2020, items: 1000, keys: 120 });
    const hooks = {
      100: () => cluster.addNode(),
      250: () => cluster.addNode(),
      400: () => cluster.removeNode('node-1'),
      550: () => cluster.removeNode('node-2'),
      700: () => cluster.removeNode('node-3'),
    };
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 10, autoFlushInterval: 5 },
    );
    expect(summary.items).toBe(1000);
    expect(cluster.nodes).toEqual(['node-4', 'node-5']);
    expect(client.endpoints.map((e) => [e.endpoint, e.state, e.learned])).toEqual([
      ['node-4', 'open', true],
      ['node-5', 'open', true],
    ]);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('fails as it used to with clusterDiscovery off, and the liveness checker reports it', async () => {
    const { cluster } = await startScenario({ seed: 20, metastorageNodes: 0 });
    await using _ = cluster;
    const client = await cluster.connect({ requestTimeoutMs: 1000, clusterDiscovery: false });
    const view = await eventsView(client);
    await cluster.addNode();
    await cluster.clock.sleep(ClientDefaults.heartbeatIntervalMs + 1000);
    for (const node of ORIGINAL) await cluster.removeNode(node);

    const row = DataStreamerItem.of<EventRow>({ Id: 1n, Seq: 1, Payload: 'after the replacement' });
    const failure = await cluster.stream(view, [row], { client, seq: seqOf }).catch((e: unknown) => e);

    expect(failure).toMatchObject({ code: 'NODE_UNAVAILABLE' });
    expect(client.endpoints.map((e) => e.endpoint)).toEqual(ORIGINAL);
    const verdict = cluster.check<EventRow>({ key: (r) => r.Id, seq: (r) => r.Seq });
    expect(verdict.valid).toBe(false);
    expect(verdict.liveness.failuresJudged).toBe(1);
    expect(verdict.unsettled.map((v) => [v.kind, v.client])).toEqual([['failed', 'client-2']]);
    expect(verdict.liveness.report).toMatch(
      /failed with NODE_UNAVAILABLE .* though a majority of the cluster/,
    );
  });
});
