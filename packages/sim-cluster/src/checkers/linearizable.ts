/**
 * The `linearizable` checker: single-key get / upsert / delete operations, each with the virtual times of
 * its invocation and completion, must look as if each took effect at one instant between the two, in an
 * order where every get reads the latest upsert (or nothing after a delete). That is what a stale read from
 * a deposed primary, or a write acknowledged and then lost, breaks.
 *
 * Keys are independent registers, so the history is split per key and each key is searched on its own
 * (P-compositionality): Wing & Gong's search with Lowe's memoisation (linearizability-search.ts). An
 * operation that never completed (a timeout, a lost connection) may or may not have taken effect; an
 * operation known to have failed must be left out by the caller. Every key starts absent.
 *
 * Its input is either the operations of a history (the register workload records each operation's `invoke`
 * and `complete` events, see workloads/register-workload.ts; `registerOperations` pairs them), or a list of
 * `RegisterOperation`s built by hand. Values are compared as strings: give each row a canonical text.
 */
import type { HistoryLike, InvokeEvent } from '../history/history-event.js';
import { CheckerError } from './checker-error.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import {
  type Model,
  type SearchOutcome,
  searchLinearization,
  type TimedOperation,
} from './linearizability-search.js';

export const RegisterOperationKinds = {
  get: 'get',
  upsert: 'upsert',
  delete: 'delete',
} as const;

export type RegisterOperationKind = keyof typeof RegisterOperationKinds;

/** One client operation on one key. */
export interface RegisterOperation {
  /** Who ran it (a client, or a client's worker), for the report. */
  readonly process: string;
  readonly key: string;
  readonly kind: RegisterOperationKind;
  /**
   * upsert: the value written. get: the value read, `null` when the key was absent (required once the get
   * completed; ignored while it did not). delete: unused.
   */
  readonly value?: string | null;
  /** delete: whether a row was there to delete, when the answer says so. Default: not checked. */
  readonly deleted?: boolean;
  readonly invokeMs: number;
  /** When the answer arrived; absent when none did (it may or may not have taken effect). */
  readonly completeMs?: number;
}

/** A key whose operations admit no linearization. */
export interface LinearizabilityViolation {
  readonly key: string;
  /** The key's operations, by invocation time. */
  readonly operations: readonly RegisterOperation[];
  /** Completed operations outside the largest set the search could linearize: where to look first. */
  readonly stuck: readonly RegisterOperation[];
  readonly reason: string;
}

/** A key the search could not decide within its budget. */
export interface UndecidedKey {
  readonly key: string;
  readonly operations: number;
  readonly steps: number;
}

export interface LinearizableResult extends CheckerResult<'linearizable'> {
  readonly violations: readonly LinearizabilityViolation[];
  readonly undecided: readonly UndecidedKey[];
  readonly keys: number;
  readonly operations: number;
}

export interface LinearizableOptions {
  /** Model steps the search may take per key before it gives up (the key is then undecided). Default 1,000,000. */
  readonly maxStepsPerKey?: number;
}

export const DEFAULT_MAX_STEPS_PER_KEY = 1_000_000;

/** The register a key is: its value, or `null` while absent. */
const REGISTER: Model<string | null, RegisterOperation> = {
  init: null,
  step(state, op) {
    switch (op.kind) {
      case 'get':
        // A get without an answer tells nothing; one with an answer must read the current value.
        return op.completeMs === undefined || op.value === state ? state : undefined;
      case 'upsert':
        return op.value ?? null;
      case 'delete':
        return op.completeMs === undefined || op.deleted === undefined || op.deleted === (state !== null)
          ? null
          : undefined;
    }
  },
  stateKey: (state) => (state === null ? '-' : `=${state}`),
};

function timedOf(ops: readonly RegisterOperation[]): TimedOperation<RegisterOperation>[] {
  return ops.map((op) => ({ op, invokeMs: op.invokeMs, completeMs: op.completeMs }));
}

