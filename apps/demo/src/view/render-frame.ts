/**
 * The live view's text: one frame of a running scenario for a terminal (progress bar, rows/s, items in
 * flight per node, retries, reroutes, the fault ticker), and the one-line form for output that is not a
 * terminal. Pure functions of a snapshot: no terminal control here (log-update redraws the frame), and with
 * colours off the text carries no escape code at all.
 */
import type { Colors } from './colors.js';
import type { ProgressSnapshot } from './progress-snapshot.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** A bar of `width` cells, `share` (0..1) of them full. */
export function progressBar(share: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(share * width)));
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** The multi-line frame a terminal shows, at most `width` columns wide for the bar. */
export function renderFrame(s: ProgressSnapshot, colors: Colors, width = 80): string {
  const share = s.target > 0 ? Math.min(1, s.acked / s.target) : 0;
  const barWidth = Math.max(10, Math.min(40, width - 40));
  const counts =
    s.target > 0
      ? `${n(s.acked)} / ${n(s.target)} acked  ${String(Math.floor(share * 100)).padStart(3)}%`
      : `${n(s.acked)} acked`;
  const lines = [
    `${colors.bold(colors.cyan(s.scenario))}  ${colors.green(progressBar(share, barWidth))}  ${counts}  ${colors.dim(seconds(s.elapsedMs))}`,
    `  produced ${n(s.produced)}   ${colors.bold(n(s.rowsPerSec))} rows/s   batches ${n(s.batches)}   ` +
      `retries ${s.retries > 0 ? colors.yellow(n(s.retries)) : '0'}   reroutes ${s.reroutes > 0 ? colors.yellow(n(s.reroutes)) : '0'}` +
      (s.waits > 0 ? `   producer waited ${n(s.waits)}× (${n(s.waitMs)} ms)` : ''),
    `  in flight  ${s.inFlight.length === 0 ? '-' : s.inFlight.map(([node, items]) => `${node} ${n(items)}`).join('   ')}`,
  ];
  if (s.extra.length > 0) lines.push(`  ${s.extra.map(([k, v]) => `${k} ${n(v)}`).join('   ')}`);
  for (const entry of s.ticker)
    lines.push(`  ${colors.magenta('⚡')} ${colors.dim(`+${seconds(entry.atMs)}`)} ${entry.text}`);
  return lines.join('\n');
}

/** The plain progress line for output that is not a terminal. */
export function renderLine(s: ProgressSnapshot): string {
  const pct = s.target > 0 ? ` (${Math.floor(Math.min(1, s.acked / s.target) * 100)}%)` : '';
  const target = s.target > 0 ? `/${n(s.target)}` : '';
  const inFlight = s.inFlight.map(([node, items]) => `${node}=${items}`).join(' ');
  const extra = s.extra.map(([k, v]) => `, ${k} ${n(v)}`).join('');
  return (
    `[${s.scenario}] ${seconds(s.elapsedMs)} acked ${n(s.acked)}${target}${pct}, produced ${n(s.produced)}, ` +
    `${n(s.rowsPerSec)} rows/s, retries ${n(s.retries)}, reroutes ${n(s.reroutes)}` +
    (s.waits > 0 ? `, producer waits ${n(s.waits)} (${n(s.waitMs)} ms)` : '') +
    extra +
    (inFlight === '' ? '' : `, in flight ${inFlight}`)
  );
}
