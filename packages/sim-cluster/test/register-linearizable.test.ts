import { describe, expect, it } from 'vitest';
import { linearizable, registerOperations } from '../src/checkers/linearizable.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { REGISTER_TABLE, runRegisterWorkload } from '../src/workloads/register-workload.js';

const REPLICATION = {
  leaseMs: 600,
  electionTimeoutMs: { min: 150, max: 300 },
  heartbeatIntervalMs: 30,
} as const;

/**
 * The register workload on a one-partition table of 3 replicas: node-1, its first primary, is cut off from
 * the other nodes (not from the clients) at 100 ms; client 1 is connected to node-1 only, the others to the
 * rest. `plant` runs before the cut, on the started cluster.
 */
async function cutOffPrimary(
  seed: number,
  plant?: (cluster: SimCluster, tableId: number) => void,
  operations = 30,
) {
  const cluster = await SimCluster.start({
    nodes: 3,
    partitions: 1,
    seed,
    replicas: 3,
    replication: REPLICATION,
  });
  const admin = await cluster.connect();
  await admin.catalog.createTable({
    name: REGISTER_TABLE,
    columns: [
      { name: 'Key', type: 'INT32' },
      { name: 'Value', type: 'STRING', nullable: true },
    ],
    primaryKey: ['Key'],
  });
  const tableId = cluster.controlPlane.catalog.latest(REGISTER_TABLE)?.tableId ?? -1;
  expect(await cluster.primaryOf(REGISTER_TABLE, 0)).toBe('node-1');
  plant?.(cluster, tableId);
  cluster.clock.setTimer(100, () => cluster.network.partition(['node-1'], ['node-2', 'node-3']));
  const result = await runRegisterWorkload(cluster, {
    clients: 3,
    keys: 3,
    operations,
    pauseMs: [10, 50],
    nodes: [['node-1'], ['node-2', 'node-3']],
  });
  return { cluster, result };
}

describe('Register workload and the linearizable checker', () => {
  it('records every invocation and completion, and stays linearizable across a primary cut off from its peers', async () => {
    const { cluster, result } = await cutOffPrimary(71);
    await using _ = cluster;
    const completions = cluster.history.ofType('complete');
    expect(cluster.history.ofType('invoke')).toHaveLength(90);
    expect(completions).toHaveLength(90);
    const refused = completions.filter((e) => e.outcome === 'fail');
    expect(refused.length).toBeGreaterThan(0);
    expect(completions.some((e) => e.outcome === 'unknown')).toBe(true);
    // Refused operations took no effect: the checker leaves them out.
    const operations = registerOperations(cluster.history);
    expect(operations).toHaveLength(90 - refused.length);
    expect(operations.filter((op) => op.completeMs !== undefined)).toHaveLength(result.answered);
    // The primary changed: node-2 or node-3 answered after the cut.
    expect(await cluster.primaryOf(REGISTER_TABLE, 0)).not.toBe('node-1');
    const verdict = linearizable(cluster.history);
    expect(verdict.valid, verdict.report).toBe(true);
    expect(verdict.keys).toBe(3);
  });

  it('fails when a deposed primary keeps answering reads after its lease (a planted bug)', async () => {
    const { cluster } = await cutOffPrimary(
      71,
      (c, tableId) => {
        const group = c.node('node-1').replicaGroup(tableId, 0);
        if (group === undefined) throw new Error('node-1 holds no replica');
        // The bug: the read path never looks at the lease again once it served.
        group.servesReads = () => true;
        // Long enough to go on well past the failover (the old lease must expire first).
      },
      60,
    );
    await using _ = cluster;
    const verdict = linearizable(cluster.history);
    expect(verdict.valid).toBe(false);
    expect(verdict.violations.length).toBeGreaterThan(0);
    expect(verdict.report).toContain('not linearizable');
  });
});
