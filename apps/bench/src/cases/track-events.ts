/**
 * The `TrackEvents` table of the demo (6 columns, `EventId` the key) and the plain rows every throughput case
 * streams: row `i` is a pure function of `i`, so every case (and the floor) handles byte-for-byte the same
 * data. It does not create the table; the cases do, through the client's catalog.
 */

/** One `TrackEvents` row as the record view takes it (INT64 columns as safe-integer numbers). */
export interface TrackEvent {
  EventId: number;
  UserId: number;
  TrackId: number;
  EventType: string;
  EventTime: Date;
  Duration: number | null;
}

/** The demo's event types, in the order the generators index them. */
export const TrackEventTypes = ['TRACK_STARTED', 'TRACK_PAUSED', 'TRACK_SKIPPED', 'TRACK_COMPLETED'] as const;

/** `TrackEvents(EventId INT64 key, UserId INT32, TrackId INT32, EventType STRING, EventTime TIMESTAMP, Duration INT64 nullable)`. */
export const trackEventsTable = {
  name: 'TrackEvents',
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'UserId', type: 'INT32' },
    { name: 'TrackId', type: 'INT32' },
    { name: 'EventType', type: 'STRING' },
    { name: 'EventTime', type: 'TIMESTAMP' },
    { name: 'Duration', type: 'INT64', nullable: true },
  ],
  primaryKey: ['EventId'],
} as const;

/** 2026-01-01T00:00:00Z: the start of the simulated hour. */
export const BENCH_EPOCH_MS = 1_767_225_600_000;

/**
 * Row `i` of the uniform workload: distinct keys, users and tracks spread evenly, one event every 3.6 ms of
 * the hour, a duration on completed plays only.
 */
export function uniformTrackEvent(i: number): TrackEvent {
  const type = i & 3;
  return {
    EventId: i,
    UserId: (i * 7919) % 500_000,
    TrackId: (i * 104_729) % 50_000,
    EventType: TrackEventTypes[type] ?? 'TRACK_STARTED',
    EventTime: new Date(BENCH_EPOCH_MS + Math.floor(i * 3.6)),
    Duration: type === 3 ? 30_000 + (i % 240_000) : null,
  };
}

/** Rows `first..first+count-1` of the uniform workload, made as they are pulled (nothing is held). */
export function* uniformTrackEvents(count: number, first = 0): Generator<TrackEvent, void, undefined> {
  const end = first + count;
  for (let i = first; i < end; i++) yield uniformTrackEvent(i);
}