/**
 * The search for one key's operations (sorted by invocation). An upsert that never completed and whose value
 * no get read may as well never have taken effect: when the operations without such upserts linearize, so do
 * all of them, and that search is far smaller (each such upsert could otherwise be placed at every later
 * point). Only when it finds no order is the whole list searched (such an upsert can still explain a delete
 * that found a row), with the budget left.
 */
function searchKey(ops: readonly RegisterOperation[], maxSteps: number): SearchOutcome {
  const read = new Set(
    ops.filter((op) => op.kind === 'get' && op.completeMs !== undefined).map((op) => op.value),
  );
  const seen = ops.filter(
    (op) => !(op.kind === 'upsert' && op.completeMs === undefined && !read.has(op.value)),
  );
  if (seen.length === ops.length) return searchLinearization(REGISTER, timedOf(ops), maxSteps);
  const first = searchLinearization(REGISTER, timedOf(seen), maxSteps);
  if (first.kind === 'linearizable') return first;
  const spent = first.kind === 'undecided' ? first.steps : 0;
  return searchLinearization(REGISTER, timedOf(ops), Math.max(1, maxSteps - spent));
}

function invalid(index: number, op: RegisterOperation, why: string): CheckerError {
  return new CheckerError('INVALID_ARGUMENT', `linearizable: operation ${index} (${describe(op)}) ${why}`);
}

function validate(operations: readonly RegisterOperation[]): void {
  operations.forEach((op, i) => {
    if (!Object.hasOwn(RegisterOperationKinds, op.kind)) throw invalid(i, op, `has an unknown kind`);
    if (typeof op.key !== 'string') throw invalid(i, op, 'needs a string key');
    if (!Number.isFinite(op.invokeMs)) throw invalid(i, op, 'needs a finite invokeMs');
    if (op.completeMs !== undefined && !(Number.isFinite(op.completeMs) && op.completeMs >= op.invokeMs)) {
      throw invalid(i, op, 'completes before it was invoked');
    }
    if (op.kind === 'upsert' && typeof op.value !== 'string') throw invalid(i, op, 'writes no string value');
    if (op.kind === 'get' && op.completeMs !== undefined && op.value === undefined) {
      throw invalid(i, op, 'completed without the value it read (null for absent)');
    }
  });
}

function describe(op: RegisterOperation): string {
  const answer =
    op.kind === 'get'
      ? ` -> ${op.value === null ? 'absent' : (op.value ?? '?')}`
      : op.kind === 'upsert'
        ? ` ${op.value}`
        : op.deleted === undefined
          ? ''
          : ` -> ${op.deleted ? 'deleted' : 'absent'}`;
  const span = `[${op.invokeMs}ms, ${op.completeMs === undefined ? 'never completed' : `${op.completeMs}ms`}]`;
  return `${op.process} ${op.kind} ${op.key}${answer} ${span}`;
}

/**
 * The single-key operations `history` recorded, each `invoke` paired with its `complete` (by client and op
 * number): completed with the answer when the outcome is `ok`, left out when it is `fail` (refused: it took
 * no effect), never completed otherwise (it may or may not have taken effect). A key is its table's name and
 * the key's text, so keys of different tables are different registers.
 *
 * @param table only the operations on this table. Default: every table's.
 * @throws CheckerError `INVALID_ARGUMENT` for a completion without an invocation, or a second one.
 */
