import { afterAll, describe, expect, it } from 'vitest';
import {
  checkScenarioProperty,
  propertyEnv,
  replicatedShape,
  resumeScenarioArb,
  scenarioArb,
} from './support/property-scenario.js';
import {
  emptyExactTally,
  emptyReplicationTally,
  emptyTally,
  formatTally,
  missing,
  tallyExactRun,
  tallyReplicationRun,
  tallyRun,
} from './support/property-tally.js';

// The scenario properties of issues 7 and 13 on replicated partitions (issue 14): 3 replicas of every
// partition on 3 and on 5 nodes, quick Raft timings and short leases, destroys and crashes that lose what the
// disks had not synced in the fault mix, and (issue 15) the metastorage's leader or majority cut off. Fixed seeds, as in the other property suites.
const RUNS = Number(process.env['REPLICATED_RUNS'] ?? 120);
const tally = emptyTally();
const exact = emptyExactTally();
const replication = emptyReplicationTally();
const env = propertyEnv();

afterAll(() => {
  console.info(
    `replicated scenario property tally\n${formatTally(tally)}\nexact: ${JSON.stringify(exact)}\n` +
      `replication: ${JSON.stringify(replication)}`,
  );
});

describe('Scenario property on replicated partitions', () => {
  it('passes every checker for streams under every fault, destroy included, on 3 nodes', async () => {
    await checkScenarioProperty(scenarioArb({}, replicatedShape(3)), {
      numRuns: RUNS,
      seed: env.seed ?? 0x14_3003,
      ...(env.path === undefined ? {} : { path: env.path }),
      endOnFailure: env.endOnFailure,
      onRun: (run) => {
        tallyRun(tally, run);
        tallyReplicationRun(replication, run);
      },
    });
  });

  // In two halves of its runs (replica moves made these runs longer): each stays well inside the per-test
  // hang guard on two busy cores.
  for (const [half, runs, seed] of [
    [1, Math.floor(RUNS / 2), 0x14_5005],
    [2, RUNS - Math.floor(RUNS / 2), 0x14_5015],
  ] as const) {
    it(`passes every checker for streams under every fault, destroy included, on 5 nodes (${half}/2)`, async () => {
      await checkScenarioProperty(
        scenarioArb({ maxItems: 80, maxSteps: 8, maxAtMs: 60 }, replicatedShape(5)),
        {
          numRuns: runs,
          seed: env.seed === undefined ? seed : env.seed + half,
          ...(env.path === undefined ? {} : { path: env.path }),
          endOnFailure: env.endOnFailure,
          onRun: (run) => {
            tallyRun(tally, run);
            tallyReplicationRun(replication, run);
          },
        },
      );
    });
  }

  it('keeps every report of failing streams exact, and ends every resume with its last writes', async () => {
    await checkScenarioProperty(resumeScenarioArb({}, replicatedShape(3)), {
      numRuns: Math.ceil(RUNS / 2),
      seed: env.seed === undefined ? 0x14_e7ac : env.seed + 3,
      ...(env.path === undefined ? {} : { path: env.path }),
      endOnFailure: env.endOnFailure,
      onRun: (run) => {
        tallyExactRun(exact, run);
        tallyReplicationRun(replication, run);
      },
    });
  });

  it('saw failovers, moved leases, snapshot installs, destroys, lossy crashes, replica moves resumed after crashes, repairs, resent snapshot chunks and metastorage leaders and majorities cut off across its runs', () => {
    // Not vacuous: each replication path ran somewhere, and so did every fault, the metastorage's leader and
    // majority cut off included, and its leader was elected again somewhere. A replica move (issue 15) is a
    // membership change that leaves the primary where it is unless the primary's own replica moves, so
    // "a client's batches follow a moved partition to its new node" is not a path of these runs.
    expect(replication.runs).toBe(2 * RUNS + Math.ceil(RUNS / 2));
    // A batch refused for a stale assignment is rare here (a node's copy lags its metastorage by a watch; it
    // took about one in 300 runs when counted first): it is tallied, and required by the stale-assignment
    // scenario (metastorage-assignments.test.ts), not here.
    expect(
      Object.entries(replication).filter(([name, n]) => n === 0 && name !== 'staleAssignmentRefusals'),
    ).toEqual([]);
    // Nor is the whole cluster replaced (its starting nodes hold replicas: they cannot all leave).
    const refused = ['recovery moveFollowed', 'fault replaced', 'recovery clusterFollowed'];
    // Of the fault points inside the code, these runs must fire the Raft ones (only replicated partitions
    // reach them); the scenario property (property-at-least-once-order) requires every other one.
    expect(
      missing(tally).filter(
        (m) => !refused.includes(m) && !(m.startsWith('buggify ') && !m.startsWith('buggify raft.')),
      ),
      formatTally(tally),
    ).toEqual([]);
    expect(exact.seals).toBeGreaterThan(0);
    expect(exact.resumesResolved).toBeGreaterThan(0);
  });
});
