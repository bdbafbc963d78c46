/**
 * The liveness checker: once faults stop, every stream settles within a bound; and no stream gives up on a
 * cluster it could reach. Safety holds over the whole run; settling is only demanded after the heal point,
 * because a stream may rightly wait out a partition.
 *
 * A stream is one (client, stream) pair seen in any submit, ack, fail or settled event; it starts at its
 * first such event. Its deadline is `max(heal point, start) + livenessBoundMs`. It fails when it never
 * settled (whenever the history ends: a check runs after the run) or settled after its deadline. A stream
 * that never submitted, acknowledged, failed or settled anything leaves no trace and cannot be judged.
 * Streams of every table are judged: a stream that hangs is a failure whatever it writes to.
 *
 * A stream that settled rejected with `NODE_UNAVAILABLE` ("no node could be reached") is a `failed`
 * violation when a majority of the cluster's members was reachable from its client the whole time it ran,
 * from its first event to its settling (reachability.ts says how that is read from the history, and which
 * stretches it will not judge: a crash, a pause, a fault between nodes). That is the client not following
 * the cluster: every endpoint it was given gone while the nodes that joined were there to take its batches.
 */
import { formatEvent } from '../history/format-event.js';
import type { HistoryEvent, HistoryLike, SettledEvent } from '../history/history-event.js';
import { DEFAULT_LIVENESS_BOUND_MS, type LivenessOptions, validateOptions } from './check-options.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import { streamId } from './history-index.js';
import { ClusterReachability } from './reachability.js';

/** A stream that did not settle in time, or gave up on a cluster it could reach. */
export interface LivenessViolation {
  /**
   * `unsettled`: it never settled; `late`: it settled after its deadline; `failed`: it failed with
   * `NODE_UNAVAILABLE` while a majority of the members was reachable from its client the whole time.
   */
  readonly kind: 'unsettled' | 'late' | 'failed';
  readonly client: string;
  readonly stream: number;
  readonly startedAtMs: number;
  readonly deadlineMs: number;
  /** Its settled event, for a late stream. */
  readonly settled: SettledEvent | undefined;
  /** Its first event. */
  readonly first: HistoryEvent;
  readonly reason: string;
}

/** What `liveness` found. */
export interface LivenessResult extends CheckerResult<'liveness'> {
  readonly violations: readonly LivenessViolation[];
  /** The heal point used. */
  readonly healAtMs: number;
  /** Where the heal point came from: the option, a heal event, or none (0). */
  readonly healFrom: 'option' | 'event' | 'none';
  readonly boundMs: number;
  /** Streams judged. */
  readonly streams: number;
  /** Streams that failed with `NODE_UNAVAILABLE` and whose reachability could be judged. */
  readonly failuresJudged: number;
}

/**
 * Judges `history` for liveness after the heal point (see the module header).
 *
 * @param options.healAtMs default: the last `fault`/`topology` event of kind `heal`, else 0.
 * @param options.livenessBoundMs default {@link DEFAULT_LIVENESS_BOUND_MS}.
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option.
 */
export function liveness(history: HistoryLike, options: LivenessOptions = {}): LivenessResult {
  validateOptions(options, []);
  const boundMs = options.livenessBoundMs ?? DEFAULT_LIVENESS_BOUND_MS;
  let healAtMs = 0;
  let healFrom: LivenessResult['healFrom'] = 'none';
  const streams = new Map<
    string,
    { first: HistoryEvent; client: string; stream: number; settled?: SettledEvent }
  >();
  for (const event of history.events) {
    switch (event.type) {
      case 'fault':
      case 'topology':
        if (event.kind === 'heal') {
          healAtMs = event.atMs;
          healFrom = 'event';
        }
        break;
      case 'submit':
      case 'ack':
      case 'fail':
      case 'settled': {
        const id = streamId(event.client, event.stream);
        let stream = streams.get(id);
        if (stream === undefined) {
          stream = { first: event, client: event.client, stream: event.stream };
          streams.set(id, stream);
        }
        if (event.type === 'settled' && stream.settled === undefined) stream.settled = event;
        break;
      }
      default:
        break;
    }
  }
  if (options.healAtMs !== undefined) {
    healAtMs = options.healAtMs;
    healFrom = 'option';
  }
  const violations: LivenessViolation[] = [];
  const reachability = new ClusterReachability(history);
  let failuresJudged = 0;
  for (const { first, client, stream, settled } of streams.values()) {
    const startedAtMs = first.atMs;
    const deadlineMs = Math.max(healAtMs, startedAtMs) + boundMs;
    const name = `${client} stream ${stream}`;
    const report = (kind: LivenessViolation['kind'], reason: string) =>
      violations.push({ kind, client, stream, startedAtMs, deadlineMs, settled, first, reason });
    if (settled === undefined) {
      report(
        'unsettled',
        `${name} (started at ${startedAtMs}ms) never settled; its deadline was ${deadlineMs}ms`,
      );
    } else if (settled.atMs > deadlineMs) {
      report('late', `${name} settled at ${settled.atMs}ms, after its deadline ${deadlineMs}ms`);
    }
    if (settled?.outcome !== 'rejected' || settled.code !== 'NODE_UNAVAILABLE') continue;
    const judged = reachability.judge(client, first, settled);
    if (!judged.judged) continue;
    failuresJudged++;
    if (!judged.reachable) continue;
    report(
      'failed',
      `${name} failed with NODE_UNAVAILABLE at ${settled.atMs}ms, though a majority of the cluster was ` +
        `reachable from ${client} from ${startedAtMs}ms on`,
    );
  }
  const valid = violations.length === 0;
  const summary =
    `${violations.length} violations over ${streams.size} streams; healed at ${healAtMs}ms ` +
    `(${healFrom === 'none' ? 'no heal: the whole run' : `from ${healFrom === 'option' ? 'the option' : 'a heal event'}`}), bound ${boundMs}ms; ` +
    `${failuresJudged} NODE_UNAVAILABLE failures judged for reachability`;
  const report = buildReport('liveness', valid, summary, [
    {
      title: 'did not settle in time, or gave up on a reachable cluster',
      findings: violations.map((v) => [
        v.reason,
        formatEvent(v.first),
        ...(v.settled === undefined ? [] : [formatEvent(v.settled)]),
      ]),
    },
  ]);
  return {
    checker: 'liveness',
    valid,
    report,
    violations,
    healAtMs,
    healFrom,
    boundMs,
    streams: streams.size,
    failuresJudged,
  };
}
