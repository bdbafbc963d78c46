/**
 * lifecycle: mixed operations into `TrackEvents` (DEMO.md scenario 2): per listening session a
 * TRACK_STARTED PUT and a TRACK_COMPLETED PUT with the duration, and every tenth session a REMOVE of an
 * obsolete earlier event. Verified by rebuilding the expected table from the seed (every produced PUT whose
 * key no produced REMOVE deleted afterwards) and by the checkers, which see the REMOVEs in per-key order.
 */
import { DataStreamerItem, type DataStreamerSummary } from '@datastreamer/client';
import type { PlainRow } from '@datastreamer/sim-cluster';
import {
  type LifecycleItem,
  lifecycleItems,
  REMOVE_EVERY,
  sessionEvents,
  startedId,
} from '../events/lifecycle-items.js';
import { startFaults } from '../faults/fault-profiles.js';
import {
  clientOptions,
  metered,
  partitionMap,
  recordView,
  type ScenarioContext,
  startCluster,
} from '../run/scenario-context.js';
import type { ScenarioSummary } from '../run/scenario-summary.js';
import { beginVerification, buildSummary, checkerSteps, countCheck, runCheckers } from '../run/verify.js';
import { type TrackEvent, trackEventsTable } from '../tables/demo-tables.js';
import { ALBUM_RELEASE_OPTIONS } from './album-release.js';
import type { Scenario } from './scenario.js';
import { byEventId, contentCheck } from './track-event-rows.js';

const DEFAULT_EVENTS = 200_000;
const COUNT_STEP = 'stored = PUTs - REMOVEs';
const REMOVES_STEP = 'removes target earlier TRACK_STARTED events';
const CONTENT_STEP = 'produced vs stored';

/** The rows that must be in the table after the first `taken` items of `sessions` sessions. */
function* expectedRows(sessions: number, seed: number, taken: number, removed: ReadonlySet<number>) {
  let seen = 0;
  for (let s = 0; s < sessions && seen < taken; s++) {
    for (const event of sessionEvents(seed, s)) {
      if (seen++ >= taken) return;
      if (!removed.has(event.EventId)) yield event;
    }
    // The REMOVE that follows this session's PUTs, if any, is an item too.
    if (s >= REMOVE_EVERY && s % REMOVE_EVERY === REMOVE_EVERY - 1) seen++;
  }
}

async function run(ctx: ScenarioContext): Promise<ScenarioSummary> {
  const { seed, partitions } = ctx.options;
  const sessions = Math.max(1, Math.floor((ctx.options.events ?? DEFAULT_EVENTS) / 2));
  const profile = ctx.options.faults ?? 'none';
  ctx.meter.begin('lifecycle', sessions * 2 + Math.floor(sessions / REMOVE_EVERY));
  const cluster = await startCluster(ctx, sessions * 2 + Math.floor(sessions / REMOVE_EVERY));
  try {
    const client = await cluster.connect(clientOptions(profile !== 'none'));
    await client.catalog.createTable(trackEventsTable(partitions));
    const view = await recordView<TrackEvent>(client, 'TrackEvents');
    const map = partitionMap(cluster, 'TrackEvents');
    ctx.meter.trackPartitions(map);
    ctx.meter.trackClients([client]);
    const faults = startFaults(profile, cluster, ctx.meter, 'TrackEvents', cluster.clientName(client));
    const removed = new Set<number>();
    let puts = 0;
    const source = metered<LifecycleItem>(lifecycleItems(sessions, seed), ctx, map.partitionOf, (item) => {
      if (item.operationType === 'REMOVE') {
        ctx.meter.count('removes');
        removed.add(item.payload.EventId);
      } else puts++;
      return item.payload.EventId;
    });
    let summary: DataStreamerSummary | undefined;
    let error: unknown;
    try {
      summary = await cluster.stream(
        view,
        source,
        {
          client,
          seq: (item) => (item instanceof DataStreamerItem && item.operationType === 'REMOVE' ? 1 : 0),
        },
        { ...ALBUM_RELEASE_OPTIONS, onBatch: ctx.meter.onBatch, signal: ctx.stop.signal },
      );
    } catch (e) {
      error = e;
    }
    ctx.meter.end(ctx.stop.requested);
    const report = await faults.finish();
    const verification = beginVerification(
      ctx,
      'lifecycle',
      [COUNT_STEP, REMOVES_STEP, CONTENT_STEP, ...checkerSteps(cluster)],
      { streams: summary === undefined ? [] : [summary], error },
    );
    let stored: Map<number, PlainRow> | undefined;
    await verification.run(COUNT_STEP, () => {
      stored = byEventId(cluster.readTableNow('TrackEvents'));
      return countCheck(puts - removed.size, stored.size);
    });
    // A REMOVE names the TRACK_STARTED of a session ten before: always produced before it.
    await verification.run(REMOVES_STEP, () => ({
      ok: [...removed].every((id) => id % 2 === 0 && id <= startedId(sessions)),
      detail: `${removed.size} removes`,
    }));
    const produced = ctx.meter.produced;
    await verification.runOn(CONTENT_STEP, stored, (rows, progress) =>
      contentCheck(expectedRows(sessions, seed, produced, removed), rows, progress, puts - removed.size),
    );
    const duplicated = await runCheckers(verification, cluster, 'TrackEvents', 'EventId');
    return buildSummary(ctx, {
      cluster,
      scenario: 'lifecycle',
      stored: stored?.size,
      verification,
      duplicatesApplied: duplicated,
      ...(summary === undefined ? {} : { streams: [summary] }),
      details: {
        sessions,
        puts,
        removes: removed.size,
        ...(profile === 'none' ? {} : { 'faults applied': report.applied }),
      },
    });
  } finally {
    await cluster.stop();
  }
}

export const lifecycle: Scenario = {
  name: 'lifecycle',
  description: 'listening sessions as PUTs of started and completed plays, and REMOVEs of obsolete events',
  defaultEvents: DEFAULT_EVENTS,
  storyEvents: 80_000,
  run,
};
