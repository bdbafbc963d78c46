/**
 * What every checker returns, and the plain-text report they share: a headline with the verdict and the
 * counts, then one section per kind of finding, each finding a reason followed by the events that show it.
 * Long sections are cut in the text (the result's arrays keep every finding).
 */

/** The checkers, by name. */
export const CheckerNames = {
  atLeastOnce: 'atLeastOnce',
  perKeyOrder: 'perKeyOrder',
  finalState: 'finalState',
  liveness: 'liveness',
  exactOutcomes: 'exactOutcomes',
  linearizable: 'linearizable',
  storedRows: 'storedRows',
  replicaSets: 'replicaSets',
} as const;

export type CheckerName = (typeof CheckerNames)[keyof typeof CheckerNames];

/** Fields every checker's result has. */
export interface CheckerResult<N extends CheckerName = CheckerName> {
  readonly checker: N;
  /** Whether the history passed this checker. */
  readonly valid: boolean;
  /** What the checker found, for a person to read (several lines). */
  readonly report: string;
}

/** One kind of finding in a report. */
export interface ReportSection {
  readonly title: string;
  /** Each finding: its reason, then the events (formatted) that show it. */
  readonly findings: readonly (readonly string[])[];
}

/** How many findings of one kind a report spells out. */
export const MAX_FINDINGS_SHOWN = 20;

/** The report text: `<checker>: passed|FAILED (<summary>)`, then the non-empty sections. */
export function buildReport(
  checker: CheckerName,
  valid: boolean,
  summary: string,
  sections: readonly ReportSection[],
): string {
  const lines = [`${checker}: ${valid ? 'passed' : 'FAILED'} (${summary})`];
  for (const section of sections) {
    if (section.findings.length === 0) continue;
    lines.push(`  ${section.title} (${section.findings.length}):`);
    for (const finding of section.findings.slice(0, MAX_FINDINGS_SHOWN)) {
      const [reason, ...events] = finding;
      lines.push(`    - ${reason ?? ''}`);
      for (const event of events) lines.push(`        ${event}`);
    }
    if (section.findings.length > MAX_FINDINGS_SHOWN) {
      lines.push(`    ... and ${section.findings.length - MAX_FINDINGS_SHOWN} more`);
    }
  }
  return lines.join('\n');
}
