import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckerError } from '../src/checkers/checker-error.js';
import { linearizable, type RegisterOperation, registerOperations } from '../src/checkers/linearizable.js';
import { History } from '../src/history/history.js';

const get = (
  process: string,
  key: string,
  value: string | null,
  invokeMs: number,
  completeMs?: number,
): RegisterOperation => ({
  process,
  key,
  kind: 'get',
  value,
  invokeMs,
  ...(completeMs === undefined ? {} : { completeMs }),
});
const upsert = (
  process: string,
  key: string,
  value: string,
  invokeMs: number,
  completeMs?: number,
): RegisterOperation => ({
  process,
  key,
  kind: 'upsert',
  value,
  invokeMs,
  ...(completeMs === undefined ? {} : { completeMs }),
});
const del = (
  process: string,
  key: string,
  deleted: boolean | undefined,
  invokeMs: number,
  completeMs?: number,
): RegisterOperation => ({
  process,
  key,
  kind: 'delete',
  ...(deleted === undefined ? {} : { deleted }),
  invokeMs,
  ...(completeMs === undefined ? {} : { completeMs }),
});

/** One step of one client: what it does, how long the call takes, where in the call it takes effect, and
 *  how long the client waits before its next call. */
interface Step {
  readonly kind: number;
  readonly durationMs: number;
  readonly effectAt: number;
  readonly thinkMs: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.nat(2),
  durationMs: fc.integer({ min: 1, max: 40 }),
  effectAt: fc.double({ min: 0, max: 1, noNaN: true }),
  thinkMs: fc.nat(20),
});

/**
 * A history of a real register: each client runs its steps one after another; each operation takes effect
 * at an instant inside its own call, and a read sees the register as it is at that instant.
 */
function registerHistory(clients: readonly (readonly Step[])[]): RegisterOperation[] {
  const calls: {
    process: string;
    step: Step;
    invokeMs: number;
    completeMs: number;
    effectMs: number;
    n: number;
  }[] = [];
  clients.forEach((steps, c) => {
    let t = c;
    for (const s of steps) {
      const completeMs = t + s.durationMs;
      calls.push({
        process: `p${c}`,
        step: s,
        invokeMs: t,
        completeMs,
        effectMs: t + s.effectAt * s.durationMs,
        n: calls.length,
      });
      t = completeMs + s.thinkMs;
    }
  });
  calls.sort((a, b) => a.effectMs - b.effectMs || a.n - b.n);
  let value: string | null = null;
  return calls.map(({ process, step: s, invokeMs, completeMs, n }) => {
    if (s.kind === 0) return get(process, 'k', value, invokeMs, completeMs);
    if (s.kind === 1) {
      value = `v${n}`;
      return upsert(process, 'k', value, invokeMs, completeMs);
    }
    const existed = value !== null;
    value = null;
    return del(process, 'k', existed, invokeMs, completeMs);
  });
}

