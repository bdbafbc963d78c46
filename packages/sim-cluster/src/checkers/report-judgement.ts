/**
 * A verdict as what an HTML report lists (`history.toHtml({ judgement })`): each checker's headline, and each
 * violation with the history events that prove it: a lost item (its submit, the ack that promised it, the
 * submit that won its key), a reordered pair (the newer apply, then the older one that came after it), an
 * unsettled stream (its first event, its settlement if late), and the rest of the verdict's findings alike.
 *
 * It adds no judgement: it re-reads what the checkers found.
 */
import { formatEvent } from '../history/format-event.js';
import type { HistoryEvent } from '../history/history-event.js';
import type { ReportEvent, ReportFinding, ReportJudgement } from '../report/report-document.js';
import type { Verdict } from './check.js';

/** The default of `maxFindings`: how many violations a page lists. */
export const DEFAULT_MAX_REPORT_FINDINGS = 200;

function reportEvent(event: HistoryEvent): ReportEvent {
  const key = event.type === 'submit' || event.type === 'apply' ? event.key : undefined;
  return { n: event.n, atMs: event.atMs, text: formatEvent(event), ...(key === undefined ? {} : { key }) };
}

function finding(
  checker: string,
  title: string,
  reason: string,
  key: string | undefined,
  events: readonly (HistoryEvent | undefined)[],
): ReportFinding {
  const byN = new Map<number, HistoryEvent>();
  for (const e of events) if (e !== undefined) byN.set(e.n, e);
  return {
    checker,
    title,
    reason,
    ...(key === undefined ? {} : { key }),
    events: [...byN.values()].sort((a, b) => a.n - b.n).map(reportEvent),
  };
}

/** Every finding of `verdict`, in the order of its checkers. */
function findingsOf(verdict: Verdict): ReportFinding[] {
  return [
    ...verdict.lost.map((l) =>
      finding('atLeastOnce', 'lost item', l.reason, l.submit.key, [l.submit, l.ack, l.winner]),
    ),
    ...verdict.unexpected.map((u) =>
      finding('atLeastOnce', 'apply of an item never submitted', u.reason, u.apply.key, [u.apply]),
    ),
    ...verdict.unaccounted.map((u) =>
      finding('atLeastOnce', 'item neither acknowledged nor failed', u.reason, u.submit.key, [
        u.submit,
        u.settled,
      ]),
    ),
    ...verdict.reordered.map((o) =>
      finding('perKeyOrder', 'reordered pair', o.reason, o.key, [o.previous, o.apply]),
    ),
    ...verdict.finalStateMismatches.map((m) =>
      finding('finalState', `final state: ${m.kind}`, m.reason, m.key, [m.decidedBy]),
    ),
    ...verdict.unsettled.map((u) =>
      finding(
        'liveness',
        u.kind === 'unsettled' ? 'unsettled stream' : 'stream settled late',
        u.reason,
        undefined,
        [u.first, u.settled],
      ),
    ),
    ...verdict.inexact.map((x) =>
      finding('exactOutcomes', `inexact outcome: ${x.kind}`, x.reason, x.key, [x.submit, x.apply]),
    ),
    ...verdict.undecodableRows.map((r) =>
      finding(
        'storedRows',
        'undecodable stored row',
        `${r.node} ${r.table} partition ${r.partition} key ${r.key} (schema version ${r.schemaVersion})`,
        undefined,
        [],
      ),
    ),
  ];
}

/**
 * What `verdict` says, for `history.toHtml({ judgement })`.
 *
 * @param maxFindings how many violations to list (the rest are counted). Default {@link DEFAULT_MAX_REPORT_FINDINGS}.
 */
export function reportJudgement(
  verdict: Verdict,
  maxFindings = DEFAULT_MAX_REPORT_FINDINGS,
): ReportJudgement {
  const results = [
    verdict.atLeastOnce,
    verdict.perKeyOrder,
    verdict.finalState,
    verdict.liveness,
    verdict.exactOutcomes,
    verdict.storedRows,
  ];
  const findings = findingsOf(verdict);
  return {
    valid: verdict.valid,
    checks: results.map((r) => ({
      checker: r.checker,
      valid: r.valid,
      // The headline's parenthesis: `atLeastOnce: passed (12 submitted, ...)`.
      summary: /\((.*)\)$/.exec(r.report.split('\n')[0] ?? '')?.[1] ?? '',
    })),
    findings: findings.slice(0, maxFindings),
    findingsOmitted: Math.max(0, findings.length - maxFindings),
  };
}
