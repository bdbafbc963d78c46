import { describe, expect, it } from 'vitest';
import {
  eventsView,
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

/**
 * One faulty run: two clients streaming disjoint keys at once over a lossy, duplicating, jittery network,
 * with a crash and restart and a partition move in the middle, then a heal. Returns what determinism is
 * judged on.
 */
async function faultyRun(seed: number) {
  const { cluster, client, view } = await startScenario({ seed });
  await using _ = cluster;
  const other = await cluster.connect({ requestTimeoutMs: 1000 });
  const otherView = await eventsView(other);
  cluster.network.setFaults({ drop: 0.02, duplicate: 0.02, delayMs: [1, 20] });
  const first = workload({ seed: 1, items: 400, keys: 50 });
  const second = workload({ seed: 2, items: 400, keys: 50, idOffset: 1000 });
  let restarted: Promise<void> | undefined;
  const hooks = {
    120: () => {
      cluster.crashNode('node-2');
      restarted = cluster.clock.sleep(800).then(() => cluster.restartNode('node-2'));
    },
    250: () => cluster.movePartition('Events', 3, 'node-1'),
  };
  const summaries = await Promise.all([
    cluster.stream(view, withHooks(first, hooks), { client, seq: seqOf }, { pageSize: 16 }),
    cluster.stream(otherView, second, { client: other, seq: seqOf }, { pageSize: 16 }),
  ]);
  await restarted;
  cluster.network.heal();
  expect(tableRows(cluster)).toEqual(expectedRows([...first, ...second]));
  const verdict = expectValid(cluster);
  return {
    hash: cluster.history.hash(),
    events: cluster.history.length,
    retries: summaries[0].retries + summaries[1].retries,
    faults: cluster.history.ofType('fault').length,
    duplicated: verdict.duplicated,
  };
}

describe('Determinism: history hash', () => {
  it('gives the identical history, event for event, for the same seed and scenario', async () => {
    const a = await faultyRun(424242);
    const b = await faultyRun(424242);
    // The run was not trivial: faults fired and the streams retried.
    expect(a.retries).toBeGreaterThan(0);
    expect(a.faults).toBeGreaterThan(5);
    expect(b).toEqual(a);
  });

  it('gives a different history for a different seed', async () => {
    const a = await faultyRun(424242);
    const c = await faultyRun(424243);
    expect(c.hash).not.toBe(a.hash);
  });
});
