/**
 * album-release: a burst of listeners streamed into `TrackEvents` (DEMO.md scenario 1) with the release's
 * options (pageSize 1000, perPartitionParallelOperations 2, autoFlushInterval 1000 ms, retryLimit 16), and
 * faults injected when a profile asks for them: chaos is this scenario under the `chaos` profile, on 3
 * replicas of every partition (its live view counts elections and puts failovers on the ticker). Verified
 * by regenerating the produced events from the seed and comparing them with the table, and by the cluster's
 * checkers over the recorded history.
 */
import type { DataStreamerSummary } from '@datastreamer/client';
import { albumReleaseEvents, type PlainRow } from '@datastreamer/sim-cluster';
import { type FaultProfileName, startFaults } from '../faults/fault-profiles.js';
import { watchReplication } from '../run/replication-watch.js';
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
import type { Scenario } from './scenario.js';
import { byEventId, contentCheck } from './track-event-rows.js';

/** The release's streamer options (DEMO.md). */
export const ALBUM_RELEASE_OPTIONS = {
  pageSize: 1000,
  perPartitionParallelOperations: 2,
  autoFlushInterval: 1000,
  retryLimit: 16,
} as const;

const COUNT_STEP = 'produced = stored';
const CONTENT_STEP = 'produced vs stored';

/**
 * Runs the album release as scenario `name` under `defaultProfile` unless `--faults` says otherwise, with
 * `replicas` replicas of every partition (at most one per node).
 */
export async function runAlbumRelease(
  ctx: ScenarioContext,
  name: string,
  defaultEvents: number,
  defaultProfile: FaultProfileName,
  replicas = 1,
): Promise<ScenarioSummary> {
  const { seed, partitions } = ctx.options;
  const count = ctx.options.events ?? defaultEvents;
  const profile = ctx.options.faults ?? defaultProfile;
  ctx.meter.begin(name, count);
  const cluster = await startCluster(ctx, count, replicas);
  try {
    const client = await cluster.connect(clientOptions(profile !== 'none'));
    await client.catalog.createTable(trackEventsTable(partitions));
    const view = await recordView<TrackEvent>(client, 'TrackEvents');
    const map = partitionMap(cluster, 'TrackEvents');
    ctx.meter.trackPartitions(map);
    ctx.meter.trackClients([client]);
    const replicated = Math.min(replicas, ctx.options.nodes);
    const watch = replicated > 1 ? watchReplication(cluster, ctx.meter, 'TrackEvents') : undefined;
    const faults = startFaults(profile, cluster, ctx.meter, 'TrackEvents', cluster.clientName(client));
    const source = metered(albumReleaseEvents(count, seed), ctx, map.partitionOf, (e) => e.EventId);
    let summary: DataStreamerSummary | undefined;
    let error: unknown;
    try {
      summary = await cluster.stream(
        view,
        source,
        { client, seq: () => 0 },
        { ...ALBUM_RELEASE_OPTIONS, onBatch: ctx.meter.onBatch, signal: ctx.stop.signal },
      );
    } catch (e) {
      error = e;
    }
    ctx.meter.end(ctx.stop.requested);
    const report = await faults.finish();
    const replication = watch?.stop();
    const produced = ctx.meter.produced;
    const verification = beginVerification(ctx, name, [COUNT_STEP, CONTENT_STEP, ...checkerSteps(cluster)], {
      streams: summary === undefined ? [] : [summary],
      error,
    });
    let stored: Map<number, PlainRow> | undefined;
    await verification.run(COUNT_STEP, () => {
      stored = byEventId(cluster.readTableNow('TrackEvents'));
      return countCheck(produced, stored.size);
    });
    const expected = (function* () {
      let i = 0;
      for (const event of albumReleaseEvents(count, seed)) {
        if (i++ >= produced) return;
        yield event;
      }
    })();
    await verification.runOn(CONTENT_STEP, stored, (rows, progress) =>
      contentCheck(expected, rows, progress, produced),
    );
    const duplicated = await runCheckers(verification, cluster, 'TrackEvents', 'EventId');
    const details: Record<string, number | string> = {
      ...(replication === undefined
        ? {}
        : { replicas: replicated, elections: replication.elections, failovers: replication.failovers }),
      ...(profile === 'none'
        ? {}
        : {
            'fault profile': profile,
            'faults applied': report.applied,
            'faults refused': report.refused,
            'faults not reached': report.notReached,
            'units dropped': report.dropped,
            'units duplicated': report.duplicated,
            'connections reset': report.resets,
          }),
    };
    return buildSummary(ctx, {
      cluster,
      scenario: name,
      stored: stored?.size,
      verification,
      duplicatesApplied: duplicated,
      ...(summary === undefined ? {} : { streams: [summary] }),
      details,
    });
  } finally {
    await cluster.stop();
  }
}

export const albumRelease: Scenario = {
  name: 'album-release',
  description: 'a burst of listeners after a release, with hit tracks and heavy listeners (TrackEvents)',
  defaultEvents: 500_000,
  storyEvents: 200_000,
  run: (ctx) => runAlbumRelease(ctx, 'album-release', 500_000, 'none'),
};

export const chaos: Scenario = {
  name: 'chaos',
  description:
    'album-release on 3 replicas while drops, delays, a crash and restart, a paused primary and a network cut hit it',
  defaultEvents: 200_000,
  storyEvents: 100_000,
  run: (ctx) => runAlbumRelease(ctx, 'chaos', 200_000, 'chaos', 3),
};
