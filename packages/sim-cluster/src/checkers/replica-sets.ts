/**
 * The replica-sets checker: a move of a replicated partition never leaves it with fewer copies than its
 * replica count. Every configuration a partition's Raft group committed (the `membership` topology events,
 * with the table's replica count) must have at least that many voters: a replica leaves only after its
 * replacement, caught up, became a voter, so a crash of any minority mid-move keeps every committed write
 * and the group's majority. A node that is down or destroyed still counts as a voter until it is removed
 * (the group cannot tell); the rule is about what the moves do, not about which nodes run.
 *
 * It reads only `membership` events; a history without moves passes with nothing judged.
 */
import { formatEvent } from '../history/format-event.js';
import type { HistoryLike, TopologyEvent } from '../history/history-event.js';
import { buildReport, type CheckerResult } from './checker-result.js';

/** A committed configuration with too few voters. */
export interface ShrunkGroup {
  readonly table: string;
  readonly partition: number;
  readonly voters: readonly string[];
  readonly replicas: number;
  readonly event: TopologyEvent;
}

/** What `replicaSets` found. */
export interface ReplicaSetsResult extends CheckerResult<'replicaSets'> {
  readonly shrunk: readonly ShrunkGroup[];
  /** Configurations judged. */
  readonly configurations: number;
}

function names(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Judges every `membership` event of `history` (see the module header). */
export function judgeReplicaSets(history: HistoryLike): ReplicaSetsResult {
  const shrunk: ShrunkGroup[] = [];
  let configurations = 0;
  for (const event of history.events) {
    if (event.type !== 'topology' || event.kind !== 'membership') continue;
    configurations++;
    const voters = names(event.details['voters']);
    const replicas = Number(event.details['replicas']);
    if (voters.length >= replicas) continue;
    shrunk.push({
      table: String(event.details['table']),
      partition: Number(event.details['partition']),
      voters,
      replicas,
      event,
    });
  }
  const valid = shrunk.length === 0;
  return {
    checker: 'replicaSets',
    valid,
    shrunk,
    configurations,
    report: buildReport('replicaSets', valid, `${configurations} configurations judged`, [
      {
        title: 'configurations with fewer voters than the replica count',
        findings: shrunk.map((s) => [
          `${s.table}/${s.partition}: voters [${s.voters.join(', ')}], ${s.replicas} replicas`,
          formatEvent(s.event),
        ]),
      },
    ]),
  };
}
