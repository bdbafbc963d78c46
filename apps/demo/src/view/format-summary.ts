/**
 * A scenario's summary as terminal lines: the figures, each check with its mark, and the verdict in colour
 * (or plain, with `createColors(false)`). It only formats; the summary itself is scenario-summary.ts's.
 */
import type { ScenarioSummary, Verdict } from '../run/scenario-summary.js';
import type { Colors } from './colors.js';

const n = (x: number) => x.toLocaleString('en-US');

function verdictText(verdict: Verdict, colors: Colors): string {
  if (verdict === 'VALID') return colors.green(colors.bold('VALID'));
  if (verdict === 'INVALID') return colors.red(colors.bold('INVALID'));
  return colors.yellow(colors.bold('NOT VERIFIED'));
}

/** The summary as terminal lines (colours from `colors`; `createColors(false)` gives plain text). */
export function formatSummary(s: ScenarioSummary, colors: Colors): string {
  const title = `${s.scenario}${s.partial ? ' (partial: stopped by Ctrl-C)' : ''}`;
  const clock = s.clock === 'virtual' ? ' virtual' : '';
  const lines = [
    colors.bold(`── ${title} ──`),
    `  events            ${n(s.events)}   stored ${s.stored === null ? 'not read' : n(s.stored)}   in ${(s.durationMs / 1000).toFixed(2)}${clock} s`,
    `  throughput        ${n(s.rowsPerSec)} rows/s   ${s.mbPerSec.toFixed(2)} MB/s   ${n(s.batches)} batches`,
    `  batch latency     p50 ${s.latencyMs.p50} ms   p95 ${s.latencyMs.p95} ms   p99 ${s.latencyMs.p99} ms   max ${s.latencyMs.max} ms`,
    `  retries ${n(s.retries)}   reroutes ${n(s.reroutes)}   duplicates applied ${s.historyCheckersSkipped === undefined ? n(s.duplicatesApplied) : 'not counted'}`,
  ];
  const details = Object.entries(s.details);
  if (details.length > 0) {
    lines.push(`  ${details.map(([k, v]) => `${k} ${typeof v === 'number' ? n(v) : v}`).join('   ')}`);
  }
  for (const m of s.malformedLines ?? []) lines.push(`  ${colors.yellow('!')} line ${m.line}: ${m.reason}`);
  if (s.historyCheckersSkipped !== undefined) {
    lines.push(
      `  ${colors.yellow('!')} history checkers skipped: ${s.historyCheckersSkipped}; verified instead: every produced event stored with its values and nothing else, each key's final row read from the table`,
    );
  }
  for (const check of s.checks) {
    lines.push(`  ${check.ok ? colors.green('✓') : colors.red('✗')} ${check.name}: ${check.detail}`);
  }
  for (const name of s.notVerified) {
    lines.push(`  ${colors.yellow('·')} ${name}: not verified (stopped by Ctrl-C)`);
  }
  lines.push(
    `  verdict           ${verdictText(s.verdict, colors)} (seed ${s.seed}, ${s.nodes} nodes, ${s.partitions} partitions, ${s.clock} clock)`,
  );
  if (s.historyHash !== undefined) {
    lines.push(
      `  history hash      ${s.historyHash} (the same seed and flags with --clock virtual give it again)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
