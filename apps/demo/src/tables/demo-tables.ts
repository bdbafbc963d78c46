/**
 * The demo's tables (DEMO.md), with the column names a Java user of the platform knows, and the row shapes the
 * scenarios stream. It only describes them; the scenarios create them through the client's catalog.
 */
import { ALBUM_RELEASE_EPOCH_MS } from '@datastreamer/sim-cluster';

/** One `TrackEvents` row as the record view takes it (INT64 columns as safe-integer numbers). */
export interface TrackEvent {
  EventId: number;
  UserId: number;
  TrackId: number;
  EventType: string;
  EventTime: Date;
  Duration: number | null;
}

/** One `ListeningHistory` row; `PlayDate` is `YYYY-MM-DD`. */
export interface ListeningRecord {
  RecordId: number;
  UserId: number;
  TrackId: number;
  PlayDate: string;
  PlayCount: number;
  Rating: number | null;
  PlayDuration: number;
}

/** One `RealTimeEvents` row. */
export interface RealTimeEvent {
  EventId: number;
  UserId: number;
  TrackId: number;
  EventType: string;
  EventTime: Date;
  Metadata: string | null;
}

/** The event types of a play, in the order the generators index them. */
export const TrackEventTypes = ['TRACK_STARTED', 'TRACK_PAUSED', 'TRACK_SKIPPED', 'TRACK_COMPLETED'] as const;
export type TrackEventType = (typeof TrackEventTypes)[number];

/** 2026-01-01T00:00:00Z: the release, the start of the simulated hour (the album-release workload's). */
export const RELEASE_EPOCH_MS = ALBUM_RELEASE_EPOCH_MS;

/** `TrackEvents(EventId INT64 key, UserId INT32, TrackId INT32, EventType STRING, EventTime TIMESTAMP, Duration INT64 nullable)`. */
export function trackEventsTable(partitions: number) {
  return {
    name: 'TrackEvents',
    columns: [
      { name: 'EventId', type: 'INT64' as const },
      { name: 'UserId', type: 'INT32' as const },
      { name: 'TrackId', type: 'INT32' as const },
      { name: 'EventType', type: 'STRING' as const },
      { name: 'EventTime', type: 'TIMESTAMP' as const },
      { name: 'Duration', type: 'INT64' as const, nullable: true },
    ],
    primaryKey: ['EventId'],
    partitions,
  };
}

/**
 * `TrackEvents` as the aggregate scenario stores it: the same columns, keyed by `(TrackId, EventId)` and
 * colocated by `TrackId`, so an event lives in the partition of its track's `TrackStats` row and the
 * receiver's transaction over both stays on one node (the colocation column must be part of the key, as in
 * Ignite 3).
 */
export function trackEventsByTrackTable(partitions: number) {
  return { ...trackEventsTable(partitions), primaryKey: ['TrackId', 'EventId'], colocateBy: ['TrackId'] };
}

/** `ListeningHistory(RecordId INT64 key, UserId INT32, TrackId INT32, PlayDate DATE, PlayCount INT32, Rating INT32 nullable, PlayDuration INT32)`. */
export function listeningHistoryTable(partitions: number) {
  return {
    name: 'ListeningHistory',
    columns: [
      { name: 'RecordId', type: 'INT64' as const },
      { name: 'UserId', type: 'INT32' as const },
      { name: 'TrackId', type: 'INT32' as const },
      { name: 'PlayDate', type: 'DATE' as const },
      { name: 'PlayCount', type: 'INT32' as const },
      { name: 'Rating', type: 'INT32' as const, nullable: true },
      { name: 'PlayDuration', type: 'INT32' as const },
    ],
    primaryKey: ['RecordId'],
    partitions,
  };
}

/** `RealTimeEvents(EventId INT64 key, UserId INT32, TrackId INT32, EventType STRING, EventTime TIMESTAMP, Metadata STRING nullable)`. */
export function realTimeEventsTable(partitions: number) {
  return {
    name: 'RealTimeEvents',
    columns: [
      { name: 'EventId', type: 'INT64' as const },
      { name: 'UserId', type: 'INT32' as const },
      { name: 'TrackId', type: 'INT32' as const },
      { name: 'EventType', type: 'STRING' as const },
      { name: 'EventTime', type: 'TIMESTAMP' as const },
      { name: 'Metadata', type: 'STRING' as const, nullable: true },
    ],
    primaryKey: ['EventId'],
    partitions,
  };
}

/** `TrackStats(TrackId INT32 key, Plays INT64, CompletedPlays INT64, TotalDurationMs INT64)`, colocated by `TrackId`. */
export function trackStatsTable(partitions: number) {
  return {
    name: 'TrackStats',
    columns: [
      { name: 'TrackId', type: 'INT32' as const },
      { name: 'Plays', type: 'INT64' as const },
      { name: 'CompletedPlays', type: 'INT64' as const },
      { name: 'TotalDurationMs', type: 'INT64' as const },
    ],
    primaryKey: ['TrackId'],
    partitions,
  };
}
