// The demo verifies a run by regenerating its events from the seed, and the bench compares runs of the same
// stream: if event i were not a pure function of (count, seed, i), both would compare against other data.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';
import { ALBUM_RELEASE_EPOCH_MS, ALBUM_TRACKS, albumReleaseEvents } from '../src/workloads/album-release.js';

const HOUR_MS = 3_600_000;

describe('albumReleaseEvents', () => {
  it('gives the same events for the same count and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), (count, seed) => {
        expect([...albumReleaseEvents(count, seed)]).toEqual([...albumReleaseEvents(count, seed)]);
      }),
      { numRuns: 30 },
    );
  });

  it('numbers the events firstId.. in order, two per play, inside the hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.nat(1_000_000), (count, firstId) => {
        const events = [...albumReleaseEvents(count, 7, firstId)];
        expect(events.map((e) => e.EventId)).toEqual(Array.from({ length: count }, (_, i) => firstId + i));
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (e === undefined) continue;
          expect(e.EventType === 'TRACK_STARTED').toBe(i % 2 === 0);
          expect(e.Duration === null).toBe(e.EventType !== 'TRACK_COMPLETED');
          expect(e.EventTime.getTime()).toBeGreaterThanOrEqual(ALBUM_RELEASE_EPOCH_MS);
          expect(e.EventTime.getTime()).toBeLessThan(ALBUM_RELEASE_EPOCH_MS + HOUR_MS + 240_000);
          if (i % 2 === 1) expect(e.TrackId).toBe(events[i - 1]?.TrackId);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('differs between seeds and sends most plays to the album', () => {
    const a = [...albumReleaseEvents(2_000, 1)];
    const b = [...albumReleaseEvents(2_000, 2)];
    expect(a).not.toEqual(b);
    const album = a.filter((e) => e.TrackId <= ALBUM_TRACKS).length;
    expect(album / a.length).toBeGreaterThan(0.7);
    expect(album / a.length).toBeLessThan(0.9);
  });

  it('rejects a negative or fractional count, naming it', () => {
    expect(() => albumReleaseEvents(-1, 1).next()).toThrow(SimClusterError);
    expect(() => albumReleaseEvents(1.5, 1).next()).toThrow(
      /count must be a non-negative safe integer, got 1.5/,
    );
    expect(() => albumReleaseEvents(1, 1, -3).next()).toThrow(/firstId/);
  });
});
