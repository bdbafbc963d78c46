/**
 * realtime: a continuous feed into `RealTimeEvents` whose rate swings between bursts and quiet spells
 * (DEMO.md scenario 4). Where a bounded queue would drop events when full, the producer awaits
 * `StreamerPublisher.submit`, so a burst is slowed to what the cluster takes (backpressure) and no event is
 * dropped; the producer's wait is measured and shown. A short auto-flush sends a quiet spell's few events
 * quickly. Verified by comparing every submitted event with the table (a publisher cannot be recorded, so
 * the table and the cluster's applies are the evidence).
 */
import { type DataStreamerSummary, StreamerPublisher } from '@datastreamer/client';
import type { PlainRow } from '@datastreamer/sim-cluster';
import { feedPhases, realtimeEvent } from '../events/realtime-feed.js';
import { startFaults } from '../faults/fault-profiles.js';
import {
  clientOptions,
  partitionMap,
  recordView,
  type ScenarioContext,
  startCluster,
} from '../run/scenario-context.js';
import type { Check, ScenarioSummary } from '../run/scenario-summary.js';
import type { StepProgress } from '../run/verification.js';
import { beginVerification, buildSummary, countCheck, redeliveredApplies } from '../run/verify.js';
import { type RealTimeEvent, realTimeEventsTable } from '../tables/demo-tables.js';
import type { Scenario } from './scenario.js';
import { PROGRESS_EVERY_ROWS } from './track-event-rows.js';

const DEFAULT_EVENTS = 200_000;

/** A short auto-flush for a feed that goes quiet; small pages so the bound, and the backpressure, are near. */
export const REALTIME_OPTIONS = {
  pageSize: 500,
  perPartitionParallelOperations: 1,
  autoFlushInterval: 100,
  retryLimit: 16,
} as const;

/** A submit that took longer than this waited for room. */
const WAIT_THRESHOLD_MS = 0.5;

const COUNT_STEP = 'submitted = stored';
const CONTENT_STEP = 'submitted vs stored';
const BOUND_STEP = 'memory bounded by backpressure';

/**
 * Compares the stored rows with the events submitted (regenerated from the seed); `missing` is how many
 * submitted events the table lacks.
 */
async function compareSubmitted(
  rows: readonly PlainRow[],
  submitted: number,
  seed: number,
  progress: StepProgress,
): Promise<Omit<Check, 'name'> & { readonly missing: number }> {
  const stored = new Set<number>();
  let different = 0;
  for (const row of rows) {
    const { EventId, UserId, TrackId, EventType, Metadata, EventTime } = row;
    const id = Number(EventId);
    stored.add(id);
    if (stored.size % PROGRESS_EVERY_ROWS === 0) await progress(stored.size, rows.length);
    const e = realtimeEvent(id, seed);
    if (
      UserId !== e.UserId ||
      TrackId !== e.TrackId ||
      EventType !== e.EventType ||
      Metadata !== e.Metadata ||
      !(EventTime instanceof Date) ||
      EventTime.getTime() !== e.EventTime.getTime()
    )
      different++;
  }
  let missing = 0;
  for (let id = 0; id < submitted; id++) if (!stored.has(id)) missing++;
  return {
    ok: missing === 0 && different === 0 && stored.size === submitted,
    detail: `${missing} dropped, ${different} different, ${stored.size - (submitted - missing)} never submitted`,
    missing,
  };
}

