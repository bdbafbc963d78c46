// Every error sim-cluster throws on purpose is a SimClusterError: one `instanceof` catches them all, each
// keeps its own class and name, and each carries the code, its retryable flag and the cause.

import { createRng, ErrorCodes } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import {
  atLeastOnce,
  CheckerError,
  FaultPlanError,
  History,
  HistoryError,
  ScenarioError,
  SimClock,
  SimClockError,
  SimCluster,
  SimClusterError,
  SimNetwork,
  SimNetworkError,
  validatePlan,
  validateScenario,
} from '../src/index.js';

/** What `run` threw (or rejected with); fails the test when it did not throw. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const CASES = [
  {
    name: 'SimClockError',
    type: SimClockError,
    code: 'INVALID_ARGUMENT',
    message: /advance/,
    run: () => new SimClock().advance(-1),
  },
  {
    name: 'SimNetworkError',
    type: SimNetworkError,
    code: 'INVALID_ARGUMENT',
    message: /both groups/,
    run: () => new SimNetwork({ clock: new SimClock(), rng: createRng(1) }).partition(['node-1'], ['node-1']),
  },
  {
    name: 'HistoryError',
    type: HistoryError,
    code: 'INVALID_ARGUMENT',
    message: /line 1/,
    run: () => History.fromJsonLines('not json\n'),
  },
  {
    name: 'CheckerError',
    type: CheckerError,
    code: 'INVALID_ARGUMENT',
    message: /options/,
    run: () => Reflect.apply(atLeastOnce, undefined, [History.fromEvents([]), 42]),
  },
  {
    name: 'FaultPlanError',
    type: FaultPlanError,
    code: 'INVALID_ARGUMENT',
    message: /plan/,
    run: () => validatePlan('not a plan'),
  },
  {
    name: 'ScenarioError',
    type: ScenarioError,
    code: 'INVALID_ARGUMENT',
    message: /scenario/,
    run: () => validateScenario('not a scenario'),
  },
  {
    name: 'SimClusterError',
    type: SimClusterError,
    code: 'INVALID_ARGUMENT',
    message: /nodes/,
    run: () => SimCluster.start({ nodes: 0 }),
  },
] as const;

describe('SimClusterError', () => {
  it.each(CASES)('is the base of $name, which keeps its class, name, code and retryable flag', async (c) => {
    const error = await thrown(c.run);
    expect(error).toBeInstanceOf(c.type);
    expect(error).toBeInstanceOf(SimClusterError);
    expect(error).toBeInstanceOf(Error);
    const typed = error as SimClusterError;
    expect(typed.name).toBe(c.name);
    expect(typed.code).toBe(c.code);
    expect(typed.retryable).toBe(ErrorCodes[c.code].retryable);
    expect(typed.message).toMatch(c.message);
  });

  it('keeps the cause and takes the retryable flag from the code', () => {
    const cause = new Error('underneath');
    const error = new HistoryError('NODE_UNAVAILABLE', 'lost', { cause });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(new CheckerError('INVALID_ARGUMENT', 'bad').cause).toBeUndefined();
  });

  it("maps a SimClockError's kind to its code", () => {
    const stopped = new SimClockError('stopped', 'the clock was stopped');
    expect(stopped.kind).toBe('stopped');
    expect(stopped.code).toBe('CLOSED');
    expect(stopped.retryable).toBe(ErrorCodes.CLOSED.retryable);
    expect(new SimClockError('livelock', 'no end').code).toBe('INTERNAL');
  });

  it('does not make errors of unrelated classes look like one another', async () => {
    const error = await thrown(() => validatePlan('not a plan'));
    expect(error).not.toBeInstanceOf(ScenarioError);
    expect(error).not.toBeInstanceOf(SimNetworkError);
  });
});
