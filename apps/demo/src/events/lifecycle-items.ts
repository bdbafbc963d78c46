/**
 * The lifecycle workload: listening sessions as mixed operations. Each session is a TRACK_STARTED PUT and a
 * TRACK_COMPLETED PUT carrying the listened duration; every tenth session also REMOVEs the TRACK_STARTED
 * event of the session ten before it, an obsolete event the platform no longer keeps. Deterministic from the
 * seed, made as pulled. It does not stream them.
 */
import { DataStreamerItem } from '@datastreamer/client';
import { createRng } from '@datastreamer/protocol';
import { RELEASE_EPOCH_MS, type TrackEvent } from '../tables/demo-tables.js';

/** A REMOVE every this many sessions. */
export const REMOVE_EVERY = 10;

/** An item of the lifecycle stream: a PUT of a row or a REMOVE of a key. */
export type LifecycleItem = DataStreamerItem<TrackEvent> | DataStreamerItem<Pick<TrackEvent, 'EventId'>>;

/** The EventId of session `s`'s TRACK_STARTED (its TRACK_COMPLETED is the next id). */
export const startedId = (session: number): number => 2 * session;

/** Whether session `s` removes the TRACK_STARTED of session `s - REMOVE_EVERY`. */
export const removesEarlier = (session: number): boolean =>
  session % REMOVE_EVERY === REMOVE_EVERY - 1 && session >= REMOVE_EVERY;

/**
 * The two events of session `s` (deterministic from `seed` and `s` alone, so the verification can rebuild
 * any of them).
 */
export function sessionEvents(seed: number, session: number): [TrackEvent, TrackEvent] {
  const rng = createRng(seed).child(`session-${session}`);
  const userId = rng.int(1, 100_000);
  const trackId = rng.int(1, 5_000);
  const at = RELEASE_EPOCH_MS + session * 50;
  const listened = rng.int(30_000, 300_000);
  const id = startedId(session);
  return [
    {
      EventId: id,
      UserId: userId,
      TrackId: trackId,
      EventType: 'TRACK_STARTED',
      EventTime: new Date(at),
      Duration: null,
    },
    {
      EventId: id + 1,
      UserId: userId,
      TrackId: trackId,
      EventType: 'TRACK_COMPLETED',
      EventTime: new Date(at + listened),
      Duration: listened,
    },
  ];
}

/** The lifecycle stream of `sessions` sessions. */
export function* lifecycleItems(sessions: number, seed: number): Generator<LifecycleItem, void> {
  for (let s = 0; s < sessions; s++) {
    const [started, completed] = sessionEvents(seed, s);
    yield DataStreamerItem.of(started);
    yield DataStreamerItem.of(completed);
    if (removesEarlier(s)) yield DataStreamerItem.removed({ EventId: startedId(s - REMOVE_EVERY) });
  }
}

/** How many items `lifecycleItems(sessions)` yields. */
export function lifecycleItemCount(sessions: number): number {
  let removes = 0;
  for (let s = REMOVE_EVERY; s < sessions; s++) if (removesEarlier(s)) removes++;
  return 2 * sessions + removes;
}
