/**
 * The search behind the `linearizable` checker: is there an order of a history's operations, each placed
 * between its invocation and its completion, in which every operation's answer is what a sequential object
 * (the model) would have answered? Wing & Gong's backtracking search with Lowe's memoisation, as Porcupine
 * and Knossos do it: the history is a list of call and return entries in time order; the search linearizes
 * a call whose model step agrees with the recorded answer (removing its call and return from the list), and
 * backtracks when it reaches a return whose operation it has not linearized yet. A (set of linearized
 * operations, model state) pair met before is never explored again, which is what keeps it fast.
 *
 * An operation without a completion may or may not have taken effect: its return sits after every other
 * entry, so the search may place it anywhere after its call, and reaching such a return means every
 * completed operation found its place (the rest can take effect later, or never).
 *
 * It knows no keys and no registers: the caller splits the history per key and gives the model.
 */

/** A sequential object: its first state, and what an operation does to a state. */
export interface Model<State, Op> {
  readonly init: State;
  /** The state after `op`, or `undefined` when `op`'s recorded answer is impossible from `state`. */
  step(state: State, op: Op): State | undefined;
  /** Two states with the same text are the same state (for the memo). */
  stateKey(state: State): string;
}

/** One operation: its recorded answer lives in `op`; `completeMs` undefined means it never completed. */
export interface TimedOperation<Op> {
  readonly op: Op;
  readonly invokeMs: number;
  readonly completeMs: number | undefined;
}

/** What the search found. */
export type SearchOutcome =
  | { readonly kind: 'linearizable' }
  /** No order works; `best` is a largest set of operations (indexes) the search could linearize. */
  | { readonly kind: 'violation'; readonly best: readonly number[] }
  /** The step budget ran out before an answer. */
  | { readonly kind: 'undecided'; readonly steps: number };

interface Entry {
  readonly op: number;
  readonly call: boolean;
  /** The call's return entry (calls only). */
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** A bit set of operation indexes with a cheap hash, for the memo. */
class BitSet {
  readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) | (1 << (i & 31));
  }

  clear(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) & ~(1 << (i & 31));
  }

  text(): string {
    return this.words.join(',');
  }
}

/**
 * The call and return entries in time order (a call before a return at the same time: overlap is allowed).
 * Within each run of calls between two returns, the calls of completed operations come before those of
 * never-completed ones: which operations may be placed at a point depends only on the first return left, so
 * the order within a run is only the order the search tries them in, and an operation that may take effect
 * at any later time is best tried last (placing it early sends the search down long dead ends).
 */
function entryList<Op>(operations: readonly TimedOperation<Op>[]): Entry {
  const timed: { at: number; call: boolean; entry: Entry }[] = [];
  operations.forEach((operation, op) => {
    const ret: Entry = { op, call: false, match: undefined, prev: undefined, next: undefined };
    const call: Entry = { op, call: true, match: ret, prev: undefined, next: undefined };
    timed.push({ at: operation.invokeMs, call: true, entry: call });
    timed.push({ at: operation.completeMs ?? Number.POSITIVE_INFINITY, call: false, entry: ret });
  });
  timed.sort((a, b) => a.at - b.at || Number(b.call) - Number(a.call) || a.entry.op - b.entry.op);
  const ordered: Entry[] = [];
  const deferred: Entry[] = [];
  for (const { entry } of timed) {
    if (entry.call && (operations[entry.op] as TimedOperation<Op>).completeMs === undefined) {
      deferred.push(entry);
      continue;
    }
    if (!entry.call) ordered.push(...deferred.splice(0));
    ordered.push(entry);
  }
  ordered.push(...deferred);
  const head: Entry = { op: -1, call: false, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const entry of ordered) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

/** Takes a linearized call and its return out of the list. */
function lift(call: Entry): void {
  const unlink = (entry: Entry) => {
    if (entry.prev !== undefined) entry.prev.next = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
  };
  unlink(call);
  if (call.match !== undefined) unlink(call.match);
}

/** Puts a call and its return back where they were (the reverse of `lift`). */
function unlift(call: Entry): void {
  const relink = (entry: Entry) => {
    if (entry.prev !== undefined) entry.prev.next = entry;
    if (entry.next !== undefined) entry.next.prev = entry;
  };
  if (call.match !== undefined) relink(call.match);
  relink(call);
}

/**
 * Searches for a linearization of `operations` against `model`, giving up after `maxSteps` model steps.
 */
export function searchLinearization<State, Op>(
  model: Model<State, Op>,
  operations: readonly TimedOperation<Op>[],
  maxSteps: number,
): SearchOutcome {
  const head = entryList(operations);
  const linearized = new BitSet(operations.length);
  const seen = new Set<string>();
  const stack: { call: Entry; state: State }[] = [];
  let best: number[] = [];
  let state = model.init;
  let entry = head.next;
  let steps = 0;
  while (entry !== undefined) {
    if (entry.call) {
      if (++steps > maxSteps) return { kind: 'undecided', steps: maxSteps };
      const next = model.step(state, (operations[entry.op] as TimedOperation<Op>).op);
      if (next !== undefined) {
        linearized.set(entry.op);
        const key = `${linearized.text()}|${model.stateKey(next)}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // A return: a never-completed operation's return comes after every completed one, so all are placed.
    if ((operations[entry.op] as TimedOperation<Op>).completeMs === undefined) break;
    if (stack.length > best.length) best = stack.map((s) => s.call.op);
    const top = stack.pop();
    if (top === undefined) return { kind: 'violation', best };
    state = top.state;
    linearized.clear(top.call.op);
    unlift(top.call);
    entry = top.call.next;
  }
  return { kind: 'linearizable' };
}
