/**
 * The album-release workload of the demo, as the bench streams it: a burst of listeners in the first hour
 * after a release, with the skew real play logs have. A few album tracks take most plays (Zipf over the
 * album, a long tail over the catalog), most users play a handful of tracks and a few play many, and the
 * arrival rate peaks at release and decays over the hour. Each play is a TRACK_STARTED followed by a
 * TRACK_COMPLETED, TRACK_SKIPPED or TRACK_PAUSED (with the listened duration on completion).
 *
 * Deterministic from the seed (the protocol's seeded generator); rows are made as they are pulled, nothing is
 * held. It does not stream them; the album-release case does.
 */
import { createRng, type Rng } from '@datastreamer/protocol';
import { BENCH_EPOCH_MS, type TrackEvent } from './track-events.js';

/** Listeners active in the first hour (DEMO.md: 500,000 listeners, 2.5 million events). */
export const ALBUM_LISTENERS = 500_000;
/** Tracks on the released album: ids `1..ALBUM_TRACKS`. */
export const ALBUM_TRACKS = 12;
/** Tracks of the back catalog: ids above the album's. */
const CATALOG_TRACKS = 200_000;
/** Share of plays that go to the album itself. */
const ALBUM_SHARE = 0.8;
const HOUR_MS = 3_600_000;
/** How front-loaded the hour is: the rate at release is about e^DECAY times the rate at the end. */
const DECAY = 3;

/**
 * Cumulative Zipf weights (exponent `s`) over `n` ranks, so a draw is one binary search: the skew of play
 * counts over tracks.
 */
function zipfTable(n: number, s: number): Float64Array {
  const table = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank++) {
    sum += 1 / rank ** s;
    table[rank - 1] = sum;
  }
  for (let i = 0; i < n; i++) table[i] = (table[i] ?? 0) / sum;
  return table;
}

/** The 0-based rank whose cumulative weight first reaches `u`. */
function drawRank(table: Float64Array, u: number): number {
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((table[mid] ?? 1) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `count` album-release events (EventId `0..count-1`), in arrival order; deterministic from `seed`.
 * @param count events to make, >= 0 (the full first hour is 2,500,000).
 * @param seed the generator's seed. Default 2026.
 */
export function* albumReleaseEvents(count: number, seed = 2026): Generator<TrackEvent, void, undefined> {
  const rng: Rng = createRng(seed).child('album-release');
  const albumZipf = zipfTable(ALBUM_TRACKS, 1.2);
  const catalogZipf = zipfTable(CATALOG_TRACKS, 1.05);
  // Listener activity is skewed too: rank r among listeners plays ~1/r^0.6 as much as the first.
  const userZipf = zipfTable(ALBUM_LISTENERS, 0.6);
  const norm = 1 - Math.exp(-DECAY);
  let id = 0;
  while (id < count) {
    // Arrival time: the inverse CDF of an exponentially decaying rate over the hour, at this event's share.
    const share = id / Math.max(count, 1);
    const at = BENCH_EPOCH_MS + Math.floor((-Math.log(1 - share * norm) / DECAY) * HOUR_MS);
    const userId = drawRank(userZipf, rng.next()) + 1;
    const trackId =
      rng.next() < ALBUM_SHARE
        ? drawRank(albumZipf, rng.next()) + 1
        : ALBUM_TRACKS + drawRank(catalogZipf, rng.next()) + 1;
    yield {
      EventId: id++,
      UserId: userId,
      TrackId: trackId,
      EventType: 'TRACK_STARTED',
      EventTime: new Date(at),
      Duration: null,
    };
    if (id >= count) return;
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
