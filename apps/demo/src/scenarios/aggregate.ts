/**
 * aggregate: album-release events streamed to the `TrackStats` receiver (DEMO.md scenario 5), which stores
 * each batch's events and updates per-track statistics in one transaction on the node that owns both, and
 * returns the ids of invalid events; the client counts them. A few invalid events are mixed in on purpose
 * (bad ids, missing timestamps). Verified by recomputing the statistics from the produced events and
 * comparing them, the stored events and the returned ids with what was produced.
 */
import { albumReleaseEvents } from '@datastreamer/sim-cluster';
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
import { buildSummary, countCheck, redeliveredApplies } from '../run/verify.js';
import { type TrackEvent, trackEventsByTrackTable, trackStatsTable } from '../tables.js';
import { ALBUM_RELEASE_OPTIONS, streamCheck } from './album-release.js';
import type { Scenario } from './scenario.js';
import { byEventId, contentCheck } from './track-event-rows.js';
import {
  invalidReason,
  type PlayPayload,
  TRACK_STATS_RECEIVER,
  trackStatsReceiver,
} from './track-stats-receiver.js';

const DEFAULT_EVENTS = 100_000;

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
            { ...ALBUM_RELEASE_OPTIONS, onBatch: meter.onBatch },
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
    ctx.meter.end();
    const report = await faults.finish();
    // What the produced events should have made of the tables.
    const produced = meter.produced;
    const validEvents: TrackEvent[] = [];
    const invalidIds: number[] = [];
    const expectedStats = new Map<number, { plays: number; completed: number; duration: number }>();
    let i = 0;
    for (const e of albumReleaseEvents(count, seed)) {
      if (i++ >= produced) break;
      const p = playPayload(e);
      if (invalidReason(p) !== undefined) {
        invalidIds.push(p.eventId);
        continue;
      }
      validEvents.push(e);
      let s = expectedStats.get(e.TrackId);
      if (s === undefined) {
        s = { plays: 0, completed: 0, duration: 0 };
        expectedStats.set(e.TrackId, s);
      }
      if (e.EventType === 'TRACK_STARTED') s.plays++;
      if (e.EventType === 'TRACK_COMPLETED') {
        s.completed++;
        s.duration += e.Duration ?? 0;
      }
    }
    const stored = byEventId(cluster.readTableNow('TrackEvents'));
    const statsRows = cluster.readTableNow('TrackStats');
    let statsWrong = 0;
    const seen = new Set<number>();
    for (const { TrackId, Plays, CompletedPlays, TotalDurationMs } of statsRows) {
      const track = Number(TrackId);
      seen.add(track);
      const s = expectedStats.get(track);
      if (
        s === undefined ||
        Number(Plays) !== s.plays ||
        Number(CompletedPlays) !== s.completed ||
        Number(TotalDurationMs) !== s.duration
      )
        statsWrong++;
    }
    const statsMissing = [...expectedStats.keys()].filter((t) => !seen.has(t)).length;
    const sortedReturned = [...returned].sort((a, b) => a - b);
    const sortedExpected = [...invalidIds].sort((a, b) => a - b);
    const sameIds =
      sortedReturned.length === sortedExpected.length &&
      sortedReturned.every((v, k) => v === sortedExpected[k]);
    const stats: Check = {
      name: 'TrackStats = statistics of the valid events',
      ok: statsWrong === 0 && statsMissing === 0,
      detail: `${statsRows.length.toLocaleString('en-US')} tracks, ${statsWrong} wrong, ${statsMissing} missing`,
    };
    const ids: Check = {
      name: 'invalid event ids returned by the receiver',
      ok: sameIds,
      detail: `${returned.length} returned, ${invalidIds.length} produced invalid`,
    };
    return buildSummary(ctx, {
      history: cluster.historyMode,
      scenario: 'aggregate',
      stored: stored.size,
      checks: [
        streamCheck(error),
        countCheck('valid events = stored', validEvents.length, stored.size),
        contentCheck(validEvents, stored),
        stats,
        ids,
      ],
      duplicatesApplied: redeliveredApplies(cluster, 'TrackEvents'),
      details: {
        'invalid events': returned.length,
        tracks: statsRows.length,
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
