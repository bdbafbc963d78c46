import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftHarness, type TrackedProposal } from './support/raft/raft-harness.js';

const NODES = ['a', 'b', 'c', 'd', 'e'];

type Action =
  | { readonly kind: 'propose'; readonly count: number }
  | { readonly kind: 'isolate'; readonly node: number }
  | { readonly kind: 'partition'; readonly mask: number }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'drop'; readonly rate: number }
  | { readonly kind: 'snapshot'; readonly node: number }
  | { readonly kind: 'isolateLeader' }
  | { readonly kind: 'crashLeader' }
  | { readonly kind: 'heal' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('propose' as const), count: fc.integer({ min: 1, max: 5 }) }),
  },
  fc.record({ kind: fc.constant('isolate' as const), node: fc.nat(4) }),
  fc.record({ kind: fc.constant('partition' as const), mask: fc.nat(31) }),
  fc.record({ kind: fc.constant('crash' as const), node: fc.nat(4) }),
  fc.record({ kind: fc.constant('restart' as const), node: fc.nat(4) }),
  fc.record({ kind: fc.constant('drop' as const), rate: fc.constantFrom(0.05, 0.2, 0.5) }),
  fc.record({ kind: fc.constant('snapshot' as const), node: fc.nat(4) }),
  fc.constant({ kind: 'isolateLeader' as const }),
  fc.constant({ kind: 'crashLeader' as const }),
  fc.constant({ kind: 'heal' as const }),
);

const scenario = fc.record({
  seed: fc.noShrink(fc.bigInt({ min: 0n, max: 2n ** 32n })),
  size: fc.constantFrom(3, 5),
  snapshotEvery: fc.constantFrom(0, 4, 16),
  steps: fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 400 }), action }), {
    minLength: 10,
    maxLength: 40,
  }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run({ seed, size, snapshotEvery, steps }: Scenario): RaftHarness {
  const members = NODES.slice(0, size);
  const h = new RaftHarness({ seed, members, raft: { snapshotEveryEntries: snapshotEvery } });
  let n = 0;
  for (const { gapMs, action: a } of steps) {
    h.runFor(gapMs);
    const id = members[('node' in a ? a.node : 0) % size] as string;
    switch (a.kind) {
      case 'propose':
        for (let i = 0; i < a.count; i++) h.propose(`p${n++}`);
        break;
      case 'isolate':
        h.isolate(id);
        break;
      case 'partition':
        h.partition([
          members.filter((_, i) => (a.mask >> i) & 1),
          members.filter((_, i) => !((a.mask >> i) & 1)),
        ]);
        break;
      case 'crash':
        if (h.live().some((r) => r.id === id)) h.crash(id);
        break;
      case 'restart':
        if (!h.live().some((r) => r.id === id)) h.restart(id);
        break;
      case 'drop':
        h.setDropRate(a.rate);
        break;
      case 'snapshot':
        if (h.live().some((r) => r.id === id)) h.node(id).takeSnapshot();
        break;
      case 'isolateLeader': {
        const leader = h.leader();
        if (leader !== undefined) h.isolate(leader.id);
        break;
      }
      case 'crashLeader': {
        const leader = h.leader();
        if (leader !== undefined) h.crash(leader.id);
        break;
      }
      case 'heal':
        h.heal();
        break;
    }
  }
  // Heal: every link back, every replica up, then a last proposal that must commit everywhere.
  h.heal();
  for (const id of members) if (!h.live().some((r) => r.id === id)) h.restart(id);
  // A final proposal on a leader that is about to be deposed may be lost: propose again until one commits.
  let final: TrackedProposal | undefined;
  h.runUntil(
    () => {
      if (final === undefined || (!final.acknowledged && h.leader()?.term !== final.term)) {
        final = h.propose(`final-${h.clock.now()}`);
      }
      const index = final?.index ?? Number.POSITIVE_INFINITY;
      return final?.acknowledged === true && h.live().every((r) => r.lastApplied >= index);
    },
    20_000,
    'a final proposal applied everywhere',
  );
  return h;
}

describe('RaftNode under random faults', () => {
  it('keeps every safety invariant, and applies every acknowledged proposal everywhere after heal', () => {
    const tally = { runs: 0, leaders: 0, lost: 0, chunks: 0, restores: 0, dropped: 0 };
    fc.assert(
      fc.property(scenario, (s) => {
        const h = run(s);
        const reference = h.sm(h.ids()[0] as string).applied;
        for (const id of h.ids()) expect(h.sm(id).applied).toEqual(reference);
        for (const p of h.proposals) if (p.acknowledged) expect(reference).toContain(p.text);
        tally.runs++;
        tally.leaders += h.checker.leaders.size;
        tally.lost += h.proposals.filter((p) => !p.acknowledged).length;
        tally.chunks += h.stats.snapshotChunks;
        tally.restores += h.ids().reduce((n, id) => n + h.sm(id).restores, 0);
        tally.dropped += h.stats.dropped;
      }),
      { numRuns: Number(process.env['RAFT_RUNS'] ?? 120) },
    );
    // Nothing vacuous: the faults forced new elections, lost proposals, and snapshot transfers.
    expect(tally.leaders).toBeGreaterThan(tally.runs);
    expect(tally.lost).toBeGreaterThan(0);
    expect(tally.chunks).toBeGreaterThan(0);
    expect(tally.restores).toBeGreaterThan(0);
    expect(tally.dropped).toBeGreaterThan(0);
  });
});
