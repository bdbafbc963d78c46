/**
 * A history as a report document (see `report/report-document.ts`): its submits, applies, acknowledged and
 * failed items as timeline marks on the lanes of the clients and nodes they happened on (an ack or a failure
 * once per item, on its client's lane, under the item's key), its faults and topology changes as bands and
 * instants (`FaultSpans`), and the facts on top. The checkers' judgement, when given, is passed through.
 *
 * It judges nothing: the findings come from the checkers (`reportJudgement`).
 */
import type { ReportDocument, ReportJudgement, TimelineColumns } from '../report/report-document.js';
import { FaultSpans } from './fault-spans.js';
import type { HistoryEvent } from './history-event.js';

/** The default of {@link HistoryReportOptions.maxTimelineEvents}. */
export const DEFAULT_MAX_TIMELINE_EVENTS = 300_000;

/** Options of `history.toHtml()`. */
export interface HistoryReportOptions {
  /** The page's title. Default `History report`. */
  readonly title?: string;
  /** The run's seed, shown on top. Default: not shown (a history does not record it). */
  readonly seed?: number | bigint | string;
  /** The command that replays the run, shown on top. Default: none. */
  readonly replayCommand?: string;
  /** More facts for the top, as label and value. Default: none. */
  readonly facts?: readonly (readonly [string, string])[];
  /** What the checkers said (`reportJudgement(verdict)`). Default: the page says the history was not judged. */
  readonly judgement?: ReportJudgement;
  /** The column of an applied row that holds the producer's sequence, for the timeline. Default `Seq`. */
  readonly seqColumn?: string;
  /**
   * Timeline marks the page keeps (the first ones, in history order), so a huge history still gives a page
   * a browser opens. Default {@link DEFAULT_MAX_TIMELINE_EVENTS}.
   */
  readonly maxTimelineEvents?: number;
}

const KIND = { submit: 0, apply: 1, ack: 2, fail: 3 } as const;

/** Index of each distinct string, in the order first seen. */
class Interner {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  of(value: string): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.#index.set(value, i);
    }
    return i;
  }
}

/** The report document of `events`. */
export function historyReport(
  events: readonly HistoryEvent[],
  options: HistoryReportOptions = {},
): ReportDocument {
  const max = options.maxTimelineEvents ?? DEFAULT_MAX_TIMELINE_EVENTS;
  const seqColumn = options.seqColumn ?? 'Seq';
  const lanes = new Interner();
  const keys = new Interner();
  const timeline: TimelineColumns = { n: [], atMs: [], kind: [], lane: [], key: [], seq: [] };
  let omitted = 0;
  const mark = (event: HistoryEvent, kind: number, lane: string, key: number, seq: number): void => {
    if (timeline.n.length >= max) {
      omitted++;
      return;
    }
    timeline.n.push(event.n);
    timeline.atMs.push(event.atMs);
    timeline.kind.push(kind);
    timeline.lane.push(lanes.of(lane));
    timeline.key.push(key);
    timeline.seq.push(seq);
  };
  // The key of each submitted item, by client and stream, to place its ack or failure.
  const itemKeys = new Map<string, number[]>();
  const keyOfItem = (client: string, stream: number, index: number) =>
    itemKeys.get(`${client}\u0000${stream}`)?.[index];
  const spans = new FaultSpans();
  for (const event of events) {
    switch (event.type) {
      case 'submit': {
        const key = keys.of(event.key);
        const id = `${event.client}\u0000${event.stream}`;
        const list = itemKeys.get(id) ?? [];
        if (list.length === 0) itemKeys.set(id, list);
        list[event.index] = key;
        mark(event, KIND.submit, event.client, key, event.seq);
        break;
      }
      case 'apply': {
        const raw = event.row?.[seqColumn];
        const seq = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : -1;
        mark(event, KIND.apply, event.node, keys.of(event.key), seq);
        break;
      }
      case 'ack':
      case 'fail':
        for (const index of event.indexes) {
          const key = keyOfItem(event.client, event.stream, index);
          if (key !== undefined)
            mark(event, event.type === 'ack' ? KIND.ack : KIND.fail, event.client, key, -1);
        }
        break;
      default:
        spans.add(event);
    }
  }
  const endMs = events.at(-1)?.atMs ?? 0;
  const facts: [string, string][] = [];
  if (options.seed !== undefined) facts.push(['seed', String(options.seed)]);
  facts.push(
    ['events', String(events.length)],
    ['virtual time', `${Math.round(endMs * 100) / 100} ms`],
    ['keys', String(keys.values.length)],
  );
  facts.push(...(options.facts ?? []).map(([label, value]): [string, string] => [label, value]));
  const judgement = options.judgement;
  return {
    title: options.title ?? 'History report',
    facts,
    ...(options.replayCommand === undefined ? {} : { replayCommand: options.replayCommand }),
    ...(judgement === undefined ? {} : { valid: judgement.valid }),
    checks: judgement?.checks ?? [],
    findings: judgement?.findings ?? [],
    findingsOmitted: judgement?.findingsOmitted ?? 0,
    lanes: sortLanes(lanes.values, timeline.lane),
    keys: keys.values,
    timeline,
    timelineOmitted: omitted,
    bands: spans
      .spans()
      .map((s) => ({ source: s.source, label: s.label, fromMs: s.fromMs, toMs: s.toMs ?? null, n: s.n })),
    instants: spans.instants().map((i) => ({ ...i })),
    networkCounts: [...spans.counts()],
    endMs,
  };
}

/**
 * The lanes in a reading order (clients, then nodes, each by name with numbers in order), and `laneColumn`
 * renumbered to match, in place.
 */
function sortLanes(names: readonly string[], laneColumn: number[]): string[] {
  const collator = new Intl.Collator('en', { numeric: true });
  const client = (name: string) => (name.startsWith('client') ? 0 : 1);
  const sorted = [...names].sort((a, b) => client(a) - client(b) || collator.compare(a, b));
  const to = names.map((name) => sorted.indexOf(name));
  for (let i = 0; i < laneColumn.length; i++) laneColumn[i] = to[laneColumn[i] as number] as number;
  return sorted;
}
