import { faultPlanArb } from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultPlanError } from '../src/faults/fault-plan-error.js';
import { planFromJson, planToJson } from '../src/faults/fault-plan-json.js';
import { validatePlan } from '../src/faults/validate-plan.js';

const targets = {
  nodes: ['node-1', 'node-2', 'node-3'],
  clients: ['client-1', 'client-2'],
  tables: [{ name: 'Events', partitions: 8 }],
};
const nodes = targets.nodes;

describe('fault plan JSON', () => {
  it('round-trips every generated plan, sorted by time', () => {
    fc.assert(
      fc.property(faultPlanArb(targets, { maxSteps: 12 }), (plan) => {
        const sorted = validatePlan(plan, { nodes });
        expect(planFromJson(planToJson(plan), { nodes })).toEqual(sorted);
        for (let i = 1; i < sorted.length; i++) {
          expect((sorted[i] as { atMs: number }).atMs).toBeGreaterThanOrEqual(
            (sorted[i - 1] as { atMs: number }).atMs,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every sub-plan of a generated plan valid (shrinking stays valid)', () => {
    fc.assert(
      fc.property(
        faultPlanArb(targets, { maxSteps: 10 }).chain((plan) => fc.subarray([...plan]).map((sub) => sub)),
        (sub) => {
          expect(() => validatePlan(sub, { nodes })).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects text that is not JSON', () => {
    expect(() => planFromJson('[{')).toThrow(FaultPlanError);
  });
});

describe('validatePlan', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an array', { atMs: 0 }, /must be an array/],
    ['a negative time', [{ atMs: -1, fault: { kind: 'heal' } }], /step 0: atMs must be a finite number >= 0/],
    [
      'an unknown kind',
      [{ atMs: 0, fault: { kind: 'meteor' } }],
      /step 0: fault.kind must be one of .*meteor/,
    ],
    [
      'a probability above 1',
      [{ atMs: 0, fault: { kind: 'setFaults', faults: { drop: 1.5 } } }],
      /step 0 \(setFaults\): fault.faults.drop must be a probability in \[0, 1\], got 1.5/,
    ],
    [
      'a misspelt setting',
      [{ atMs: 0, fault: { kind: 'setFaults', faults: { dorp: 0.1 } } }],
      /fault.faults.dorp is not a network setting/,
    ],
    [
      'a reversed delay range',
      [{ atMs: 0, fault: { kind: 'setFaults', faults: { delayMs: [9, 1] } } }],
      /fault.faults.delayMs must be \[min, max\]/,
    ],
    [
      'a negative clog',
      [{ atMs: 0, fault: { kind: 'clog', target: 'node-1', ms: -5 } }],
      /fault.ms must be a finite/,
    ],
    [
      'overlapping partition groups',
      [{ atMs: 0, fault: { kind: 'partition', groupA: ['node-1'], groupB: ['node-2', 'node-1'] } }],
      /fault.groupB must be disjoint from groupA, got "node-1"/,
    ],
    [
      'an unknown node',
      [{ atMs: 0, fault: { kind: 'crash', node: 'node-9' } }],
      /step 0 \(crash\): unknown node "node-9"/,
    ],
    [
      'an unknown node in a cut',
      [{ atMs: 0, fault: { kind: 'isolate', endpoint: 'node-7' } }],
      /unknown node "node-7"/,
    ],
    ['an extra field', [{ atMs: 0, fault: { kind: 'heal', node: 'node-1' } }], /unknown field fault.node/],
    [
      'the last node leaving',
      [
        { atMs: 0, fault: { kind: 'leave', node: 'node-1' } },
        { atMs: 1, fault: { kind: 'leave', node: 'node-2' } },
        { atMs: 2, fault: { kind: 'leave', node: 'node-3' } },
      ],
      /step 2 \(leave\): "node-3" would be the last node to leave/,
    ],
    [
      'a partition out of range',
      [{ atMs: 0, fault: { kind: 'movePartition', table: 'T', partition: 1.5, to: 'node-1' } }],
      /fault.partition must be a partition number/,
    ],
  ];
  for (const [what, plan, message] of bad) {
    it(`rejects ${what}, naming the step and field`, () => {
      expect(() => validatePlan(plan, { nodes })).toThrow(message);
      expect(() => validatePlan(plan, { nodes })).toThrow(FaultPlanError);
    });
  }

  it('knows the node a join adds', () => {
    const plan = [
      { atMs: 0, fault: { kind: 'join' } },
      { atMs: 1, fault: { kind: 'crash', node: 'node-4' } },
    ];
    expect(validatePlan(plan, { nodes })).toHaveLength(2);
    expect(() => validatePlan(plan.slice(1), { nodes })).toThrow(/unknown node "node-4"/);
  });

  it('accepts client endpoints it has not seen yet', () => {
    expect(() =>
      validatePlan([{ atMs: 0, fault: { kind: 'disconnect', a: 'client-7', b: 'node-1' } }], { nodes }),
    ).not.toThrow();
  });
});
