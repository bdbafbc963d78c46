/**
 * aggregate: album-release events streamed to the `TrackStats` receiver (DEMO.md scenario 5), which stores
 * each batch's events and updates per-track statistics in one transaction on the node that owns both, and
 * returns the ids of invalid events; the client counts them. A few invalid events are mixed in on purpose
 * (bad ids, missing timestamps). Verified by recomputing the statistics from the produced events and
 * comparing them, the stored events and the returned ids with what was produced.
 */
import { albumReleaseEvents, type PlainRow } from '@datastreamer/sim-cluster';
import { startFaults } from '../faults/fault-profiles.js';
import {
  clientOptions,
  metered,
  partitionMap,
  recordView,
  type ScenarioContext,
  startCluster,
} from '../run/scenario-context.js';
import type { Check, ScenarioSummary } from '../run/scenario-summary.js';
import { beginVerification, buildSummary, countCheck, redeliveredApplies } from '../run/verify.js';
import { type TrackEvent, trackEventsByTrackTable, trackStatsTable } from '../tables/demo-tables.js';
import { ALBUM_RELEASE_OPTIONS } from './album-release.js';
import type { Scenario } from './scenario.js';
import { byEventId, contentCheck } from './track-event-rows.js';
import {
  invalidReason,
  type PlayPayload,
  TRACK_STATS_RECEIVER,
  trackStatsReceiver,
} from './track-stats-receiver.js';

const DEFAULT_EVENTS = 100_000;
const COUNT_STEP = 'valid events = stored';
const CONTENT_STEP = 'produced vs stored';
const STATS_STEP = 'TrackStats = statistics of the valid events';
const IDS_STEP = 'invalid event ids returned by the receiver';

/** What the produced events should have made of the tables. */
interface Expected {
  readonly validEvents: TrackEvent[];
  readonly invalidIds: number[];
  readonly stats: Map<number, { plays: number; completed: number; duration: number }>;
}

function expectedOf(count: number, seed: number, produced: number): Expected {
  const validEvents: TrackEvent[] = [];
  const invalidIds: number[] = [];
  const stats = new Map<number, { plays: number; completed: number; duration: number }>();
  let i = 0;
  for (const e of albumReleaseEvents(count, seed)) {
    if (i++ >= produced) break;
    const p = playPayload(e);
    if (invalidReason(p) !== undefined) {
      invalidIds.push(p.eventId);
      continue;
    }
    validEvents.push(e);
    let s = stats.get(e.TrackId);
    if (s === undefined) {
      s = { plays: 0, completed: 0, duration: 0 };
      stats.set(e.TrackId, s);
    }
    if (e.EventType === 'TRACK_STARTED') s.plays++;
    if (e.EventType === 'TRACK_COMPLETED') {
      s.completed++;
      s.duration += e.Duration ?? 0;
    }
  }
  return { validEvents, invalidIds, stats };
}

/** Compares the TrackStats rows with the statistics the valid events make. */
function statsCheck(rows: readonly PlainRow[], expected: Expected['stats']): Omit<Check, 'name'> {
  let wrong = 0;
  const seen = new Set<number>();
  for (const { TrackId, Plays, CompletedPlays, TotalDurationMs } of rows) {
    const track = Number(TrackId);
    seen.add(track);
    const s = expected.get(track);
    if (
      s === undefined ||
      Number(Plays) !== s.plays ||
      Number(CompletedPlays) !== s.completed ||
      Number(TotalDurationMs) !== s.duration
    )
      wrong++;
  }
  const missing = [...expected.keys()].filter((t) => !seen.has(t)).length;
  return {
    ok: wrong === 0 && missing === 0,
    detail: `${rows.length.toLocaleString('en-US')} tracks, ${wrong} wrong, ${missing} missing`,
  };
}

/** Event `i`'s payload: the album-release event, spoilt on purpose for a few ids. */
export function playPayload(e: TrackEvent): PlayPayload {
  const i = e.EventId;
  return {
    eventId: i % 997 === 500 ? -i : i,
    userId: e.UserId,
    trackId: i % 991 === 300 ? 0 : e.TrackId,
    type: e.EventType,
    time: i % 983 === 100 ? null : e.EventTime,
    duration: e.Duration,
  };
}

