import { describe, expect, it } from 'vitest';
import { check } from '../src/checkers/check.js';
import { CheckerError } from '../src/checkers/checker-error.js';
import { reportJudgement } from '../src/checkers/report-judgement.js';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';
import { canonicalKey } from '../src/history/canonical-key.js';
import { History } from '../src/history/history.js';
import { historyReportFile } from '../src/replay/history-report-file.js';

const A = canonicalKey({ Id: 1 });
const B = canonicalKey({ Id: 2 });
interface Row {
  readonly Id: number;
  readonly Seq: number;
}
const checkOptions = { key: (row: Row) => ({ Id: row.Id }), seq: (row: Row) => row.Seq };

/**
 * A run with two planted bugs: key A's seq 1 is applied after its seq 2 (a reordered pair), and key B is
 * acknowledged but never applied (a lost item). node-2 crashes and restarts in between.
 */
function plantedHistory(bKey = B): History {
  let now = 0;
  const history = new History({ clock: { now: () => now } });
  const submit = (index: number, key: string, seq: number) =>
    history.recordSubmit({ client: 'client-1', stream: 0, index, op: 'PUT', key, seq, table: 'T' });
  const apply = (key: string, id: number, seq: number) =>
    history.recordApply({
      node: 'node-1',
      table: 'T',
      partition: 0,
      key,
      row: { Id: id, Seq: seq },
      commitTs: BigInt(++now),
    });
  submit(0, A, 1);
  submit(1, A, 2);
  submit(2, bKey, 1);
  now = 5;
  history.recordTopology({ kind: 'crash', node: 'node-2' });
  now = 10;
  apply(A, 1, 2);
  apply(A, 1, 1);
  history.recordAck({ client: 'client-1', stream: 0, partition: 0, node: 'node-1', indexes: [0, 1, 2] });
  now = 30;
  history.recordTopology({ kind: 'restart', node: 'node-2' });
  history.recordSettled({ client: 'client-1', stream: 0, outcome: 'resolved' });
  return history;
}

function pageData(html: string): {
  timeline: { n: number[]; kind: number[] };
  keys: string[];
  lanes: string[];
  bands: { label: string; fromMs: number; toMs: number | null }[];
  focusKey: string | null;
} {
  const json = /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no page data');
  return JSON.parse(json);
}

describe('History.toHtml', () => {
  it('lists each violation with links to the events that prove it', () => {
    const history = plantedHistory();
    const verdict = check(history, checkOptions);
    expect(verdict.lost).toHaveLength(1);
    expect(verdict.reordered).toHaveLength(1);
    const html = history.toHtml({ judgement: reportJudgement(verdict) });
    expect(html).toContain('atLeastOnce: lost item');
    expect(html).toContain('perKeyOrder: reordered pair');
    const links = [...html.matchAll(/href="#e-(\d+)"/g)].map((m) => Number(m[1]));
    expect(links.length).toBeGreaterThan(0);
    for (const n of links) expect(html).toContain(`id="e-${n}"`);
    // The lost item links its submit (#2) and the ack that promised it (#6).
    const lost = /<li class="violation" id="v-0">(.*?)<\/li><\/ul><\/li>/s.exec(html)?.[1] ?? '';
    expect(lost).toContain('href="#e-2"');
    expect(lost).toContain('href="#e-6"');
  });

  it('puts the seed and the replay command on top, and the verdict', () => {
    const history = plantedHistory();
    const html = history.toHtml({
      seed: 42,
      replayCommand: 'pnpm --filter @datastreamer/sim-cluster replay /tmp/s.json',
      judgement: reportJudgement(check(history, checkOptions)),
    });
    expect(html).toContain('<dt>seed</dt><dd>42</dd>');
    expect(html).toContain(
      '<code id="replay-command">pnpm --filter @datastreamer/sim-cluster replay /tmp/s.json</code>',
    );
    expect(html).toContain('<span class="verdict invalid">INVALID</span>');
  });

  it('says a history given no judgement was not judged', () => {
    const html = plantedHistory().toHtml();
    expect(html).toContain('not judged');
    expect(html).not.toContain('id="violations"');
  });

  it('is one self-contained file: the chart library inlined, nothing fetched', () => {
    const html = plantedHistory().toHtml();
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
  });

  it('gives the page the timeline, the lanes and the crash as a band', () => {
    const data = pageData(
      plantedHistory().toHtml({ judgement: reportJudgement(check(plantedHistory(), checkOptions)) }),
    );
    // 3 submits, 2 applies, 3 acknowledged items.
    expect(data.timeline.n).toHaveLength(8);
    expect(data.lanes).toEqual(['client-1', 'node-1']);
    expect(data.keys).toEqual([A, B]);
    expect(data.bands).toEqual([expect.objectContaining({ label: 'crash node-2', fromMs: 5, toMs: 30 })]);
    expect(data.focusKey).toBe(B);
  });

  it('keeps text that looks like markup or a script end from breaking the page', () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const html = plantedHistory(evil).toHtml({
      title: '<b>title</b>',
      judgement: reportJudgement(check(plantedHistory(evil), { ...checkOptions, key: () => ({ Id: 0 }) })),
    });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;b&gt;title&lt;/b&gt;');
    expect(pageData(html).keys).toContain(evil);
  });

  it('keeps the first marks of a huge history and says how many it left out', () => {
    const html = plantedHistory().toHtml({ maxTimelineEvents: 3 });
    expect(pageData(html).timeline.n).toHaveLength(3);
    expect(html).toContain('5 later ones are left out');
  });
});

