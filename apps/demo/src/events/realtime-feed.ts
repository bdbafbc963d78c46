/**
 * The realtime feed: `RealTimeEvents` rows whose content is a pure function of the event id and the seed (so
 * the verification rebuilds any of them), and the feed's rhythm: bursts that come faster than the cluster
 * takes them, then quiet spells that trickle a few events. It does not stream; the realtime scenario pushes
 * the rows through a `StreamerPublisher`.
 */
import { RELEASE_EPOCH_MS, type RealTimeEvent, TrackEventTypes } from '../tables/demo-tables.js';

const DEVICES = ['mobile', 'desktop', 'web', 'car', 'speaker'] as const;

/** Event `id` of the feed. */
export function realtimeEvent(id: number, seed: number): RealTimeEvent {
  // A multiplicative hash of id and seed: cheap, deterministic, spread over users and tracks.
  const h = Math.imul(id ^ seed, 0x9e3779b1) >>> 0;
  const type = TrackEventTypes[h & 3] ?? 'TRACK_STARTED';
  return {
    EventId: id,
    UserId: (h % 250_000) + 1,
    TrackId: ((h >>> 7) % 20_000) + 1,
    EventType: type,
    EventTime: new Date(RELEASE_EPOCH_MS + id * 5),
    Metadata: id % 3 === 0 ? `{"device":"${DEVICES[(h >>> 3) % DEVICES.length] ?? 'web'}"}` : null,
  };
}

/** One phase of the feed: `events` submitted as fast as the streamer takes them, or one every `gapMs`. */
export interface FeedPhase {
  readonly kind: 'burst' | 'quiet';
  readonly events: number;
  readonly gapMs: number;
}

/** Bursts per run; each is followed by a quiet spell. */
export const BURSTS = 4;
/** A quiet spell: this many events, one every QUIET_GAP_MS. */
export const QUIET_EVENTS = 20;
export const QUIET_GAP_MS = 15;

/** The phases of a feed of `total` events: bursts carrying nearly all of them, with quiet spells between. */
export function feedPhases(total: number): FeedPhase[] {
  const quiet = Math.min(QUIET_EVENTS, Math.floor(total / (BURSTS * 10)));
  const burst = Math.floor((total - quiet * BURSTS) / BURSTS);
  const phases: FeedPhase[] = [];
  let left = total;
  for (let i = 0; i < BURSTS && left > 0; i++) {
    const b = i === BURSTS - 1 ? left - quiet : Math.min(burst, left);
    if (b > 0) phases.push({ kind: 'burst', events: b, gapMs: 0 });
    left -= Math.max(b, 0);
    const q = Math.min(quiet, left);
    if (q > 0) phases.push({ kind: 'quiet', events: q, gapMs: QUIET_GAP_MS });
    left -= q;
  }
  if (left > 0) phases.push({ kind: 'burst', events: left, gapMs: 0 });
  return phases;
}
