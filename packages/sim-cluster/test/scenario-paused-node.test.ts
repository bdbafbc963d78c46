import type { StreamerBatchInfo } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import {
  expectedRows,
  expectValid,
  partitionsOf,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

describe('Scenario: a paused node', () => {
  it('waits out a slow owner (requests time out and are retried) and applies everything in order', async () => {
    const { cluster, client, view } = await startScenario({ seed: 81 });
    await using _ = cluster;
    const slow = 'node-2';
    const owned = partitionsOf(cluster, slow);
    const items = workload({ seed: 81, items: 900, keys: 60 });
    let pausedAtMs = -1;
    const hooks = {
      300: () => {
        pausedAtMs = cluster.clock.now();
        cluster.pauseNode(slow, 3000);
      },
    };
    const infos: StreamerBatchInfo[] = [];
    const summary = await cluster.stream(
      view,
      withHooks(items, hooks),
      { client, seq: seqOf },
      { pageSize: 20, onBatch: (info) => void infos.push(info) },
    );

    expect(summary.items).toBe(900);
    expect(summary.retries).toBeGreaterThan(0);
    expect(pausedAtMs).toBeGreaterThanOrEqual(0);
    const pause = cluster.history.ofType('topology').find((e) => e.kind === 'pause');
    expect(pause?.details).toEqual({ node: slow, ms: 3000 });
    // The slow node committed nothing while paused, and its partitions' batches waited it out.
    const applies = cluster.history.ofType('apply').filter((e) => e.node === slow);
    expect(applies.some((e) => e.atMs > pausedAtMs && e.atMs < pausedAtMs + 3000)).toBe(false);
    expect(applies.some((e) => e.atMs >= pausedAtMs + 3000)).toBe(true);
    expect(infos.some((i) => owned.includes(i.partition) && i.latencyMs >= 1000)).toBe(true);
    // Other partitions went on meanwhile.
    const others = cluster.history.ofType('apply').filter((e) => e.node !== slow);
    expect(others.some((e) => e.atMs > pausedAtMs && e.atMs < pausedAtMs + 3000)).toBe(true);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    const verdict = expectValid(cluster);
    // The timed-out requests were held, not lost: once the pause ended they arrived after their retries and
    // the node's batch fence acknowledged them without applying them a second time.
    expect(verdict.duplicated).toBe(0);
    expect(cluster.node(slow).metrics().staleBatches).toBeGreaterThan(0);
  });
});
