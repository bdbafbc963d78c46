/**
 * The receiver of the aggregate scenario, deployed on the cluster as `TrackStats`: for each batch it stores
 * the valid events in `TrackEvents` and adds them to their tracks' `TrackStats` rows, in one transaction, and
 * returns the ids of the invalid events (a bad event or track id, a missing timestamp) for the client to
 * count. `TrackEvents` is colocated with `TrackStats` by `TrackId`, so both partitions of a batch are on the
 * node the receiver runs on.
 *
 * A batch the client sends again (its answer was lost) finds its events already stored and adds nothing: the
 * statistics count each event once even though delivery is at-least-once.
 */
import type { DataStreamerReceiver } from '@datastreamer/sim-cluster';

/** What travels to the receiver per event. */
export interface PlayPayload {
  readonly eventId: number;
  readonly userId: number;
  readonly trackId: number;
  readonly type: string;
  readonly time: Date | null;
  readonly duration: number | null;
}

/** The name the receiver is deployed under. */
export const TRACK_STATS_RECEIVER = 'TrackStats';

/** Why `event` is invalid, or undefined. */
export function invalidReason(event: PlayPayload): string | undefined {
  if (!Number.isSafeInteger(event.eventId) || event.eventId < 0) return 'bad event id';
  if (!Number.isInteger(event.trackId) || event.trackId <= 0) return 'bad track id';
  if (!(event.time instanceof Date) || Number.isNaN(event.time.getTime())) return 'missing timestamp';
  return undefined;
}

interface StatsRow {
  TrackId: number;
  Plays: bigint;
  CompletedPlays: bigint;
  TotalDurationMs: bigint;
}

export const trackStatsReceiver: DataStreamerReceiver<PlayPayload, null, number> = async (page, ctx) => {
  const eventsTable = await ctx.ignite.tables.table('TrackEvents');
  const statsTable = await ctx.ignite.tables.table('TrackStats');
  if (eventsTable === null || statsTable === null)
    throw new Error('tables TrackEvents and TrackStats are needed');
  const events = eventsTable.recordView();
  const stats = statsTable.recordView<StatsRow>();
  const invalid: number[] = [];
  const valid: PlayPayload[] = [];
  for (const event of page) {
    if (invalidReason(event) === undefined) valid.push(event);
    else invalid.push(event.eventId);
  }
  await ctx.ignite.transactions.runInTransaction(async (tx) => {
    const existing = await events.getAll(
      valid.map((e) => ({ TrackId: e.trackId, EventId: e.eventId })),
      tx,
    );
    const fresh = valid.filter((_, i) => existing[i] === null);
    if (fresh.length === 0) return;
    await events.upsertAll(
      fresh.map((e) => ({
        EventId: e.eventId,
        UserId: e.userId,
        TrackId: e.trackId,
        EventType: e.type,
        EventTime: e.time,
        Duration: e.duration,
      })),
      tx,
    );
    const deltas = new Map<number, { plays: number; completed: number; duration: number }>();
    for (const e of fresh) {
      let d = deltas.get(e.trackId);
      if (d === undefined) {
        d = { plays: 0, completed: 0, duration: 0 };
        deltas.set(e.trackId, d);
      }
      if (e.type === 'TRACK_STARTED') d.plays++;
      if (e.type === 'TRACK_COMPLETED') {
        d.completed++;
        d.duration += e.duration ?? 0;
      }
    }
    const tracks = [...deltas.keys()];
    const current = await stats.getAll(
      tracks.map((t) => ({ TrackId: t })),
      tx,
    );
    await stats.upsertAll(
      tracks.map((t, i) => {
        const d = deltas.get(t) ?? { plays: 0, completed: 0, duration: 0 };
        const row = current[i];
        return {
          TrackId: t,
          Plays: BigInt(row?.Plays ?? 0n) + BigInt(d.plays),
          CompletedPlays: BigInt(row?.CompletedPlays ?? 0n) + BigInt(d.completed),
          TotalDurationMs: BigInt(row?.TotalDurationMs ?? 0n) + BigInt(d.duration),
        };
      }),
      tx,
    );
  });
  return invalid;
};
