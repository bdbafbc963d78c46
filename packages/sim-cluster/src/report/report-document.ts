/**
 * What an HTML report shows, as plain data: the facts on top (seed, replay command), the lanes (clients and
 * nodes) and keys of a timeline, its events as columns (one array per field, so a large run stays compact
 * in the page), faults and topology changes as bands and instants, and the checkers' findings, each with the
 * events that prove it. `history/` fills it from a history and `checkers/` gives the findings; this folder
 * only renders it.
 *
 * It knows nothing of histories or checkers, so both can use it without a cycle between folders.
 */

/** The kinds of timeline mark, by their number in {@link TimelineColumns.kind}. */
export const MarkKinds = ['submit', 'apply', 'ack', 'fail'] as const;

export type MarkKind = (typeof MarkKinds)[number];

/** The timeline's events, one array per field, all of the same length, in history order. */
export interface TimelineColumns {
  /** The event's position in the history: its anchor is `#e-<n>`. */
  readonly n: number[];
  readonly atMs: number[];
  /** An index into {@link MarkKinds}. */
  readonly kind: number[];
  /** An index into `lanes`. */
  readonly lane: number[];
  /** An index into `keys`. */
  readonly key: number[];
  /** The producer's sequence (submits, and applies whose row carries one); -1 when unknown. */
  readonly seq: number[];
}

/** A fault or topology change that lasted (`toMs` null: it held until the run's end). */
export interface ReportBand {
  readonly source: 'fault' | 'topology';
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly n: number;
}

/** A change that took no time. */
export interface ReportInstant {
  readonly source: 'fault' | 'topology';
  readonly label: string;
  readonly atMs: number;
  readonly n: number;
}

/** One event, written for a person, with its anchor number and its key (when it has one). */
export interface ReportEvent {
  readonly n: number;
  readonly atMs: number;
  readonly text: string;
  readonly key?: string;
}

/** One checker violation and the events that prove it. */
export interface ReportFinding {
  /** The checker that found it (`atLeastOnce`, `perKeyOrder`, ...). */
  readonly checker: string;
  /** What kind of finding (`lost item`, `reordered pair`, `unsettled stream`, ...). */
  readonly title: string;
  readonly reason: string;
  /** The key it is about, when it is about one. */
  readonly key?: string;
  /** The events that prove it, in history order. */
  readonly events: readonly ReportEvent[];
}

/** A checker's headline: its verdict and its summary line. */
export interface ReportCheck {
  readonly checker: string;
  readonly valid: boolean;
  readonly summary: string;
}

/** What the checkers said of a history: the verdict, each checker's headline, and the findings listed. */
export interface ReportJudgement {
  readonly valid: boolean;
  readonly checks: readonly ReportCheck[];
  readonly findings: readonly ReportFinding[];
  /** Findings left out of `findings` (there were more than a page lists). */
  readonly findingsOmitted: number;
}

/** Everything a report page shows. */
export interface ReportDocument {
  readonly title: string;
  /** Label and value pairs shown on top (seed, events, virtual time, ...). */
  readonly facts: readonly (readonly [string, string])[];
  /** The command that replays the run, when known. */
  readonly replayCommand?: string;
  /** Whether the checkers passed; undefined when the history was not judged. */
  readonly valid?: boolean;
  readonly checks: readonly ReportCheck[];
  readonly findings: readonly ReportFinding[];
  /** Findings left out of the page (there were more than it lists). */
  readonly findingsOmitted: number;
  readonly lanes: readonly string[];
  readonly keys: readonly string[];
  readonly timeline: TimelineColumns;
  /** Timeline events left out (the history had more than the page keeps). */
  readonly timelineOmitted: number;
  readonly bands: readonly ReportBand[];
  readonly instants: readonly ReportInstant[];
  /** Per-message network events (drops, duplicates, resets, refusals), counted. */
  readonly networkCounts: readonly (readonly [string, number])[];
  /** The time of the last event, in ms. */
  readonly endMs: number;
}