export function registerOperations(history: HistoryLike, table?: string): RegisterOperation[] {
  const invoked = new Map<string, { readonly event: InvokeEvent; index: number }>();
  // A refused operation's slot is emptied once its completion is read.
  const out: (RegisterOperation | undefined)[] = [];
  for (const event of history.events) {
    if (event.type === 'invoke') {
      if (table !== undefined && event.table !== table) continue;
      invoked.set(`${event.client}#${event.op}`, { event, index: out.length });
      out.push({
        process: event.client,
        key: `${event.table}/${event.key}`,
        kind: event.kind,
        invokeMs: event.atMs,
        ...(event.value === undefined ? {} : { value: event.value }),
      });
    } else if (event.type === 'complete') {
      const id = `${event.client}#${event.op}`;
      const entry = invoked.get(id);
      if (entry === undefined) {
        if (table !== undefined) continue;
        throw new CheckerError(
          'INVALID_ARGUMENT',
          `linearizable: event ${event.n} completes ${id}, which was never invoked (or completed twice)`,
        );
      }
      invoked.delete(id);
      if (event.outcome === 'fail') out[entry.index] = undefined;
      if (event.outcome !== 'ok') continue;
      const op = out[entry.index] as RegisterOperation;
      out[entry.index] = {
        ...op,
        completeMs: event.atMs,
        ...(op.kind === 'get' ? { value: event.value ?? null } : {}),
        ...(event.deleted === undefined ? {} : { deleted: event.deleted }),
      };
    }
  }
  return out.filter((op): op is RegisterOperation => op !== undefined);
}

/**
 * Judges whether the operations are linearizable, key by key.
 *
 * @param input a history (its register operations, see {@link registerOperations}) or a list of operations.
 * @param options.maxStepsPerKey default {@link DEFAULT_MAX_STEPS_PER_KEY}.
 * @throws CheckerError `INVALID_ARGUMENT` for a malformed operation (unknown kind, completion before
 *   invocation, an upsert without a value, a completed get without the value it read) or a bad option.
 */
export function linearizable(
  input: HistoryLike | readonly RegisterOperation[],
  options: LinearizableOptions = {},
): LinearizableResult {
  const operations = Array.isArray(input)
    ? (input as readonly RegisterOperation[])
    : registerOperations(input as HistoryLike);
  const maxSteps = options.maxStepsPerKey ?? DEFAULT_MAX_STEPS_PER_KEY;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) {
    throw new CheckerError(
      'INVALID_ARGUMENT',
      `linearizable: maxStepsPerKey must be a positive integer, got ${maxSteps}`,
    );
  }
  validate(operations);
  const byKey = new Map<string, RegisterOperation[]>();
  for (const op of operations) {
    const list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, [op]);
    else list.push(op);
  }
  const violations: LinearizabilityViolation[] = [];
  const undecided: UndecidedKey[] = [];
  for (const [key, list] of byKey) {
    // A get that never completed changes nothing and constrains nothing: leaving it out of the search (which
    // would try it at every point after its call) changes no verdict.
    const ops = list
      .filter((op) => op.kind !== 'get' || op.completeMs !== undefined)
      .sort((a, b) => a.invokeMs - b.invokeMs);
    const outcome = searchKey(ops, maxSteps);
    if (outcome.kind === 'undecided') {
      undecided.push({ key, operations: ops.length, steps: outcome.steps });
    } else if (outcome.kind === 'violation') {
      const placed = new Set(outcome.best);
      const stuck = ops.filter((op, i) => !placed.has(i) && op.completeMs !== undefined);
      violations.push({
        key,
        operations: ops,
        stuck,
        reason:
          `key ${key}: no order of its ${ops.length} operations fits a register; at best ${placed.size} fit, ` +
          `and ${stuck.length} completed operations could not be placed`,
      });
    }
  }
  const valid = violations.length === 0 && undecided.length === 0;
  const summary =
    `${violations.length} keys not linearizable, ${undecided.length} undecided, over ${byKey.size} keys ` +
    `and ${operations.length} operations`;
  const report = buildReport('linearizable', valid, summary, [
    {
      title: 'not linearizable',
      findings: violations.map((v) => [
        v.reason,
        ...v.stuck.slice(0, 10).map((op) => `could not place: ${describe(op)}`),
      ]),
    },
    {
      title: 'undecided (search budget spent)',
      findings: undecided.map((u) => [
        `key ${u.key}: ${u.operations} operations, gave up after ${u.steps} steps`,
      ]),
    },
  ]);
  return {
    checker: 'linearizable',
    valid,
    report,
    violations,
    undecided,
    keys: byKey.size,
    operations: operations.length,
  };
}
