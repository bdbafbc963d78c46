/**
 * The final-state checker: after the run, each key's committed row is the newest version that was applied.
 *
 * For a key whose applies all belong to one producer, the expected state is its applied item with the
 * highest seq (tombstones attributed as in `key-timelines.ts`): a row with that seq, or no row when that item
 * is a REMOVE. For a key written by several producers (or with applies no producer is known for), sequences
 * cannot be compared across producers, and the expected state is its last apply in commit order. A key
 * never applied must be absent, unless it is a `preexisting` key (then it is not judged).
 *
 * Rows are compared by `seq(row)` (and `producer(row)` with that option), not column by column: a column
 * added after the apply would otherwise differ. The final rows are the `rows` option (read from the
 * stores), mapped to the history's keys by `key(row)`; without it, the state the applies leave.
 */
import { formatEvent } from '../history/format-event.js';
import type { ApplyEvent, HistoryLike, HistoryRow, SubmitEvent } from '../history/history-event.js';
import { type FinalStateOptions, validateOptions } from './check-options.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import { HistoryIndex, hasRow } from './history-index.js';
import { buildKeyTimelines, type KeyTimelines, type TimelineEntry } from './key-timelines.js';
import { ResumedDoubts } from './resumed-doubts.js';

/** The kinds of final-state mismatch. */
export const FinalStateMismatchKinds = {
  /** A row was expected, the table has none. */
  missing: 'missing',
  /** The newest applied item removed the key, yet the table has a row. */
  resurrected: 'resurrected',
  /** The table's row is an older version than the newest applied. */
  stale: 'stale',
  /** The table's row is a version that was never the newest applied (a newer seq, or another producer). */
  unknownVersion: 'unknown-version',
  /** The table has a row for a key that was never applied. */
  unexpectedKey: 'unexpected-key',
  /** The table has two rows for one key. */
  duplicateKey: 'duplicate-key',
} as const;

export type FinalStateMismatchKind = (typeof FinalStateMismatchKinds)[keyof typeof FinalStateMismatchKinds];

/** What the table should hold for a key. */
export type ExpectedState =
  | { readonly present: true; readonly seq: number; readonly producer: string | undefined }
  | { readonly present: false };

/** A key whose committed state is not the expected one. */
export interface FinalStateMismatch {
  readonly kind: FinalStateMismatchKind;
  readonly key: string;
  readonly expected: ExpectedState;
  /** The row the table holds for the key, or `null`. */
  readonly actual: object | null;
  /** `seq(actual)`, when there is a row and it was read. */
  readonly actualSeq: number | undefined;
  /** The apply the expectation comes from, when the key was applied. */
  readonly decidedBy: ApplyEvent | undefined;
  readonly reason: string;
}

/** What `finalState` found. */
export interface FinalStateResult extends CheckerResult<'finalState'> {
  readonly mismatches: readonly FinalStateMismatch[];
  /** Where the final rows came from: the `rows` option, or the history's applies. */
  readonly source: 'rows' | 'history';
  /** Keys judged. */
  readonly keys: number;
}

/**
 * Judges the final committed state against `history` (see the module header).
 *
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option, a `key`/`seq`/`producer` function that throws or
 *   gives an unusable value, or a history that contradicts itself.
 */
export function finalState<Row extends object = HistoryRow>(
  history: HistoryLike,
  options: FinalStateOptions<Row>,
): FinalStateResult {
  validateOptions(options, ['key', 'seq']);
  const index = new HistoryIndex(history, options);
  return judgeFinalState(index, buildKeyTimelines(index, new ResumedDoubts(history)), options.rows);
}

interface ActualRow<Row> {
  readonly row: Row;
  /** Known for rows taken from applies; read on demand for given rows. */
  readonly seq: number | undefined;
}