function* payloads(count: number, seed: number): Generator<PlayPayload, void> {
  for (const e of albumReleaseEvents(count, seed)) yield playPayload(e);
}

async function run(ctx: ScenarioContext): Promise<ScenarioSummary> {
  const { seed, partitions } = ctx.options;
  const count = ctx.options.events ?? DEFAULT_EVENTS;
  const profile = ctx.options.faults ?? 'none';
  const { meter } = ctx;
  meter.begin('aggregate', count);
  const cluster = await startCluster(ctx, count);
  try {
    cluster.deployReceiver(TRACK_STATS_RECEIVER, trackStatsReceiver);
    const client = await cluster.connect(clientOptions(profile !== 'none'));
    // Same partition count, colocated by TrackId: partition p of both tables is on one node.
    await client.catalog.createTable(trackEventsByTrackTable(partitions));
    await client.catalog.createTable(trackStatsTable(partitions));
    const view = await recordView<TrackEvent>(client, 'TrackEvents');
    const map = partitionMap(cluster, 'TrackEvents');
    meter.trackPartitions(map);
    meter.trackClients([client]);
    const faults = startFaults(profile, cluster, meter, 'TrackEvents', cluster.clientName(client));
    const source = metered(payloads(count, seed), ctx, map.partitionOf, (p) => p.trackId);
    const returned: number[] = [];
    let error: unknown;
    try {
      await new Promise<void>((resolve, reject) => {
        view
          .streamData<PlayPayload, number>(
            source,
            { receiver: TRACK_STATS_RECEIVER, keyFn: (p) => ({ TrackId: p.trackId, EventId: p.eventId }) },
            { ...ALBUM_RELEASE_OPTIONS, onBatch: meter.onBatch, signal: ctx.stop.signal },
          )
          .subscribe({
            next: (id) => {
              returned.push(id);
              meter.count('invalid events');
            },
            error: reject,
            complete: resolve,
          });
      });
    } catch (e) {
      error = e;
    }
    ctx.meter.end(ctx.stop.requested);
    const report = await faults.finish();
    const verification = beginVerification(
      ctx,
      'aggregate',
      [COUNT_STEP, CONTENT_STEP, STATS_STEP, IDS_STEP],
      {
        streams: [],
        error,
      },
    );
    const expected = expectedOf(count, seed, meter.produced);
    let stored: Map<number, PlainRow> | undefined;
    await verification.run(COUNT_STEP, () => {
      stored = byEventId(cluster.readTableNow('TrackEvents'));
      return countCheck(expected.validEvents.length, stored.size);
    });
    await verification.runOn(CONTENT_STEP, stored, (rows, progress) =>
      contentCheck(expected.validEvents, rows, progress, expected.validEvents.length),
    );
    let tracks: number | undefined;
    await verification.run(STATS_STEP, () => {
      const rows = cluster.readTableNow('TrackStats');
      tracks = rows.length;
      return statsCheck(rows, expected.stats);
    });
    await verification.run(IDS_STEP, () => {
      const sortedReturned = [...returned].sort((a, b) => a - b);
      const sortedExpected = [...expected.invalidIds].sort((a, b) => a - b);
      return {
        ok:
          sortedReturned.length === sortedExpected.length &&
          sortedReturned.every((v, k) => v === sortedExpected[k]),
        detail: `${returned.length} returned, ${expected.invalidIds.length} produced invalid`,
      };
    });
    return buildSummary(ctx, {
      cluster,
      scenario: 'aggregate',
      stored: stored?.size,
      verification,
      duplicatesApplied: redeliveredApplies(cluster, 'TrackEvents'),
      details: {
        'invalid events': returned.length,
        ...(tracks === undefined ? {} : { tracks }),
        ...(profile === 'none' ? {} : { 'faults applied': report.applied }),
      },
    });
  } finally {
    await cluster.stop();
  }
}

export const aggregate: Scenario = {
  name: 'aggregate',
  description: 'a receiver on the cluster stores events and updates TrackStats in one transaction per batch',
  defaultEvents: DEFAULT_EVENTS,
  storyEvents: 60_000,
  run,
};
