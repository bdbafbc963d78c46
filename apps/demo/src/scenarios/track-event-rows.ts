/**
 * Comparing a produced `TrackEvents` row with the row the table holds (INT64 columns come back as bigints,
 * TIMESTAMP as a Date), and the verification every TrackEvents scenario ends with: each produced row is
 * stored exactly as produced, and nothing else is. It does not read the table (the caller passes the rows).
 */
import type { PlainRow } from '@datastreamer/sim-cluster';
import type { Check } from '../run/scenario-summary.js';
import type { StepProgress } from '../run/verification.js';
import type { TrackEvent } from '../tables/demo-tables.js';

/** How many rows a comparison handles between two progress reports. */
export const PROGRESS_EVERY_ROWS = 5_000;

const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Whether `stored` holds exactly `expected`. */
export function sameTrackEvent(expected: TrackEvent, stored: PlainRow): boolean {
  const { EventId, UserId, TrackId, EventType, EventTime, Duration } = stored;
  return (
    int(EventId) === expected.EventId &&
    UserId === expected.UserId &&
    TrackId === expected.TrackId &&
    EventType === expected.EventType &&
    EventTime instanceof Date &&
    EventTime.getTime() === expected.EventTime.getTime() &&
    int(Duration) === expected.Duration
  );
}

/** Stored rows by EventId. */
export function byEventId(rows: readonly PlainRow[]): Map<number, PlainRow> {
  const map = new Map<number, PlainRow>();
  for (const row of rows) {
    const { EventId } = row;
    map.set(Number(EventId), row);
  }
  return map;
}

/**
 * Compares `expected` (the rows that must be present, regenerated from the seed; about `total` of them) with
 * the stored rows: a check that every one is stored as produced and that the table holds no other row.
 */
export async function contentCheck(
  expected: Iterable<TrackEvent>,
  stored: Map<number, PlainRow>,
  progress: StepProgress,
  total: number,
): Promise<Omit<Check, 'name'>> {
  let missing = 0;
  let different = 0;
  let present = 0;
  for (const event of expected) {
    present++;
    if (present % PROGRESS_EVERY_ROWS === 0) await progress(present, total);
    const row = stored.get(event.EventId);
    if (row === undefined) missing++;
    else if (!sameTrackEvent(event, row)) different++;
  }
  const extra = stored.size - (present - missing);
  const ok = missing === 0 && different === 0 && extra === 0;
  return {
    ok,
    detail: ok
      ? `all ${present.toLocaleString('en-US')} rows stored as produced`
      : `${missing} missing, ${different} different, ${extra} not produced`,
  };
}
