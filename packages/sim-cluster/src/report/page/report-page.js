// The history report's page script (plain browser JavaScript, inlined into the report by render-report.ts):
// reads the page's JSON data and draws two uPlot charts, events over time with faults and topology changes
// as bands, and the per-key timeline of the chosen key (submits, applies, acks and failures on the lanes of
// the clients and nodes), with that key's events listed below it. Links to a key (`.key-link`) choose it.
// It draws nothing by hand: the bands are a uPlot hook filling the plot's own coordinates.

(() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const { lanes, keys, timeline, bands, instants, endMs } = data;
  // The inlined library's global.
  const UPlot = window.uPlot;
  const KINDS = ['submit', 'apply', 'ack', 'fail'];
  const COLORS = { submit: '#2b6cb0', apply: '#2f855a', ack: '#b7791f', fail: '#c53030' };
  const width = () => Math.max(480, Math.min(1200, document.body.clientWidth - 40));

  /** A uPlot plugin that shades each band (fault or topology change) and marks each instant. */
  const bandsPlugin = {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          for (const band of bands) {
            const x0 = u.valToPos(band.fromMs, 'x', true);
            const x1 = u.valToPos(band.toMs ?? endMs, 'x', true);
            ctx.fillStyle = band.source === 'fault' ? 'rgba(229, 62, 62, 0.12)' : 'rgba(128, 90, 213, 0.14)';
            ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
          }
          ctx.fillStyle = 'rgba(128, 90, 213, 0.6)';
          for (const instant of instants) {
            const x = u.valToPos(instant.atMs, 'x', true);
            ctx.fillRect(x, bbox.top, 1, bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };

  function overviewChart() {
    const slices = Math.max(1, Math.min(200, Math.ceil(endMs) + 1));
    const sliceMs = Math.max(1, (endMs + 1) / slices);
    const xs = Array.from({ length: slices }, (_, i) => Math.round(i * sliceMs));
    const counts = KINDS.map(() => new Array(slices).fill(0));
    for (let i = 0; i < timeline.n.length; i++) {
      const slice = Math.min(slices - 1, Math.floor(timeline.atMs[i] / sliceMs));
      counts[timeline.kind[i]][slice]++;
    }
    const series = [{ label: 'virtual ms' }];
    const columns = [xs];
    KINDS.forEach((kind, k) => {
      if (counts[k].some((c) => c > 0)) {
        series.push({ label: kind, stroke: COLORS[kind], width: 1.5 });
        columns.push(counts[k]);
      }
    });
    const el = document.getElementById('overview-chart');
    const chart = new UPlot(
      {
        width: width(),
        height: 260,
        scales: { x: { time: false } },
        axes: [{ label: 'virtual ms' }, { label: 'events per slice' }],
        series,
        plugins: [bandsPlugin],
      },
      columns,
      el,
    );
    el.dataset.points = String(xs.length * (columns.length - 1));
    return chart;
  }

  let keyChart;

  function showKey(keyIndex) {
    const rows = [];
    for (let i = 0; i < timeline.n.length; i++) if (timeline.key[i] === keyIndex) rows.push(i);
    // One x per event, strictly increasing: events of the same millisecond are spread a hair apart.
    const xs = [];
    let last = Number.NEGATIVE_INFINITY;
    for (const i of rows) {
      const x = Math.max(timeline.atMs[i], last + 1e-3);
      xs.push(x);
      last = x;
    }
    const columns = [xs];
    for (let k = 0; k < KINDS.length; k++) {
      columns.push(rows.map((i) => (timeline.kind[i] === k ? timeline.lane[i] : null)));
    }
    const series = [{ label: 'virtual ms' }].concat(
      KINDS.map((kind) => ({
        label: kind,
        stroke: COLORS[kind],
        fill: COLORS[kind],
        paths: () => null,
        points: { show: true, size: 9, fill: COLORS[kind] },
      })),
    );
    const el = document.getElementById('key-chart');
    if (keyChart !== undefined) keyChart.destroy();
    keyChart = new UPlot(
      {
        width: width(),
        height: 80 + 28 * lanes.length,
        scales: { x: { time: false }, y: { range: [-0.5, lanes.length - 0.5] } },
        axes: [
          { label: 'virtual ms' },
          {
            size: 90,
            splits: () => lanes.map((_, i) => i),
            values: (_u, splits) => splits.map((v) => lanes[v] ?? ''),
          },
        ],
        series,
        plugins: [bandsPlugin],
      },
      columns,
      el,
    );
    el.dataset.points = String(rows.length);
    el.dataset.key = keys[keyIndex] ?? '';
    const body = document.querySelector('#key-events tbody');
    body.replaceChildren(
      ...rows.map((i) => {
        const tr = document.createElement('tr');
        const seq = timeline.seq[i];
        for (const text of [
          String(timeline.n[i]),
          String(Math.round(timeline.atMs[i] * 100) / 100),
          KINDS[timeline.kind[i]],
          lanes[timeline.lane[i]],
          seq < 0 ? '' : String(seq),
        ]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  const select = document.getElementById('key-select');
  select.replaceChildren(
    ...keys.map((key, i) => {
      const option = document.createElement('option');
      option.value = String(i);
      option.textContent = key;
      return option;
    }),
  );
  select.addEventListener('change', () => showKey(Number(select.value)));
  for (const link of document.querySelectorAll('.key-link')) {
    link.addEventListener('click', () => {
      const i = keys.indexOf(link.dataset.key);
      if (i >= 0) {
        select.value = String(i);
        showKey(i);
      }
    });
  }

  overviewChart();
  const focus = data.focusKey === null ? 0 : Math.max(0, keys.indexOf(data.focusKey));
  if (keys.length > 0) {
    select.value = String(focus);
    showKey(focus);
  }
})();