describe('reportJudgement', () => {
  it('lists no violation and every checker passed for a good history', () => {
    let now = 0;
    const history = new History({ clock: { now: () => now } });
    history.recordSubmit({ client: 'client-1', stream: 0, index: 0, op: 'PUT', key: A, seq: 1, table: 'T' });
    now = 1;
    history.recordApply({
      node: 'node-1',
      table: 'T',
      partition: 0,
      key: A,
      row: { Id: 1, Seq: 1 },
      commitTs: 1n,
    });
    history.recordAck({ client: 'client-1', stream: 0, partition: 0, node: 'node-1', indexes: [0] });
    history.recordSettled({ client: 'client-1', stream: 0, outcome: 'resolved' });
    const judgement = reportJudgement(check(history, checkOptions));
    expect(judgement.valid).toBe(true);
    expect(judgement.findings).toEqual([]);
    expect(judgement.checks.every((c) => c.valid)).toBe(true);
    expect(judgement.checks.find((c) => c.checker === 'atLeastOnce')?.summary).toMatch(/1 submitted/);
  });

  it('lists at most maxFindings and counts the rest', () => {
    const history = plantedHistory();
    const judgement = reportJudgement(check(history, checkOptions), 1);
    expect(judgement.findings).toHaveLength(1);
    expect(judgement.findingsOmitted).toBeGreaterThan(0);
  });
});

describe('historyReportFile', () => {
  it('judges a history read from JSON lines', () => {
    const report = historyReportFile(plantedHistory().toJsonLines(), { seed: '9' });
    expect(report.verdict?.valid).toBe(false);
    expect(report.html).toContain('<dt>seed</dt><dd>9</dd>');
  });

  it('refuses an empty key', () => {
    expect(() => historyReportFile(plantedHistory().toJsonLines(), { keyColumns: [] })).toThrow(
      SimClusterError,
    );
  });

  it('names a sequence column the rows do not have', () => {
    expect(() => historyReportFile(plantedHistory().toJsonLines(), { seqColumn: 'Version' })).toThrow(
      CheckerError,
    );
  });

  it('draws a history without streamed items, unjudged', () => {
    const history = new History({ clock: { now: () => 0 } });
    history.recordTopology({ kind: 'crash', node: 'node-1' });
    const report = historyReportFile(history.toJsonLines());
    expect(report.verdict).toBeUndefined();
    expect(report.html).toContain('not judged');
  });
});
