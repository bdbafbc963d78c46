// The assignments in the metastorage (issue 15): the cluster's placement is published into the metastorage
// and every node routes by its own copy, learned by watching. A node cut off from the metastorage keeps a
// stale copy while partitions move: the batches it sends on under it are rerouted (a partition it handed over
// itself) or refused by the node that knows newer (and it catches up before it routes again), never applied
// where the partition no longer is, twice, or out of order; after the heal it learns the new assignment and
// the checkers find every row stored once, in order.

import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  appliesOf,
  EVENTS_TABLE,
  type EventRow,
  eventsView,
  expectedRows,
  ownerOf,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

/** Sleeps on the cluster's clock until `done` holds (at most `maxMs`). */
async function until(cluster: SimCluster, done: () => boolean, maxMs = 10_000): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited >= maxMs) throw new Error(`not reached within ${maxMs} ms`);
    await cluster.clock.sleep(5);
  }
}

function tableIdOf(cluster: SimCluster): number {
  return cluster.controlPlane.catalog.latest(EVENTS_TABLE.name)?.tableId as number;
}

/** Whether every node's copy holds the placement as it is now: its version and every owner. */
function copiesCurrent(cluster: SimCluster): boolean {
  const placement = cluster.controlPlane.placement;
  const tableId = tableIdOf(cluster);
  return cluster.nodes.every((name) => {
    const copy = cluster.node(name).assignments;
    return (
      copy.version === placement.version &&
      JSON.stringify(copy.assignment(tableId)?.owners) ===
        JSON.stringify(placement.assignment(tableId)?.owners)
    );
  });
}

/**
 * Fails the test with a message `pnpm test:mutants` recognises ("stale-assignment scenario failed"): the
 * mutant `stale-assignment-served` must be caught by this scenario's judgement, not by a crash.
 */
function judge(cluster: SimCluster, findings: readonly string[]): void {
  const verdict = cluster.check<EventRow>({ key: (row) => row.Id, seq: (row) => row.Seq });
  const all = verdict.valid ? findings : [...findings, verdict.report];
  if (all.length > 0) {
    throw new Error(`stale-assignment scenario failed (seed ${cluster.seed})\n${all.join('\n')}`);
  }
}

