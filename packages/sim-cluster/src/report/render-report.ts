/**
 * A report document as one self-contained HTML page: the facts and the replay command on top, the checkers'
 * verdicts, each violation with links (`#e-<n>`) to the events that prove it, which the page lists as
 * rows of their own (so the links work without the script), and the containers the page script fills with
 * charts: events over time with faults and topology changes as bands, and a per-key timeline across clients
 * and nodes.
 *
 * It writes what it is given; what a history or a verdict means is decided before (`history/`, `checkers/`).
 */
import { escapeHtml, htmlPage, readPageAsset } from './html-page.js';
import type { ReportDocument, ReportEvent, ReportFinding } from './report-document.js';

/** Milliseconds as a table shows them: two decimals at most (virtual time has fractions of a millisecond). */
const ms = (value: number) => String(Math.round(value * 100) / 100);

/** The HTML of `doc`. */
export function renderReport(doc: ReportDocument): string {
  const body = [header(doc), checks(doc), violations(doc), charts(doc), faults(doc), evidence(doc)].join(
    '\n',
  );
  return htmlPage({
    title: doc.title,
    body,
    style: readPageAsset('report-page.css'),
    script: readPageAsset('report-page.js'),
    data: {
      lanes: doc.lanes,
      keys: doc.keys,
      timeline: doc.timeline,
      bands: doc.bands,
      instants: doc.instants,
      endMs: doc.endMs,
      // The key the per-key timeline opens on: the first one a violation names.
      focusKey: doc.findings.find((f) => f.key !== undefined)?.key ?? null,
    },
  });
}

function header(doc: ReportDocument): string {
  const verdict =
    doc.valid === undefined
      ? '<span class="verdict unjudged">not judged</span>'
      : doc.valid
        ? '<span class="verdict valid">VALID</span>'
        : '<span class="verdict invalid">INVALID</span>';
  const facts = doc.facts
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const replay =
    doc.replayCommand === undefined
      ? ''
      : `<p>Replay: <code id="replay-command">${escapeHtml(doc.replayCommand)}</code></p>`;
  return `<header><h1>${escapeHtml(doc.title)} ${verdict}</h1><dl class="facts">${facts}</dl>${replay}</header>`;
}

function checks(doc: ReportDocument): string {
  if (doc.checks.length === 0) return '';
  const rows = doc.checks
    .map(
      (c) =>
        `<tr class="${c.valid ? 'pass' : 'fail'}"><td>${escapeHtml(c.checker)}</td><td>${c.valid ? 'passed' : 'FAILED'}</td><td>${escapeHtml(c.summary)}</td></tr>`,
    )
    .join('');
  return `<section id="checks"><h2>Checkers</h2><table><tbody>${rows}</tbody></table></section>`;
}

function eventLink(event: ReportEvent): string {
  return `<a class="event-link" href="#e-${event.n}">${escapeHtml(event.text)}</a>`;
}

function violation(finding: ReportFinding, i: number): string {
  const events = finding.events.map((e) => `<li>${eventLink(e)}</li>`).join('');
  const key =
    finding.key === undefined
      ? ''
      : ` <a class="key-link" href="#key-timeline" data-key="${escapeHtml(finding.key)}">timeline of key ${escapeHtml(finding.key)}</a>`;
  return `<li class="violation" id="v-${i}"><b>${escapeHtml(finding.checker)}: ${escapeHtml(finding.title)}</b>${key}<p>${escapeHtml(finding.reason)}</p><ul>${events}</ul></li>`;
}

function violations(doc: ReportDocument): string {
  if (doc.valid === undefined) return '';
  if (doc.findings.length === 0) {
    return '<section id="violations"><h2>Violations</h2><p>None: every checker passed.</p></section>';
  }
  const more =
    doc.findingsOmitted === 0 ? '' : `<p>... and ${doc.findingsOmitted} more (see the text report).</p>`;
  return `<section id="violations"><h2>Violations (${doc.findings.length + doc.findingsOmitted})</h2><ol>${doc.findings.map(violation).join('')}</ol>${more}</section>`;
}

function charts(doc: ReportDocument): string {
  const omitted =
    doc.timelineOmitted === 0
      ? ''
      : `<p class="note">The timeline keeps the first ${doc.timeline.n.length} events of submits, applies, acks and failures; ${doc.timelineOmitted} later ones are left out.</p>`;
  return `<section id="overview"><h2>Over time</h2><p class="note">Submits, applies and acknowledged items per time slice (virtual ms); faults and topology changes as bands.</p><div id="overview-chart" class="chart"></div></section>
<section id="key-timeline"><h2>Per-key timeline</h2>${omitted}<label>Key <select id="key-select"></select></label><div id="key-chart" class="chart"></div><table id="key-events"><thead><tr><th>#</th><th>ms</th><th>event</th><th>where</th><th>seq</th></tr></thead><tbody></tbody></table></section>`;
}

function faults(doc: ReportDocument): string {
  const rows = [
    ...doc.bands.map(
      (b) =>
        `<tr class="${b.source}"><td>${ms(b.fromMs)}</td><td>${b.toMs === null ? 'end' : ms(b.toMs)}</td><td>${escapeHtml(b.label)}</td></tr>`,
    ),
    ...doc.instants.map(
      (i) => `<tr class="${i.source}"><td>${ms(i.atMs)}</td><td></td><td>${escapeHtml(i.label)}</td></tr>`,
    ),
  ];
  const counts = doc.networkCounts.map(([kind, n]) => `${escapeHtml(kind)}: ${n}`).join(', ');
  return `<section id="faults"><h2>Faults and topology changes (${doc.bands.length + doc.instants.length})</h2>${
    counts === '' ? '' : `<p>Per-message network events: ${counts}.</p>`
  }<table><thead><tr><th>from ms</th><th>to ms</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Every event a finding names, once each, in history order. */
function evidenceEvents(doc: ReportDocument): ReportEvent[] {
  const byN = new Map<number, ReportEvent>();
  for (const f of doc.findings) for (const e of f.events) byN.set(e.n, e);
  return [...byN.values()].sort((a, b) => a.n - b.n);
}

function evidence(doc: ReportDocument): string {
  const events = evidenceEvents(doc);
  if (events.length === 0) return '';
  const rows = events
    .map(
      (e) =>
        `<tr id="e-${e.n}" class="evidence"><td>${e.n}</td><td>${ms(e.atMs)}</td><td>${escapeHtml(e.text)}</td><td>${
          e.key === undefined
            ? ''
            : `<a class="key-link" href="#key-timeline" data-key="${escapeHtml(e.key)}">key ${escapeHtml(e.key)}</a>`
        }</td></tr>`,
    )
    .join('');
  return `<section id="evidence"><h2>Events that prove the violations</h2><table><thead><tr><th>#</th><th>ms</th><th>event</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
