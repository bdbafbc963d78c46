/**
 * All the checkers over one history, as one verdict: what `cluster.check(...)` returns. The history is
 * indexed once and the key timelines built once for the checkers that read applies; the stored-rows checker
 * judges the stores' versions given with the options (`stored`).
 *
 * It adds no judgement of its own: the verdict is valid when every checker is.
 */
import type { HistoryLike, HistoryRow } from '../history/history-event.js';
import {
  type AtLeastOnceResult,
  judgeAtLeastOnce,
  type LostItem,
  type UnaccountedItem,
  type UnexpectedApply,
} from './at-least-once.js';
import { type CheckOptions, validateOptions } from './check-options.js';
import {
  type ExactOutcomesResult,
  type ExactOutcomeViolation,
  judgeExactOutcomes,
} from './exact-outcomes.js';
import { type FinalStateMismatch, type FinalStateResult, judgeFinalState } from './final-state.js';
import { HistoryIndex } from './history-index.js';
import { buildKeyTimelines } from './key-timelines.js';
import { type LivenessResult, type LivenessViolation, liveness } from './liveness.js';
import { judgePerKeyOrder, type OrderViolation, type PerKeyOrderResult } from './per-key-order.js';
import { judgeReplicaSets, type ReplicaSetsResult, type ShrunkGroup } from './replica-sets.js';
import { ResumedDoubts } from './resumed-doubts.js';
import { judgeStoredRows, type StoredRowsResult, type UndecodableRow } from './stored-rows.js';

/** The judgement of a whole run. */
export interface Verdict {
  /** Whether every checker passed. */
  readonly valid: boolean;
  /** Acknowledged items never applied (`atLeastOnce`). */
  readonly lost: readonly LostItem[];
  /** Applies of items never submitted (`atLeastOnce`). */
  readonly unexpected: readonly UnexpectedApply[];
  /** Applies beyond the first of one item: counted, not a failure (`atLeastOnce`). */
  readonly duplicated: number;
  /** Items of settled streams neither acknowledged nor reported failed (`atLeastOnce`). */
  readonly unaccounted: readonly UnaccountedItem[];
  /** Applies that went back to an older sequence (`perKeyOrder`). */
  readonly reordered: readonly OrderViolation[];
  /** Keys whose committed state is not the newest applied version (`finalState`). */
  readonly finalStateMismatches: readonly FinalStateMismatch[];
  /** Streams that did not settle within the bound after heal (`liveness`). */
  readonly unsettled: readonly LivenessViolation[];
  /** Failed streams whose report was not true, and resumes overwritten by their past (`exactOutcomes`). */
  readonly inexact: readonly ExactOutcomeViolation[];
  /** Stored versions no reader could return (`storedRows`). */
  readonly undecodableRows: readonly UndecodableRow[];
  /** Configurations a move left with fewer voters than the replica count (`replicaSets`). */
  readonly shrunkGroups: readonly ShrunkGroup[];
  readonly atLeastOnce: AtLeastOnceResult;
  readonly perKeyOrder: PerKeyOrderResult;
  readonly finalState: FinalStateResult;
  readonly liveness: LivenessResult;
  readonly exactOutcomes: ExactOutcomesResult;
  readonly storedRows: StoredRowsResult;
  readonly replicaSets: ReplicaSetsResult;
  /** The reports, one after the other. */
  readonly report: string;
}

/**
 * Runs `atLeastOnce`, `perKeyOrder`, `finalState`, `liveness`, `exactOutcomes` and `replicaSets` over
 * `history`, and `storedRows` over `options.stored`.
 *
 * @param options `key` and `seq` are required; see {@link CheckOptions} for the rest and their defaults.
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option, a user function that throws or gives an
 *   unusable value, or a history that contradicts itself (an ack of an item never submitted).
 */
export function check<Row extends object = HistoryRow>(
  history: HistoryLike,
  options: CheckOptions<Row>,
): Verdict {
  validateOptions(options, ['key', 'seq']);
  const index = new HistoryIndex(history, options);
  const doubts = new ResumedDoubts(history);
  const timelines = buildKeyTimelines(index, doubts);
  const atLeastOnce = judgeAtLeastOnce(index, timelines);
  const perKeyOrder = judgePerKeyOrder(timelines, doubts);
  const finalState = judgeFinalState(index, timelines, options.rows);
  const live = liveness(history, options);
  const exact = judgeExactOutcomes(index, timelines);
  const stored = options.stored;
  const storedRows = judgeStoredRows(stored?.versions ?? [], stored?.schemas ?? NO_SCHEMAS);
  const replicaSets = judgeReplicaSets(history);
  return {
    valid:
      atLeastOnce.valid &&
      perKeyOrder.valid &&
      finalState.valid &&
      live.valid &&
      exact.valid &&
      storedRows.valid &&
      replicaSets.valid,
    lost: atLeastOnce.lost,
    unexpected: atLeastOnce.unexpected,
    duplicated: atLeastOnce.duplicated,
    unaccounted: atLeastOnce.unaccounted,
    reordered: perKeyOrder.violations,
    finalStateMismatches: finalState.mismatches,
    unsettled: live.violations,
    inexact: exact.violations,
    undecodableRows: storedRows.undecodable,
    shrunkGroups: replicaSets.shrunk,
    atLeastOnce,
    perKeyOrder,
    finalState,
    liveness: live,
    exactOutcomes: exact,
    storedRows,
    replicaSets,
    // The stored-rows line only when stores were given: without them it judged nothing.
    report: [atLeastOnce.report, perKeyOrder.report, finalState.report, live.report, exact.report]
      .concat(stored === undefined ? [] : [storedRows.report])
      .concat(replicaSets.configurations === 0 ? [] : [replicaSets.report])
      .join('\n'),
  };
}

const NO_SCHEMAS = { schema: () => undefined, latest: () => undefined };
