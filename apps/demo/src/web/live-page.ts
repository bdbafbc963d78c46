/**
 * The web view's page: one self-contained HTML document (sim-cluster's chart page shell: uPlot inlined, no
 * network needed) whose script (page/live-page.js) connects to the server's event stream and draws what
 * each frame says. The page is built once per server; the data comes through the stream.
 */
import { readFileSync } from 'node:fs';
import { htmlPage } from '@datastreamer/sim-cluster';

const asset = (name: string) => readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8');

const BODY = `<header><h1>datastreamer demo <span id="scenario">waiting for the run</span>
<span id="phase" class="phase">waiting</span></h1>
<p id="totals" class="note"></p><div id="verdicts"></div></header>
<section><h2>Rows per second, total and per node</h2><div id="rate-chart" class="chart"></div>
<p class="note">Shaded: faults and topology changes while they last (red: network and scheduled faults,
purple: nodes crashed, paused or restarted); thin lines: changes that take no time.</p></section>
<section class="row">
<div><h2>Items in flight per node</h2><div id="inflight-chart" class="chart"></div></div>
<div><h2>Retries and reroutes</h2><div id="retry-chart" class="chart"></div><p id="counters" class="note"></p></div>
</section>
<section><h2>Partitions per node</h2><p class="note">&#9733; primary (with its Raft term when replicated),
&#9675; replica.</p><table id="partitions"></table></section>
<section><h2>Faults and changes</h2><p id="network-counts" class="note"></p><table id="faults"></table></section>
<section id="verify-section"><h2>Verification</h2><ol id="steps"></ol></section>`;

/** The page's HTML. */
export function livePageHtml(): string {
  return htmlPage({
    title: 'datastreamer demo: live',
    body: BODY,
    style: asset('live-page.css'),
    script: asset('live-page.js'),
    data: { eventsPath: '/events' },
  });
}