describe('Assignments in the metastorage', () => {
  it('publishes every placement change into the metastorage, and every node learns it by watching', async () => {
    const { cluster } = await startScenario({ nodes: 5, seed: 1511 });
    await using _ = cluster;
    await until(cluster, () => copiesCurrent(cluster));
    const leader = cluster.metastorageLeader() as string;
    const kv = cluster.node(leader).metastorage?.group?.kv;
    expect(kv?.get('assignments/version')).toBeDefined();
    expect(kv?.range('assignments/table/')).toHaveLength(1);
    // Versions only grow on every node, each learned once in revision order.
    const seen = new Map<string, number[]>(cluster.nodes.map((n) => [n, []]));
    for (const name of cluster.nodes) {
      cluster.node(name).metastorage?.view.subscribe((event) => {
        if (event.key === 'assignments/version') seen.get(name)?.push(cluster.node(name).assignments.version);
      });
    }
    const partition = 2;
    const from = ownerOf(cluster, partition);
    for (const to of cluster.nodes.filter((n) => n !== from).slice(0, 3)) {
      await cluster.movePartition(EVENTS_TABLE.name, partition, to);
    }
    await until(cluster, () => copiesCurrent(cluster));
    for (const [name, versions] of seen) {
      expect(versions.length, name).toBeGreaterThan(0);
      expect(
        [...versions].sort((a, b) => a - b),
        name,
      ).toEqual(versions);
      expect(versions.at(-1), name).toBe(cluster.controlPlane.placement.version);
    }
  });

  it('refuses or reroutes what a node cut off from the metastorage sends on under its stale assignment, and stores every row once after the heal', async () => {
    // Six nodes: the metastorage on node-1..3; node-4, -5 and -6 only watch it.
    const { cluster } = await startScenario({ nodes: 6, seed: 1512 });
    await using _ = cluster;
    // The metastorage's members hand their partitions to the others first: the cut-off node reaches every
    // owner then, and the stream is held up by nothing but stale assignments.
    for (let p = 0; p < 8; p++) {
      if (cluster.metastorageNodes.includes(ownerOf(cluster, p))) {
        await cluster.movePartition(EVENTS_TABLE.name, p, p % 2 === 0 ? 'node-5' : 'node-6');
      }
    }
    await until(cluster, () => copiesCurrent(cluster));
    const tableId = tableIdOf(cluster);
    const stale = 'node-4';
    // `handed`: the cut-off node's own partition, which it hands over itself; `moved`: another node's, which
    // moves without the cut-off node learning of it.
    const handed = [...Array(8).keys()].find((p) => ownerOf(cluster, p) === stale) as number;
    const moved = [...Array(8).keys()].find((p) => ownerOf(cluster, p) === 'node-5') as number;
    expect(handed).toBeDefined();
    expect(moved).toBeDefined();
    // The writer reaches only the node that will be cut off, so every batch goes through it.
    const writer = await cluster.connect({ nodes: [stale], requestTimeoutMs: 1000 });
    const view = await eventsView(writer);
    const items = workload({ seed: 1512, items: 800, keys: 48 });
    let moveN = 0;
    let staleVersion = 0;
    let healed: Promise<void> | undefined;
    const findings: string[] = [];
    const hooks = {
      200: async () => {
        cluster.network.partition([stale], cluster.metastorageNodes);
        await cluster.movePartition(EVENTS_TABLE.name, handed, 'node-6');
        await cluster.movePartition(EVENTS_TABLE.name, moved, 'node-6');
        moveN = cluster.history.ofType('topology').at(-1)?.n ?? 0;
        staleVersion = cluster.node(stale).assignments.version;
        // The heal comes later on the clock, whatever the stream is doing then.
        healed = cluster.clock.sleep(4_000).then(() => {
          const copy = cluster.node(stale).assignments;
          if (copy.version !== staleVersion || copy.owner(tableId, handed) !== stale) {
            findings.push(
              `${stale} learned assignment ${copy.version} while cut off (it knew ${staleVersion})`,
            );
          }
          cluster.network.heal();
        });
      },
    };
    try {
      const summary = await cluster.stream(
        view,
        withHooks(items, hooks),
        { client: writer, seq: seqOf },
        { pageSize: 10, retryLimit: -1 },
      );
      if (summary.items !== items.length) findings.push(`the stream took ${summary.items} items`);
    } catch (error) {
      findings.push(`the stream failed: ${String(error)}`);
    }
    await healed;
    expect(staleVersion).toBeGreaterThan(0);
    expect(staleVersion).toBeLessThan(cluster.controlPlane.placement.version);

    // Neither partition was applied anywhere but on its new owner after the moves.
    for (const partition of [handed, moved]) {
      const elsewhere = appliesOf(cluster, partition, moveN).filter((e) => e.node !== 'node-6');
      if (elsewhere.length > 0) {
        findings.push(
          `partition ${partition} applied ${elsewhere.length} keys off its new owner after it moved ` +
            `(on ${[...new Set(elsewhere.map((e) => e.node))].join(', ')})`,
        );
      }
    }
    // node-5 knew newer than the cut-off node and refused what it sent on; the cut-off node tried to catch up.
    expect(cluster.node('node-5').metrics().staleAssignmentRefusals).toBeGreaterThan(0);
    expect(cluster.node(stale).metrics().assignmentRefreshes).toBeGreaterThan(0);
    // After the heal it learned the new assignment.
    await until(cluster, () => copiesCurrent(cluster));
    expect(cluster.node(stale).assignments.owner(tableId, handed)).toBe('node-6');
    if (!isDeepStrictEqual(tableRows(cluster), expectedRows(items))) {
      findings.push('the table does not hold the last write of every key');
    }
    judge(cluster, findings);
  });
});