async function run(ctx: ScenarioContext): Promise<ScenarioSummary> {
  const { seed, partitions } = ctx.options;
  const total = ctx.options.events ?? DEFAULT_EVENTS;
  const profile = ctx.options.faults ?? 'none';
  const { meter } = ctx;
  meter.begin('realtime', total);
  const cluster = await startCluster(ctx, total);
  try {
    const client = await cluster.connect(clientOptions(profile !== 'none'));
    await client.catalog.createTable(realTimeEventsTable(partitions));
    const view = await recordView<RealTimeEvent>(client, 'RealTimeEvents');
    const map = partitionMap(cluster, 'RealTimeEvents');
    meter.trackPartitions(map);
    meter.trackClients([client]);
    const faults = startFaults(profile, cluster, meter, 'RealTimeEvents', cluster.clientName(client));
    const publisher = new StreamerPublisher<RealTimeEvent>();
    const done = view.streamData(publisher, {
      ...REALTIME_OPTIONS,
      onBatch: meter.onBatch,
      signal: ctx.stop.signal,
    });
    // The stream's outcome is awaited below; until then a failure only ends the producer (submit rejects).
    done.catch(() => undefined);
    let submitted = 0;
    let maxWaitMs = 0;
    let producerError: unknown;
    try {
      feed: for (const phase of feedPhases(total)) {
        meter.note(
          phase.kind === 'burst'
            ? `burst of ${phase.events.toLocaleString('en-US')} events`
            : `quiet: ${phase.events} events, one every ${phase.gapMs} ms`,
        );
        for (let i = 0; i < phase.events; i++) {
          if (ctx.stop.requested) break feed;
          const event = realtimeEvent(submitted, seed);
          // Timed on the run's clock, so a virtual run measures (and replays) the same waits.
          const t0 = meter.now();
          await publisher.submit(event);
          const waited = meter.now() - t0;
          meter.taken(map.partitionOf(event.EventId));
          submitted++;
          if (waited > WAIT_THRESHOLD_MS) {
            meter.waits++;
            meter.waitMs += waited;
            if (waited > maxWaitMs) maxWaitMs = waited;
          }
          if (phase.gapMs > 0) await cluster.clock.sleep(phase.gapMs);
        }
      }
    } catch (e) {
      producerError = e;
    }
    publisher.close();
    let summary: DataStreamerSummary | undefined;
    let error: unknown;
    try {
      summary = await done;
    } catch (e) {
      error = e;
    }
    ctx.meter.end(ctx.stop.requested);
    const report = await faults.finish();
    const verification = beginVerification(ctx, 'realtime', [COUNT_STEP, CONTENT_STEP, BOUND_STEP], {
      streams: summary === undefined ? [] : [summary],
      error: error ?? producerError,
    });
    let rows: PlainRow[] | undefined;
    await verification.run(COUNT_STEP, () => {
      rows = cluster.readTableNow('RealTimeEvents');
      return countCheck(submitted, rows.length);
    });
    let dropped: number | undefined;
    await verification.runOn(CONTENT_STEP, rows, async (stored, progress) => {
      const { missing, ...check } = await compareSubmitted(stored, submitted, seed, progress);
      dropped = missing;
      return check;
    });
    const bound = summary?.bufferBound ?? 0;
    const peak = summary?.peakBufferedItems ?? 0;
    await verification.runOn(BOUND_STEP, summary, () => ({
      ok: peak <= bound,
      detail: `peak ${peak.toLocaleString('en-US')} items held, bound ${bound.toLocaleString('en-US')}; producer waited ${meter.waits.toLocaleString('en-US')} times`,
    }));
    return buildSummary(ctx, {
      cluster,
      scenario: 'realtime',
      stored: rows?.length,
      verification,
      duplicatesApplied: redeliveredApplies(cluster, 'RealTimeEvents'),
      ...(summary === undefined ? {} : { streams: [summary] }),
      details: {
        'producer waits': meter.waits,
        'producer wait ms': Math.round(meter.waitMs),
        'longest wait ms': Math.round(maxWaitMs * 10) / 10,
        ...(dropped === undefined ? {} : { 'events dropped': dropped }),
        ...(profile === 'none' ? {} : { 'faults applied': report.applied }),
      },
    });
  } finally {
    await cluster.stop();
  }
}

export const realtime: Scenario = {
  name: 'realtime',
  description: 'a feed swinging between bursts and quiet spells, slowed by backpressure instead of dropping',
  defaultEvents: DEFAULT_EVENTS,
  storyEvents: 100_000,
  run,
};
