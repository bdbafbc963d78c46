/**
 * The live view's text: the frame of a streaming scenario for a terminal (progress bar, rows/s, items in
 * flight per node, retries, reroutes, the fault ticker), the frame of its verification (each step, the one
 * running with how far it got), and the one-line forms for output that is not a terminal. Pure functions of
 * what they are given: no terminal control here (log-update redraws the frame), with colours off the text
 * carries no escape code at all, and every frame line fits the width it is given.
 */
import type { VerifyStep } from '../run/engine-events.js';
import type { ProgressSnapshot } from '../run/progress-snapshot.js';
import type { Colors } from './colors.js';
import { fitLine, visibleLength } from './fit-line.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** A bar of `width` cells, `share` (0..1) of them full. */
export function progressBar(share: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(share * width)));
  return '█'.repeat(full) + '░'.repeat(width - full);
}

const percent = (done: number, total: number) =>
  total > 0 ? Math.floor(Math.min(1, done / total) * 100) : 0;

/**
 * Lines fitted to `width` columns, leaving the last column free: a terminal that wraps when a line fills its
 * width would otherwise break the frame.
 */
function fitted(lines: readonly string[], width: number): string {
  return lines.map((line) => fitLine(line, Math.max(20, width - 1))).join('\n');
}

/** The multi-line frame a terminal shows while a scenario streams, `width` columns wide at most. */
export function renderFrame(s: ProgressSnapshot, colors: Colors, width = 80): string {
  const share = s.target > 0 ? Math.min(1, s.acked / s.target) : 0;
  // The acknowledged count is padded to the target's width, so the bar does not change width as it grows.
  const counts =
    s.target > 0
      ? `${n(s.acked).padStart(n(s.target).length)} / ${n(s.target)} acked  ${String(percent(s.acked, s.target)).padStart(3)}%`
      : `${n(s.acked)} acked`;
  const time = seconds(s.elapsedMs);
  // The bar takes what the name, the counts and the time leave of the line, 10 to 40 cells.
  const fixed = visibleLength(s.scenario) + counts.length + time.length + 6;
  const barWidth = Math.max(10, Math.min(40, width - 1 - fixed));
  const lines = [
    `${colors.bold(colors.cyan(s.scenario))}  ${colors.green(progressBar(share, barWidth))}  ${counts}  ${colors.dim(time)}`,
    `  produced ${n(s.produced)}   ${colors.bold(n(s.rowsPerSec))} rows/s   batches ${n(s.batches)}   ` +
      `retries ${s.retries > 0 ? colors.yellow(n(s.retries)) : '0'}   reroutes ${s.reroutes > 0 ? colors.yellow(n(s.reroutes)) : '0'}`,
  ];
  if (s.waits > 0) lines.push(`  producer waited ${n(s.waits)}× (${n(s.waitMs)} ms)`);
  lines.push(
    `  in flight  ${s.inFlight.length === 0 ? '-' : s.inFlight.map(([node, items]) => `${node} ${n(items)}`).join('   ')}`,
  );
  if (s.extra.length > 0) lines.push(`  ${s.extra.map(([k, v]) => `${k} ${n(v)}`).join('   ')}`);
  for (const entry of s.ticker.slice(-4))
    lines.push(`  ${colors.magenta('↯')} ${colors.dim(`+${seconds(entry.atMs)}`)} ${entry.text}`);
  return fitted(lines, width);
}

/** The plain progress line for output that is not a terminal. */
export function renderLine(s: ProgressSnapshot): string {
  const pct = s.target > 0 ? ` (${percent(s.acked, s.target)}%)` : '';
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

/** How far a running step got, as text (`120,000 / 200,000  60%`), or '' when it does not say. */
function stepProgress(step: VerifyStep): string {
  if (step.done === undefined || step.total === undefined || step.total <= 0) return '';
  return `${n(step.done)} / ${n(step.total)}  ${percent(step.done, step.total)}%`;
}

/** What a verification is at: the steps finished and the number of steps. */
function stepsDone(steps: readonly VerifyStep[]): string {
  const finished = steps.filter((s) => s.state === 'done' || s.state === 'skipped').length;
  return `${finished}/${steps.length}`;
}

/** The frame a terminal shows while a scenario verifies: every step, `elapsedMs` real ms since it began. */
export function renderVerifying(
  scenario: string,
  steps: readonly VerifyStep[],
  elapsedMs: number,
  colors: Colors,
  width = 80,
): string {
  const lines = [
    `${colors.bold(colors.cyan(scenario))}  ${colors.bold('verifying')}  ${stepsDone(steps)} steps  ${colors.dim(seconds(elapsedMs))}`,
  ];
  for (const step of steps) {
    if (step.state === 'done') {
      const ok = step.check?.ok === true;
      lines.push(`  ${ok ? colors.green('✓') : colors.red('✗')} ${step.name}`);
    } else if (step.state === 'running') {
      const progress = stepProgress(step);
      lines.push(`  ${colors.cyan('▸')} ${step.name}${progress === '' ? '' : `  ${progress}`}`);
    } else if (step.state === 'skipped') {
      lines.push(`  ${colors.yellow('·')} ${step.name} ${colors.dim('(not verified)')}`);
    } else lines.push(colors.dim(`  · ${step.name}`));
  }
  return fitted(lines, width);
}

/** The plain line of a verification for output that is not a terminal. */
export function renderVerifyLine(scenario: string, steps: readonly VerifyStep[], elapsedMs: number): string {
  const running = steps.find((s) => s.state === 'running');
  const progress = running === undefined ? '' : stepProgress(running);
  const what = running === undefined ? '' : `: ${running.name}${progress === '' ? '' : ` ${progress}`}`;
  return `[${scenario}] verifying ${stepsDone(steps)}${what}, ${seconds(elapsedMs)}`;
}
