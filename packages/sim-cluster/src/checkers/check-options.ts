/**
 * The options the checkers take, their defaults, and their validation. Rows are the table's decoded rows;
 * `Row` lets a test name their shape (the checkers only hand them to the user's functions).
 *
 * It does not interpret the history: `history-index.ts` does.
 */
import type { HistoryRow } from '../history/history-event.js';
import { CheckerError } from './checker-error.js';
import type { StoredSchemas, StoredVersion } from './stored-rows.js';

/** What identifies a row's writer and version: needed by every checker that reads applies. */
export interface RowFunctions<Row extends object = HistoryRow> {
  /**
   * The producer's per-key sequence number a row carries (a number, or a bigint within the safe range).
   * It is what the history's `submit.seq` recorded for the item that wrote the row.
   */
  readonly seq: (row: Row) => number | bigint;
  /**
   * The producer that wrote a row, named as the history's submits name it (`submit.producer`, else the
   * client). Default: inferred from the submitted items whose key and seq the row carries (one producer per
   * client); an apply that several producers could have written is then left out of the order check.
   */
  readonly producer?: (row: Row) => string;
  /**
   * The table to judge. Default: the only table the history's applies and submits name; required when there
   * are several.
   */
  readonly table?: string;
}

/** Options of `atLeastOnce`. */
export interface AtLeastOnceOptions<Row extends object = HistoryRow> extends RowFunctions<Row> {
  /** The key of a row, as the user sees it (any value `canonicalKey` accepts). Needed with `preexisting`. */
  readonly key?: (row: Row) => unknown;
  /**
   * Rows that were in the table before the streams, or written outside them: their applies are not
   * `unexpected`, and their keys may be in the final table without being submitted. Default: none.
   */
  readonly preexisting?: readonly Row[];
}

/** Options of `perKeyOrder`. */
export type PerKeyOrderOptions<Row extends object = HistoryRow> = RowFunctions<Row>;

/** Options of `finalState`. */
export interface FinalStateOptions<Row extends object = HistoryRow> extends RowFunctions<Row> {
  /** The key of a row, as the user sees it (any value `canonicalKey` accepts). */
  readonly key: (row: Row) => unknown;
  /**
   * The committed table after the run, read directly (`cluster.readTable`). Default: the state the history's
   * applies leave (the last apply per key in commit order), which checks what was committed but not what the
   * store kept.
   */
  readonly rows?: readonly Row[];
  /** As for `atLeastOnce`. Default: none. */
  readonly preexisting?: readonly Row[];
}

/** The default `livenessBoundMs`: a stream under the default retry policy (16 retries, backoff capped at 2 s)
 *  settles well within it once faults stop. */
export const DEFAULT_LIVENESS_BOUND_MS = 60_000;

/** Options of `liveness`. */
export interface LivenessOptions {
  /**
   * When the fault phase ended. Default: the time of the last `fault` or `topology` event of kind `heal`;
   * with none, 0 (the whole run counts as healed).
   */
  readonly healAtMs?: number;
  /**
   * How long after the heal point (or after its start, for a stream that starts later) every stream must have
   * settled, in virtual milliseconds. Default {@link DEFAULT_LIVENESS_BOUND_MS}.
   */
  readonly livenessBoundMs?: number;
}

/** Options of the stored-rows checker. */
export interface StoredRowsOptions {
  /**
   * The stores' committed versions and the catalog to read them with (`cluster.check` passes every node's).
   * Default: none, so nothing is judged.
   */
  readonly stored?: { readonly versions: Iterable<StoredVersion>; readonly schemas: StoredSchemas };
}

/** Options of `check`: everything the checkers take. */
export type CheckOptions<Row extends object = HistoryRow> = FinalStateOptions<Row> &
  LivenessOptions &
  StoredRowsOptions;

/**
 * Throws unless `options` fit {@link CheckOptions} (only the fields present are checked; `require` names
 * fields that must be there).
 *
 * @throws CheckerError `INVALID_ARGUMENT` naming the option.
 */
export function validateOptions(options: unknown, require: readonly ('key' | 'seq')[]): void {
  if (options === null || typeof options !== 'object') {
    throw new CheckerError('INVALID_ARGUMENT', 'checker options must be an object');
  }
  const o = options as { readonly [name: string]: unknown } & {
    readonly key?: unknown;
    readonly table?: unknown;
    readonly preexisting?: unknown;
    readonly healAtMs?: unknown;
    readonly livenessBoundMs?: unknown;
  };
  for (const name of require) {
    if (o[name] === undefined) throw new CheckerError('INVALID_ARGUMENT', `option ${name} is required`);
  }
  for (const name of ['key', 'seq', 'producer']) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      throw new CheckerError('INVALID_ARGUMENT', `option ${name} must be a function of a row`);
    }
  }
  if (o.table !== undefined && typeof o.table !== 'string') {
    throw new CheckerError('INVALID_ARGUMENT', 'option table must be a string');
  }
  for (const name of ['rows', 'preexisting']) {
    const rows = o[name];
    if (
      rows !== undefined &&
      (!Array.isArray(rows) || !rows.every((r) => r !== null && typeof r === 'object'))
    ) {
      throw new CheckerError('INVALID_ARGUMENT', `option ${name} must be an array of row objects`);
    }
  }
  if (o.preexisting !== undefined && o.key === undefined) {
    throw new CheckerError('INVALID_ARGUMENT', 'option preexisting needs option key (to find their keys)');
  }
  const heal = o.healAtMs;
  if (heal !== undefined && (typeof heal !== 'number' || !Number.isFinite(heal) || heal < 0)) {
    throw new CheckerError(
      'INVALID_ARGUMENT',
      `option healAtMs must be a finite number >= 0, got ${String(heal)}`,
    );
  }
  const bound = o.livenessBoundMs;
  if (bound !== undefined && (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0)) {
    throw new CheckerError(
      'INVALID_ARGUMENT',
      `option livenessBoundMs must be a finite number > 0, got ${String(bound)}`,
    );
  }
}
