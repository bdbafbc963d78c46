/**
 * The per-key order checker: per producer and key, the applies in commit order (commit timestamp, then
 * history order) never go back to an older sequence number. A late retry or a stale owner overwriting a newer
 * version is a violation; the same version applied twice in a row is a duplicate, not a violation.
 *
 * How rows and tombstones are attributed to producers and sequence numbers, and why a step back is measured
 * against the highest version so far, is in `key-timelines.ts`. Applies it cannot attribute (no submit, or
 * several producers that could have written them) are counted, not judged.
 */
import type { StreamerOperationType } from '@datastreamer/protocol';
import { formatEvent } from '../history/format-event.js';
import type { ApplyEvent, HistoryLike, HistoryRow } from '../history/history-event.js';
import { type PerKeyOrderOptions, validateOptions } from './check-options.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import { HistoryIndex } from './history-index.js';
import { buildKeyTimelines, type KeyTimelines } from './key-timelines.js';
import { ResumedDoubts } from './resumed-doubts.js';

/** An apply that went back in its producer's sequence for its key. */
export interface OrderViolation {
  readonly producer: string;
  readonly key: string;
  /** The apply that went back. */
  readonly apply: ApplyEvent;
  /** `PUT` for a row, `REMOVE` for a tombstone. */
  readonly op: StreamerOperationType;
  /** Its seq (for a tombstone: the seq of the REMOVE it stands for). */
  readonly seq: number;
  /** The earlier-committed apply with the newer version it went back from. */
  readonly previous: ApplyEvent;
  readonly previousSeq: number;
  readonly reason: string;
}

/** What `perKeyOrder` found. */
export interface PerKeyOrderResult extends CheckerResult<'perKeyOrder'> {
  readonly violations: readonly OrderViolation[];
  /** Applies that could not be attributed to one producer, and so were not judged. */
  readonly unattributed: number;
  /** Keys with at least one apply. */
  readonly keys: number;
  /** Steps back that were a resume applying again an item its producer's failed run reported in doubt. */
  readonly reapplied: number;
}

/**
 * Judges `history` for per-key order (see the module header).
 *
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option, a `seq`/`producer` function that throws or
 *   gives an unusable value, or a history that contradicts itself.
 */
export function perKeyOrder<Row extends object = HistoryRow>(
  history: HistoryLike,
  options: PerKeyOrderOptions<Row>,
): PerKeyOrderResult {
  validateOptions(options, ['seq']);
  const doubts = new ResumedDoubts(history);
  return judgePerKeyOrder(buildKeyTimelines(new HistoryIndex(history, options), doubts), doubts);
}

/**
 * {@link perKeyOrder} over built timelines (the composition shares them). A step back that `doubts` excuses
 * (a resume sending again an in-doubt item that had applied late) is counted in `reapplied`, not judged.
 */
export function judgePerKeyOrder(timelines: KeyTimelines, doubts: ResumedDoubts): PerKeyOrderResult {
  const violations: OrderViolation[] = [];
  let unattributed = 0;
  let reapplied = 0;
  for (const [key, entries] of timelines.byKey) {
    for (const entry of entries) {
      if (entry.unattributed !== undefined) unattributed++;
      const from = entry.wentBackFrom;
      if (from === undefined || entry.producer === undefined || entry.seq === undefined) continue;
      const previousSeq = from.seq as number;
      if (doubts.excuses(key, from.apply, previousSeq, entry.apply)) {
        reapplied++;
        continue;
      }
      const what =
        entry.op === 'PUT'
          ? `a row with seq ${entry.seq}`
          : `a tombstone (at best of REMOVE seq ${entry.seq}, the newest submitted before it)`;
      const newer = from.op === 'PUT' ? `row seq ${previousSeq}` : `tombstone of REMOVE seq ${previousSeq}`;
      violations.push({
        producer: entry.producer,
        key,
        apply: entry.apply,
        op: entry.op,
        seq: entry.seq,
        previous: from.apply,
        previousSeq,
        reason: `key ${key} of producer ${entry.producer} went back: ${what} was committed after the newer ${newer}`,
      });
    }
  }
  const valid = violations.length === 0;
  const summary =
    `${violations.length} violations over ${timelines.byKey.size} keys; ${unattributed} applies unattributed; ` +
    `${reapplied} in-doubt items applied again by their resume`;
  const report = buildReport('perKeyOrder', valid, summary, [
    {
      title: 'went back to an older sequence',
      findings: violations.map((v) => [v.reason, formatEvent(v.previous), formatEvent(v.apply)]),
    },
  ]);
  return {
    checker: 'perKeyOrder',
    valid,
    report,
    violations,
    unattributed,
    reapplied,
    keys: timelines.byKey.size,
  };
}
