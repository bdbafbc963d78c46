// The web view's page script (plain browser JavaScript, inlined by live-page.ts): listens to the server's
// event stream and, for each frame, appends the new chart points and redraws the latest state: rows/s in
// total and per node, items in flight per node, retries and reroutes (uPlot charts, faults shaded on the
// time axis by a uPlot hook), the partitions per node with their primaries, the faults, the verification
// steps and each scenario's verdict. Everything it shows was aggregated by the server.

(() => {
  const config = JSON.parse(document.getElementById('page-data').textContent);
  // The inlined library's global.
  const UPlot = window.uPlot;
  const PALETTE = ['#2b6cb0', '#2f855a', '#b7791f', '#805ad5', '#c53030', '#319795', '#d53f8c', '#4a5568'];
  const $ = (id) => document.getElementById(id);
  const width = (el) => Math.max(360, el.parentElement.clientWidth - 10);

  let run = -1;
  let nodes = [];
  let faults = [];
  let series = newSeries();
  const charts = {};
  window.liveCharts = charts;

  function newSeries() {
    return { t: [], total: [], nodeRate: {}, inFlight: {}, retries: [], reroutes: [] };
  }

  /** Shades each fault while it lasts and marks each instant, on the chart's time axis (seconds). */
  const faultsPlugin = {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx, bbox } = u;
          const end = series.t.length > 0 ? series.t[series.t.length - 1] : 0;
          ctx.save();
          for (const f of faults) {
            const x0 = u.valToPos(f.fromMs / 1000, 'x', true);
            const x1 = u.valToPos(f.toMs === null ? end : f.toMs / 1000, 'x', true);
            const instant = f.toMs === f.fromMs;
            ctx.fillStyle = instant
              ? 'rgba(128, 90, 213, 0.6)'
              : f.source === 'fault'
                ? 'rgba(229, 62, 62, 0.14)'
                : 'rgba(128, 90, 213, 0.16)';
            ctx.fillRect(x0, bbox.top, instant ? 1 : Math.max(2, x1 - x0), bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };

  /** Each node keeps its colour on every chart; other lines take theirs from `colors`. */
  const nodeColor = (name) => PALETTE[Math.max(0, nodes.indexOf(name)) % PALETTE.length];
  const OTHER_COLORS = { total: '#1a202c', retries: '#c53030', reroutes: '#319795' };

  function chart(id, label, lines, columns) {
    const el = $(id);
    if (charts[id] !== undefined) charts[id].destroy();
    charts[id] = new UPlot(
      {
        width: width(el),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: 'seconds' }, { label, size: 70 }],
        series: [{ label: 'time (s)' }].concat(
          lines.map((name) => ({ label: name, stroke: OTHER_COLORS[name] ?? nodeColor(name), width: 1.5 })),
        ),
        plugins: [faultsPlugin],
      },
      columns,
      el,
    );
  }

  function redraw() {
    const byNode = (record) => nodes.map((n) => record[n] ?? []);
    chart(
      'rate-chart',
      'rows/s',
      ['total'].concat(nodes),
      [series.t, series.total].concat(byNode(series.nodeRate)),
    );
    chart('inflight-chart', 'items', nodes, [series.t].concat(byNode(series.inFlight)));
    chart('retry-chart', 'so far', ['retries', 'reroutes'], [series.t, series.retries, series.reroutes]);
    for (const id of Object.keys(charts)) $(id).dataset.points = String(series.t.length);
  }

  function append(points) {
    for (const p of points) {
      const i = series.t.length;
      series.t.push(p.t);
      series.total.push(p.rowsPerSec);
      for (const n of nodes) {
        series.nodeRate[n] ??= new Array(i).fill(null);
        series.inFlight[n] ??= new Array(i).fill(null);
        series.nodeRate[n].push(p.nodeRowsPerSec[n] ?? null);
        series.inFlight[n].push(p.inFlight[n] ?? null);
      }
      series.retries.push(p.retries);
      series.reroutes.push(p.reroutes);
    }
  }

  function cell(tr, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className !== undefined) td.className = className;
    tr.append(td);
  }

  function partitionsTable(frame) {
    const table = $('partitions');
    const head = document.createElement('tr');
    cell(head, 'node');
    for (const p of frame.partitions) cell(head, String(p.partition));
    const rows = nodes.map((node) => {
      const tr = document.createElement('tr');
      cell(tr, node);
      for (const p of frame.partitions) {
        if (p.primary === node) cell(tr, p.term > 0 ? `\u2605${p.term}` : '\u2605', 'primary');
        else if (p.replicas.includes(node)) cell(tr, '\u25cb', 'replica');
        else cell(tr, '');
      }
      return tr;
    });
    table.replaceChildren(head, ...rows);
    table.dataset.partitions = String(frame.partitions.length);
  }

  function faultsTable(frame) {
    const rows = frame.faults.slice(-40).map((f) => {
      const tr = document.createElement('tr');
      if (f.toMs === null) tr.className = 'open';
      cell(tr, `${(f.fromMs / 1000).toFixed(2)} s`);
      cell(tr, f.toMs === null ? 'holding' : f.toMs === f.fromMs ? '' : `${(f.toMs / 1000).toFixed(2)} s`);
      cell(tr, f.label);
      return tr;
    });
    $('faults').replaceChildren(...rows);
    $('network-counts').textContent =
      frame.networkCounts.length === 0
        ? ''
        : `Per-message network events: ${frame.networkCounts.map(([k, n]) => `${k} ${n}`).join(', ')}`;
  }

  function show(frame) {
    let rebuild = false;
    if (frame.run !== run) {
      run = frame.run;
      series = newSeries();
      rebuild = true;
    }
    const known = nodes.join(',');
    nodes = frame.nodes.slice();
    if (nodes.join(',') !== known) rebuild = true;
    faults = frame.faults;
    append(frame.points);
    if (rebuild || charts['rate-chart'] === undefined) redraw();
    else {
      const byNode = (record) => nodes.map((n) => record[n]);
      charts['rate-chart'].setData([series.t, series.total].concat(byNode(series.nodeRate)));
      charts['inflight-chart'].setData([series.t].concat(byNode(series.inFlight)));
      charts['retry-chart'].setData([series.t, series.retries, series.reroutes]);
      for (const id of Object.keys(charts)) $(id).dataset.points = String(series.t.length);
    }
    $('scenario').textContent = frame.scenario ?? 'waiting for the run';
    $('phase').textContent = frame.phase;
    $('phase').className = `phase ${frame.phase}`;
    const total = frame.target > 0 ? ` of ${frame.target.toLocaleString('en-US')}` : '';
    $('totals').textContent =
      `${(frame.elapsedMs / 1000).toFixed(1)} s: ${frame.acked.toLocaleString('en-US')}${total} events acknowledged, ` +
      `${frame.produced.toLocaleString('en-US')} produced, ${frame.batches.toLocaleString('en-US')} batches`;
    $('counters').textContent = frame.counters.map(([k, n]) => `${k} ${n}`).join(', ');
    partitionsTable(frame);
    faultsTable(frame);
    $('steps').replaceChildren(
      ...frame.steps.map((step) => {
        const li = document.createElement('li');
        const result = step.check === undefined ? '' : step.check.ok ? ': passed' : ': FAILED';
        li.textContent = `${step.name} (${step.state})${result}`;
        return li;
      }),
    );
    $('verdicts').replaceChildren(
      ...frame.verdicts.map((v) => {
        const span = document.createElement('span');
        span.className = `verdict ${v.verdict}`;
        span.textContent = `${v.scenario}: ${v.verdict} (${v.events.toLocaleString('en-US')} events, ${v.rowsPerSec.toLocaleString('en-US')} rows/s)`;
        return span;
      }),
    );
  }

  const source = new EventSource(config.eventsPath);
  source.onmessage = (message) => show(JSON.parse(message.data));
  // The server ends the stream when the demo stops: no reconnecting to a server that is gone.
  source.onerror = () => {
    source.close();
    $('phase').textContent = 'disconnected';
    $('phase').className = 'phase';
  };
})();
