// The arbitraries users build their own properties from: what they generate must be what the cluster and the
// streamer accept (a plan that fails validation, or options the streamer refuses, would turn a user's property
// into a test of our generators), shrinking must keep that true, and bad targets must fail with our error.

import {
  faultArb,
  faultPlanArb,
  scenarioStreamArb,
  streamerOptionsArb,
  swarmPlanArb,
  swarmProfileArb,
  workloadArb,
} from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';
import { FaultPlanError } from '../src/faults/fault-plan-error.js';
import { SwarmFaultKinds } from '../src/faults/swarm.js';
import { validatePlan } from '../src/faults/validate-plan.js';
import { validateScenario } from '../src/replay/scenario.js';

const nodes = ['node-1', 'node-2', 'node-3'];

describe('swarmProfileArb', () => {
  it('turns on only the kinds it is given, with rates in range, and always at least one', () => {
    const kinds = [SwarmFaultKinds.drop, SwarmFaultKinds.crash, SwarmFaultKinds.delay];
    fc.assert(
      fc.property(swarmProfileArb(kinds), (profile) => {
        expect(profile.kinds.length).toBeGreaterThan(0);
        for (const kind of profile.kinds) expect(kinds).toContain(kind);
        expect(profile.network.duplicate).toBeUndefined();
        if (profile.kinds.includes('drop')) {
          expect(profile.network.drop).toBeGreaterThanOrEqual(0.001);
          expect(profile.network.drop).toBeLessThanOrEqual(0.05);
        } else expect(profile.network.drop).toBeUndefined();
        expect(profile.meanGapMs).toBeGreaterThanOrEqual(50);
        expect(profile.maxHoldMs).toBeLessThanOrEqual(3000);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an empty or unknown kind list with a FaultPlanError naming it', () => {
    expect(() => swarmProfileArb([])).toThrow(FaultPlanError);
    expect(() => swarmProfileArb(['drop', 'meteor'] as never)).toThrow(/"meteor" is unknown/);
  });
});

describe('swarmPlanArb', () => {
  it('makes plans that validate against the starting nodes', () => {
    fc.assert(
      fc.property(
        swarmPlanArb({ nodes, clients: ['client-1'], tables: [{ name: 'Events', partitions: 4 }] }),
        ({ plan }) => {
          expect(validatePlan(plan, { nodes })).toHaveLength(plan.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses targets without a node and a negative duration', () => {
    expect(() => swarmPlanArb({ nodes: [] })).toThrow(/nodes must name at least one node/);
    expect(() => swarmPlanArb({ nodes }, { durationMs: -1 })).toThrow(/durationMs/);
  });
});

describe('faultArb', () => {
  it('refuses targets without a node, with a bad table or a bad hold, naming the field', () => {
    expect(() => faultArb({ nodes: [] })).toThrow(FaultPlanError);
    expect(() => faultArb({ nodes, tables: [{ name: 'T', partitions: 0 }] })).toThrow(/table "T"/);
    expect(() => faultArb({ nodes, maxHoldMs: -5 })).toThrow(/maxHoldMs/);
  });
});

describe('faultPlanArb with replaceAll', () => {
  const targets = {
    nodes: ['node-1', 'node-2', 'node-3'],
    clients: ['client-2', 'client-3'],
    tables: [{ name: 'Events', partitions: 4 }],
  };

  it('ends every plan with a heal, joins and a leave of each starting node, naming no client before', () => {
    fc.assert(
      fc.property(faultPlanArb(targets, { maxAtMs: 100, replaceAll: 1 }), (plan) => {
        expect(() => validatePlan(plan, { nodes: targets.nodes })).not.toThrow();
        const heal = plan.findLastIndex((s) => s.fault.kind === 'heal');
        const tail = plan.slice(heal);
        expect(tail.filter((s) => s.fault.kind === 'leave').map((s) => s.fault)).toEqual(
          targets.nodes.map((node) => ({ kind: 'leave', node })),
        );
        expect(tail.slice(1).findIndex((s) => s.fault.kind !== 'join')).toBeGreaterThan(0);
        // Nothing before the replacement touches a client's links.
        expect(JSON.stringify(plan.slice(0, heal))).not.toMatch(/client-/);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every shrink of a replacing plan valid', () => {
    const result = fc.check(
      fc.property(faultPlanArb(targets, { maxAtMs: 100, replaceAll: 1 }), (plan) => plan.length < 4),
      { numRuns: 100, seed: 20 },
    );
    expect(result.failed).toBe(true);
    const shrunk = result.counterexample?.[0] ?? [];
    expect(() => validatePlan(shrunk, { nodes: targets.nodes })).not.toThrow();
  });

  it('refuses a replaceAll that is not a probability', () => {
    expect(() => faultPlanArb(targets, { replaceAll: 1.5 })).toThrow(FaultPlanError);
    expect(() => faultPlanArb(targets, { replaceAll: Number.NaN })).toThrow(/replaceAll/);
  });
});

describe('streamerOptionsArb', () => {
  it('generates options the streamer accepts', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 5 });
    const client = await cluster.connect();
    const table = await client.catalog.createTable({
      name: 'T',
      columns: [{ name: 'Id', type: 'INT32' }],
      primaryKey: ['Id'],
    });
    const view = table.recordView<{ Id: number }>();
    for (const options of fc.sample(streamerOptionsArb({ maxPageSize: 40 }), { numRuns: 50, seed: 9 })) {
      expect(options.pageSize).toBeLessThanOrEqual(40);
      // An option the streamer refuses rejects before anything is pulled; a valid set streams the row.
      const summary = await view.streamData([{ Id: 1 }], options);
      expect(summary.items).toBe(1);
    }
  });

  it('never lets a stream give up when asked not to', () => {
    for (const options of fc.sample(streamerOptionsArb({ mayGiveUp: false }), 100)) {
      expect(options.retryLimit).toBe(-1);
    }
  });

  it('refuses bounds below 1 with a SimClusterError naming them', () => {
    expect(() => streamerOptionsArb({ maxPageSize: 0 })).toThrow(SimClusterError);
    expect(() => streamerOptionsArb({ maxParallel: 1.5 })).toThrow(/maxParallel/);
  });
});

describe('workloadArb', () => {
  it('makes workloads a scenario accepts, on keys in range, with 1..maxStreams streams', () => {
    fc.assert(
      fc.property(workloadArb({ keys: 4, maxItems: 10, maxStreams: 2 }), (workload) => {
        expect(workload.streams.length).toBeGreaterThanOrEqual(1);
        expect(workload.streams.length).toBeLessThanOrEqual(2);
        for (const stream of workload.streams) {
          expect(stream.items.length).toBeLessThanOrEqual(10);
          for (const item of stream.items) expect(item.key).toBeLessThan(4);
        }
        expect(() => validateScenario({ version: 1, seed: 1, workload })).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a key count or item bound below 1', () => {
    expect(() => scenarioStreamArb({ keys: 0 })).toThrow(/keys must be an integer >= 1/);
    expect(() => workloadArb({ maxItems: 0 })).toThrow(/maxItems/);
    expect(() => workloadArb({ maxStreams: 0 })).toThrow(/maxStreams/);
  });
});