describe('linearizable', () => {
  it('passes a sequential history and reports its size', () => {
    const result = linearizable([
      get('c1', 'k', null, 0, 1),
      upsert('c1', 'k', 'a', 2, 3),
      get('c2', 'k', 'a', 4, 5),
      del('c2', 'k', true, 6, 7),
      get('c1', 'k', null, 8, 9),
      del('c1', 'k', false, 10, 11),
    ]);
    expect(result).toMatchObject({
      checker: 'linearizable',
      valid: true,
      keys: 1,
      operations: 6,
      violations: [],
      undecided: [],
    });
    expect(result.report).toBe(
      'linearizable: passed (0 keys not linearizable, 0 undecided, over 1 keys and 6 operations)',
    );
  });

  it('fails a stale read: a get that returns a value overwritten before it began', () => {
    const result = linearizable([
      upsert('c1', 'k', 'old', 0, 10),
      upsert('c1', 'k', 'new', 20, 30),
      get('c2', 'k', 'old', 40, 50),
    ]);
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.report).toContain('not linearizable (1)');
    expect(result.report).toContain('could not place: c2 get k -> old [40ms, 50ms]');
  });

  it('fails a lost write: an acknowledged upsert that a later read does not see', () => {
    const result = linearizable([upsert('c1', 'k', 'a', 0, 10), get('c2', 'k', null, 20, 30)]);
    expect(result.valid).toBe(false);
    expect(result.violations[0]?.stuck.map((op) => op.kind)).toContain('get');
  });

  it('passes reads that overlap a write and see either value, in an order one instant can explain', () => {
    const result = linearizable([
      upsert('c1', 'k', 'a', 0, 10),
      upsert('c1', 'k', 'b', 20, 60),
      get('c2', 'k', 'a', 25, 30),
      get('c3', 'k', 'b', 28, 40),
      get('c2', 'k', 'b', 45, 50),
    ]);
    expect(result.valid).toBe(true);
  });

  it('fails reads that overlap a write but go back to the old value after one saw the new', () => {
    const result = linearizable([
      upsert('c1', 'k', 'a', 0, 10),
      upsert('c1', 'k', 'b', 20, 60),
      get('c2', 'k', 'b', 25, 30),
      get('c3', 'k', 'a', 35, 40),
    ]);
    expect(result.valid).toBe(false);
  });

  it('passes concurrent writes read in either order, but not both orders at once', () => {
    const writes = [upsert('c1', 'k', 'x', 0, 100), upsert('c2', 'k', 'y', 0, 100)];
    expect(linearizable([...writes, get('c3', 'k', 'x', 110, 120)]).valid).toBe(true);
    expect(linearizable([...writes, get('c3', 'k', 'y', 110, 120)]).valid).toBe(true);
    expect(
      linearizable([...writes, get('c3', 'k', 'x', 110, 120), get('c4', 'k', 'y', 130, 140)]).valid,
    ).toBe(false);
  });

  it('lets a write that never completed take effect, or not, but only once', () => {
    const lost = upsert('c1', 'k', 'maybe', 10);
    const base = upsert('c1', 'k', 'a', 0, 5);
    expect(linearizable([base, lost, get('c2', 'k', 'maybe', 50, 60)]).valid).toBe(true);
    expect(linearizable([base, lost, get('c2', 'k', 'a', 50, 60)]).valid).toBe(true);
    expect(
      linearizable([base, lost, get('c2', 'k', 'a', 50, 60), get('c2', 'k', 'maybe', 70, 80)]).valid,
    ).toBe(true);
    expect(
      linearizable([base, lost, get('c2', 'k', 'maybe', 50, 60), get('c2', 'k', 'a', 70, 80)]).valid,
    ).toBe(false);
    // Not before it was invoked.
    expect(linearizable([base, get('c2', 'k', 'maybe', 6, 8), lost]).valid).toBe(false);
  });

  it('checks what a delete answered, when it says', () => {
    expect(linearizable([del('c1', 'k', true, 0, 1)]).valid).toBe(false);
    expect(linearizable([upsert('c1', 'k', 'a', 0, 1), del('c1', 'k', false, 2, 3)]).valid).toBe(false);
    expect(
      linearizable([
        upsert('c1', 'k', 'a', 0, 1),
        del('c1', 'k', undefined, 2, 3),
        get('c1', 'k', null, 4, 5),
      ]).valid,
    ).toBe(true);
  });

  it('judges each key on its own and names only the bad one', () => {
    const result = linearizable([
      upsert('c1', 'good', 'a', 0, 1),
      get('c1', 'good', 'a', 2, 3),
      upsert('c1', 'bad', 'a', 0, 1),
      get('c1', 'bad', null, 2, 3),
    ]);
    expect(result.keys).toBe(2);
    expect(result.violations.map((v) => v.key)).toEqual(['bad']);
  });

  it('passes every history of a real register, however its clients overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.array(step, { maxLength: 12 }), { minLength: 1, maxLength: 5 }), (clients) => {
        expect(linearizable(registerHistory(clients)).valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decides a thousand operations of five overlapping clients on one key within a small search budget (the memo prunes)', () => {
    const clients = fc.sample(fc.array(step, { minLength: 200, maxLength: 200 }), { numRuns: 5, seed: 42 });
    const history = registerHistory(clients);
    expect(history).toHaveLength(1_000);
    const result = linearizable(history, { maxStepsPerKey: 50_000 });
    expect(result.undecided).toEqual([]);
    expect(result.valid).toBe(true);
    // The same history with one late read made stale is found out within the same budget.
    const lastRead = history.findLastIndex((o) => o.kind === 'get' && o.value !== null);
    const stale = history.map((o, i) => (i === lastRead ? { ...o, value: 'never-written' } : o));
    const bad = linearizable(stale, { maxStepsPerKey: 50_000 });
    expect(bad.undecided).toEqual([]);
    expect(bad.valid).toBe(false);
  });

  it('reports a key it could not decide within the budget as undecided, never as passed', () => {
    const ops: RegisterOperation[] = [];
    for (let i = 0; i < 12; i++) ops.push(upsert(`c${i}`, 'k', `v${i}`, 0, 100));
    ops.push(get('r', 'k', 'nobody-wrote-this', 200, 210));
    const result = linearizable(ops, { maxStepsPerKey: 50 });
    expect(result.valid).toBe(false);
    expect(result.undecided).toEqual([{ key: 'k', operations: 13, steps: 50 }]);
    expect(result.report).toContain('undecided (search budget spent) (1)');
  });

  it('refuses malformed operations with a CheckerError naming the operation', () => {
    const bad: [RegisterOperation, string][] = [
      [{ ...get('c', 'k', null, 5, 4) }, 'completes before it was invoked'],
      [{ process: 'c', key: 'k', kind: 'upsert', invokeMs: 0, completeMs: 1 }, 'writes no string value'],
      [
        { process: 'c', key: 'k', kind: 'get', invokeMs: 0, completeMs: 1 },
        'completed without the value it read',
      ],
      [{ ...get('c', 'k', null, Number.NaN, 1) }, 'needs a finite invokeMs'],
      [{ ...get('c', 'k', null, 0, 1), kind: 'cas' as 'get' }, 'unknown kind'],
    ];
    for (const [op, message] of bad) {
      const error = (() => {
        try {
          linearizable([op]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CheckerError);
      expect((error as CheckerError).code).toBe('INVALID_ARGUMENT');
      expect((error as CheckerError).message).toContain(message);
    }
    expect(() => linearizable([], { maxStepsPerKey: 0 })).toThrow(CheckerError);
  });
});

describe('linearizable over a recorded history', () => {
  /** A history of register operations: [client, op, kind, key, value?] invoked at `at`, answered at `done`. */
  function historyOf(
    ops: readonly {
      client: string;
      kind: 'get' | 'upsert' | 'delete';
      key: string;
      value?: string | null;
      at: number;
      done?: number;
    }[],
  ): History {
    let now = 0;
    const history = new History({ clock: { now: () => now } });
    const entries = ops.flatMap((op, i) => [
      {
        at: op.at,
        run: () =>
          history.recordInvoke({
            client: op.client,
            op: i,
            table: 'R',
            key: op.key,
            kind: op.kind,
            ...(op.kind === 'upsert' ? { value: op.value as string } : {}),
          }),
      },
      ...(op.done === undefined
        ? []
        : [
            {
              at: op.done,
              run: () =>
                history.recordComplete({
                  client: op.client,
                  op: i,
                  outcome: 'ok',
                  ...(op.kind === 'get' ? { value: op.value ?? null } : {}),
                }),
            },
          ]),
    ]);
    for (const entry of entries.sort((a, b) => a.at - b.at)) {
      now = entry.at;
      entry.run();
    }
    return history;
  }

  it('pairs every invocation with its completion; an operation without an answer never completed', () => {
    const history = historyOf([
      { client: 'c1', kind: 'upsert', key: 'k', value: 'a', at: 0, done: 5 },
      { client: 'c2', kind: 'get', key: 'k', value: 'a', at: 6, done: 8 },
      { client: 'c3', kind: 'upsert', key: 'k', value: 'b', at: 7 },
    ]);
    expect(registerOperations(history)).toEqual([
      { process: 'c1', key: 'R/k', kind: 'upsert', value: 'a', invokeMs: 0, completeMs: 5 },
      { process: 'c2', key: 'R/k', kind: 'get', invokeMs: 6, completeMs: 8, value: 'a' },
      { process: 'c3', key: 'R/k', kind: 'upsert', value: 'b', invokeMs: 7 },
    ]);
    expect(linearizable(history).valid).toBe(true);
  });

  it('fails a recorded stale read, and a recorded lost write', () => {
    const stale = historyOf([
      { client: 'c1', kind: 'upsert', key: 'k', value: 'a', at: 0, done: 1 },
      { client: 'c1', kind: 'upsert', key: 'k', value: 'b', at: 2, done: 3 },
      { client: 'c2', kind: 'get', key: 'k', value: 'a', at: 4, done: 5 },
    ]);
    expect(linearizable(stale)).toMatchObject({ valid: false, violations: [{ key: 'R/k' }] });
    const lost = historyOf([
      { client: 'c1', kind: 'upsert', key: 'k', value: 'a', at: 0, done: 1 },
      { client: 'c2', kind: 'get', key: 'k', value: null, at: 2, done: 3 },
    ]);
    expect(linearizable(lost).valid).toBe(false);
  });

  it('refuses a completion that was never invoked', () => {
    const history = new History({ clock: { now: () => 0 } });
    history.recordComplete({ client: 'c1', op: 3, outcome: 'ok' });
    expect(() => registerOperations(history)).toThrow(/completes c1#3, which was never invoked/);
  });
});
