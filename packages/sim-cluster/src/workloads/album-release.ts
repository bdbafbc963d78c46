/**
 * The album-release workload, shared by the demo and the bench: a burst of listeners in the hour after a
 * release, with the skew of real play logs. Most plays go to the album's few tracks (Zipf over the album, a
 * long tail over the back catalog), a few heavy listeners play many tracks, and arrivals peak at the release
 * and decay over the hour. A play is a TRACK_STARTED followed by a TRACK_COMPLETED (with the listened
 * duration), TRACK_SKIPPED or TRACK_PAUSED.
 *
 * Deterministic from the seed: event `i` of a run is the same every time, so a verification can regenerate
 * the events to compare them with what a table holds instead of keeping them. Rows are made as they are
 * pulled; nothing is held. It does not create the table nor stream the rows.
 */
import { createRng } from '@datastreamer/protocol';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import { drawRank, zipfTable } from './zipf.js';

/** One `TrackEvents` row as a record view takes it (INT64 columns as safe-integer numbers). */
export interface AlbumReleaseEvent {
  EventId: number;
  UserId: number;
  TrackId: number;
  EventType: string;
  EventTime: Date;
  Duration: number | null;
}

/** 2026-01-01T00:00:00Z: the release, the start of the simulated hour. */
export const ALBUM_RELEASE_EPOCH_MS = 1_767_225_600_000;
/** Listeners active in the first hour (DEMO.md: 500,000 listeners, 2.5 million events). */
export const ALBUM_LISTENERS = 500_000;
/** Tracks of the released album: ids `1..ALBUM_TRACKS`. */
export const ALBUM_TRACKS = 12;
/** Tracks of the back catalog, ids above the album's. */
const CATALOG_TRACKS = 100_000;
/** Share of plays that go to the album. */
const ALBUM_SHARE = 0.8;
const HOUR_MS = 3_600_000;
/** Rate at the release over the rate at the end of the hour: about e^DECAY. */
const DECAY = 3;

// Built once per process: the catalog and listener tables are the costly part of a run's start.
let tables: { album: Float64Array; catalog: Float64Array; users: Float64Array } | undefined;
function skewTables() {
  tables ??= {
    album: zipfTable(ALBUM_TRACKS, 1.2),
    catalog: zipfTable(CATALOG_TRACKS, 1.05),
    users: zipfTable(ALBUM_LISTENERS, 0.6),
  };
  return tables;
}

/**
 * `count` album-release events with ids `firstId .. firstId + count - 1`, in arrival order. The same
 * `(count, seed, firstId)` gives the same events; event `i` also depends on `count`, which spreads the
 * arrivals over the hour.
 *
 * @param count events to make, >= 0 (2,500,000 is the full first hour).
 * @param seed the run's seed (a safe non-negative integer or a bigint below 2^64).
 * @param firstId the first EventId. Default 0.
 * @throws (on the first pull) SimClusterError `INVALID_ARGUMENT` for a `count` or `firstId` that is not a
 *   non-negative safe integer; ProtocolError `INVALID_ARGUMENT` for a bad seed.
 */
export function* albumReleaseEvents(
  count: number,
  seed: number | bigint,
  firstId = 0,
): Generator<AlbumReleaseEvent, void> {
  for (const [name, value] of [
    ['count', count],
    ['firstId', firstId],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `albumReleaseEvents: ${name} must be a non-negative safe integer, got ${value}`,
      );
    }
  }
  const rng = createRng(seed).child('album-release');
  const { album, catalog, users } = skewTables();
  const norm = 1 - Math.exp(-DECAY);
  const end = firstId + count;
  let id = firstId;
  while (id < end) {
    // The arrival time: the inverse CDF of an exponentially decaying rate, at this event's share of the hour.
    const share = (id - firstId) / Math.max(count, 1);
    const at = ALBUM_RELEASE_EPOCH_MS + Math.floor((-Math.log(1 - share * norm) / DECAY) * HOUR_MS);
    const userId = drawRank(users, rng.next()) + 1;
    const trackId =
      rng.next() < ALBUM_SHARE
        ? drawRank(album, rng.next()) + 1
        : ALBUM_TRACKS + drawRank(catalog, rng.next()) + 1;
    yield {
      EventId: id++,
      UserId: userId,
      TrackId: trackId,
      EventType: 'TRACK_STARTED',
      EventTime: new Date(at),
      Duration: null,
    };
    if (id >= end) return;
    const outcome = rng.next();
    const listened = rng.int(5_000, 240_000);
    const type = outcome < 0.6 ? 'TRACK_COMPLETED' : outcome < 0.85 ? 'TRACK_SKIPPED' : 'TRACK_PAUSED';
    yield {
      EventId: id++,
      UserId: userId,
      TrackId: trackId,
      EventType: type,
      EventTime: new Date(at + listened),
      Duration: type === 'TRACK_COMPLETED' ? listened : null,
    };
  }
}
