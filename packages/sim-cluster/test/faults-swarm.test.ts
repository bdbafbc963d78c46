import { createRng } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { FaultPlanError } from '../src/faults/fault-plan-error.js';
import { drawSwarmProfile, planSwarm, runSwarm } from '../src/faults/swarm.js';
import { validatePlan } from '../src/faults/validate-plan.js';

const targets = {
  nodes: ['node-1', 'node-2', 'node-3'],
  clients: ['client-1'],
  tables: [{ name: 'Events', partitions: 8 }],
};

describe('swarm', () => {
  it('gives the same profile and plan for the same seed', () => {
    expect(planSwarm(42, targets)).toEqual(planSwarm(42n, targets));
  });

  it('gives different profiles and plans across seeds', () => {
    const plans = new Set<string>();
    const kindSets = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const { profile, plan } = planSwarm(seed, targets);
      plans.add(JSON.stringify(plan));
      kindSets.add(profile.kinds.join(','));
    }
    expect(plans.size).toBe(20);
    expect(kindSets.size).toBeGreaterThan(10);
  });

  it('turns on only the kinds it may, at least one, with rates in range', () => {
    for (let seed = 0; seed < 50; seed++) {
      const profile = drawSwarmProfile(createRng(seed), ['drop', 'crash']);
      expect(profile.kinds.length).toBeGreaterThan(0);
      for (const kind of profile.kinds) expect(['drop', 'crash']).toContain(kind);
      expect(profile.network.drop === undefined).toBe(!profile.kinds.includes('drop'));
      if (profile.network.drop !== undefined) {
        expect(profile.network.drop).toBeGreaterThanOrEqual(0.001);
        expect(profile.network.drop).toBeLessThanOrEqual(0.05);
      }
    }
    expect(() => drawSwarmProfile(createRng(1), [])).toThrow(FaultPlanError);
  });

  it('replaces every starting node on some seeds, after a join, with nothing crashed at a leave', () => {
    let replacing = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { plan } = planSwarm(seed, targets, { kinds: ['join', 'leave', 'crash', 'drop'] });
      const leaves = plan.filter((s) => s.fault.kind === 'leave').map((s) => s.fault);
      if (!targets.nodes.every((n) => leaves.some((f) => f.kind === 'leave' && f.node === n))) continue;
      replacing++;
      expect(() => validatePlan(plan, { nodes: targets.nodes })).not.toThrow();
      const lastLeave = plan.findLastIndex((s) => s.fault.kind === 'leave');
      expect(plan.slice(0, lastLeave).some((s) => s.fault.kind === 'join')).toBe(true);
      const crashed = new Set<string>();
      for (const { fault } of plan) {
        if (fault.kind === 'crash') crashed.add(fault.node);
        if (fault.kind === 'restart') crashed.delete(fault.node);
        if (fault.kind === 'leave') expect(crashed.size).toBe(0);
      }
    }
    // A share of the plans with both kinds on: sometimes, never always; and never without joins on.
    expect(replacing).toBeGreaterThan(5);
    expect(replacing).toBeLessThan(150);
    for (let seed = 0; seed < 100; seed++) {
      const { plan } = planSwarm(seed, targets, { kinds: ['leave', 'drop'] });
      expect(plan.some((s) => s.fault.kind === 'join')).toBe(false);
    }
  });

  it('keeps a majority of the metastorage members through leaves and destroys, and replaces no cluster with one', () => {
    const metastorageNodes = ['node-1', 'node-2', 'node-3'];
    let gone = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { plan } = planSwarm(
        seed,
        { ...targets, metastorageNodes },
        { kinds: ['join', 'leave', 'destroy', 'drop'], durationMs: 20_000 },
      );
      const left = plan.flatMap(({ fault }) =>
        (fault.kind === 'leave' || fault.kind === 'destroy') && metastorageNodes.includes(fault.node)
          ? [fault.node]
          : [],
      );
      gone += left.length;
      expect(left.length, `seed ${seed}`).toBeLessThanOrEqual(1);
    }
    // Members do go, one at a time: the rule is not kept by never letting any go.
    expect(gone).toBeGreaterThan(20);
  });

  it('makes valid plans that never crash every node and restart what they crash', () => {
    for (let seed = 0; seed < 100; seed++) {
      const { plan } = planSwarm(seed, targets, { durationMs: 20_000 });
      expect(() => validatePlan(plan, { nodes: targets.nodes })).not.toThrow();
      const crashed = new Set<string>();
      let members = targets.nodes.length;
      for (const { fault } of plan) {
        if (fault.kind === 'crash') crashed.add(fault.node);
        if (fault.kind === 'restart') crashed.delete(fault.node);
        if (fault.kind === 'join') members++;
        if (fault.kind === 'leave') members--;
        expect(crashed.size).toBeLessThan(members);
      }
    }
  });

  it('runs the seed’s plan over the fault phase, then heals, the same way twice', async () => {
    async function run() {
      await using cluster = await SimCluster.start({ nodes: 3, seed: 77 });
      const result = await runSwarm(cluster, {
        durationMs: 3000,
        kinds: ['crash', 'isolate', 'pause', 'drop'],
      });
      for (const node of cluster.nodes) expect(cluster.node(node).isRunning).toBe(true);
      expect(cluster.clock.now()).toBeGreaterThanOrEqual(3000);
      return { plan: result.plan, hash: cluster.history.hash(), heal: result.heal };
    }
    const first = await run();
    const second = await run();
    expect(first.plan.length).toBeGreaterThan(0);
    expect(second.hash).toBe(first.hash);
    expect(first.heal?.atMs).toBeGreaterThanOrEqual(3000);
  });

  it('draws replica moves while nodes are down, and a new node after a destroy, for replicated tables', () => {
    const replicated = {
      nodes: ['node-1', 'node-2', 'node-3', 'node-4', 'node-5'],
      tables: [{ name: 'Events', partitions: 4, replicated: true }],
    };
    let movesWhileCrashed = 0;
    let replacements = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { plan } = planSwarm(seed, replicated, {
        durationMs: 20_000,
        kinds: ['crash', 'move', 'destroy'],
      });
      expect(() => validatePlan(plan, { nodes: replicated.nodes })).not.toThrow();
      const crashed = new Set<string>();
      let destroyed = false;
      for (const { fault } of plan) {
        if (fault.kind === 'crash') crashed.add(fault.node);
        if (fault.kind === 'restart') crashed.delete(fault.node);
        if (fault.kind === 'movePartition' && crashed.size > 0) movesWhileCrashed++;
        if (fault.kind === 'destroy') destroyed = true;
        if (fault.kind === 'join' && destroyed) replacements++;
      }
    }
    expect(movesWhileCrashed).toBeGreaterThan(0);
    expect(replacements).toBeGreaterThan(0);
    // An unreplicated table's partitions never move while a node is down.
    for (let seed = 0; seed < 100; seed++) {
      const { plan } = planSwarm(
        seed,
        { ...replicated, tables: [{ name: 'Events', partitions: 4 }] },
        {
          durationMs: 20_000,
          kinds: ['crash', 'move'],
        },
      );
      const crashed = new Set<string>();
      for (const { fault } of plan) {
        if (fault.kind === 'crash') crashed.add(fault.node);
        if (fault.kind === 'restart') crashed.delete(fault.node);
        if (fault.kind === 'movePartition') expect(crashed.size).toBe(0);
      }
    }
  });
});