/** {@link finalState} over a built index and timelines (the composition shares them). */
export function judgeFinalState<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
  rows: readonly Row[] | undefined,
): FinalStateResult {
  const mismatches: FinalStateMismatch[] = [];
  const actual = new Map<string, ActualRow<Row>>();
  if (rows === undefined) {
    for (const [key, entries] of timelines.byKey) {
      const last = (entries.at(-1) as TimelineEntry).apply;
      if (hasRow(last)) actual.set(key, { row: index.rowOf(last), seq: index.seqOf(last) });
    }
  } else {
    for (const row of rows) {
      const key = index.historyKeyOfRow(row);
      if (actual.has(key)) {
        mismatches.push({
          kind: 'duplicate-key',
          key,
          expected: { present: false },
          actual: row,
          actualSeq: undefined,
          decidedBy: undefined,
          reason: `the table holds more than one row for key ${key}`,
        });
        continue;
      }
      actual.set(key, { row, seq: undefined });
    }
  }
  for (const [key, entries] of timelines.byKey) {
    const decided = decidingEntry(entries);
    const expected: ExpectedState =
      decided.op === 'PUT' && decided.seq !== undefined
        ? { present: true, seq: decided.seq, producer: decided.producer }
        : { present: false };
    const mismatch = compare(index, key, expected, decided, actual.get(key));
    if (mismatch !== undefined) mismatches.push(mismatch);
  }
  const submitted = new Map<string, SubmitEvent>();
  for (const submit of index.submits) if (!submitted.has(submit.key)) submitted.set(submit.key, submit);
  for (const [key, found] of actual) {
    if (timelines.byKey.has(key) || index.preexistingKeys.has(key)) continue;
    const submit = submitted.get(key);
    mismatches.push({
      kind: 'unexpected-key',
      key,
      expected: { present: false },
      actual: found.row,
      actualSeq: undefined,
      decidedBy: undefined,
      reason:
        submit === undefined
          ? `the table holds a row for key ${key}, which was never submitted`
          : `the table holds a row for key ${key}, which was submitted (#${submit.n}) but never applied`,
    });
  }
  const valid = mismatches.length === 0;
  const source = rows === undefined ? 'history' : 'rows';
  const keys = timelines.byKey.size;
  const summary = `${mismatches.length} mismatches over ${keys} applied keys; final rows from ${source === 'rows' ? 'the table' : 'the history'}`;
  const report = buildReport('finalState', valid, summary, [
    {
      title: 'final state differs',
      findings: mismatches.map((m) => [
        m.reason,
        ...(m.decidedBy === undefined ? [] : [formatEvent(m.decidedBy)]),
      ]),
    },
  ]);
  return { checker: 'finalState', valid, report, mismatches, source, keys };
}

/** The entry that decides a key's expected state (see the module header). */
function decidingEntry(entries: readonly TimelineEntry[]): TimelineEntry {
  const first = entries[0] as TimelineEntry;
  const producer = first.producer;
  const single =
    producer !== undefined && entries.every((e) => e.producer === producer && e.seq !== undefined);
  if (!single) return entries.at(-1) as TimelineEntry;
  let top = first;
  for (const entry of entries) if ((entry.seq as number) >= (top.seq as number)) top = entry;
  return top;
}

function compare<Row extends object>(
  index: HistoryIndex<Row>,
  key: string,
  expected: ExpectedState,
  decided: TimelineEntry,
  found: ActualRow<Row> | undefined,
): FinalStateMismatch | undefined {
  const base = { key, expected, decidedBy: decided.apply };
  if (!expected.present) {
    if (found === undefined) return undefined;
    return {
      ...base,
      kind: 'resurrected',
      actual: found.row,
      actualSeq: found.seq,
      reason: `key ${key} should be absent (its newest applied item is a REMOVE${decided.seq === undefined ? '' : ` seq ${decided.seq}`}) but the table holds a row`,
    };
  }
  if (found === undefined) {
    return {
      ...base,
      kind: 'missing',
      actual: null,
      actualSeq: undefined,
      reason: `key ${key} should hold the row with seq ${expected.seq} but the table has no row for it`,
    };
  }
  const where = `the final row of key ${key}`;
  const seq = found.seq ?? index.readSeq(found.row, where);
  const producer = expected.producer === undefined ? undefined : index.readProducer(found.row, where);
  if (seq === expected.seq && (producer === undefined || producer === expected.producer)) return undefined;
  const stale = seq < expected.seq;
  return {
    ...base,
    kind: stale ? 'stale' : 'unknown-version',
    actual: found.row,
    actualSeq: seq,
    reason: stale
      ? `key ${key} holds the stale row with seq ${seq}; the newest applied has seq ${expected.seq}`
      : `key ${key} holds a row with seq ${seq}${producer === undefined ? '' : ` of producer ${producer}`}; expected seq ${expected.seq}${expected.producer === undefined ? '' : ` of producer ${expected.producer}`}`,
  };
}
