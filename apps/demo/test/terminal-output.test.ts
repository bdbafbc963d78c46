import { describe, expect, it } from 'vitest';
import type { VerifyStep } from '../src/run/engine-events.js';
import { takeSnapshot } from '../src/run/progress-snapshot.js';
import { RunMeter } from '../src/run/run-meter.js';
import { colorEnabled, colors } from '../src/view/colors.js';
import { fitLine, visibleLength } from '../src/view/fit-line.js';
import {
  progressBar,
  renderFrame,
  renderLine,
  renderVerifying,
  renderVerifyLine,
} from '../src/view/render-frame.js';
import { collect, hasEscapes, spawnDemo } from './demo-harness.js';

function runningMeter(): RunMeter {
  let now = 0;
  const meter = new RunMeter(() => now);
  meter.begin('chaos', 1000);
  meter.trackPartitions({ partitions: 4, ownerOf: (p) => (p % 2 === 0 ? 'node-1' : 'node-2') });
  for (let i = 0; i < 600; i++) meter.taken(i % 4);
  meter.onBatch({
    partition: 0,
    items: 150,
    indexes: [],
    attempt: 3,
    node: 'node-1',
    bytes: 9000,
    latencyMs: 12,
    rerouted: true,
  });
  meter.onBatch({
    partition: 1,
    items: 150,
    indexes: [],
    attempt: 1,
    node: 'node-2',
    bytes: 9000,
    latencyMs: 8,
    rerouted: false,
  });
  now = 2000;
  meter.note('crash node-2');
  return meter;
}

/** A meter at the end of a long run on many nodes, with long ticker lines: the widest frame there is. */
function finishedWideMeter(): RunMeter {
  let now = 0;
  const meter = new RunMeter(() => now);
  meter.begin('history-import', 2_600_000);
  meter.trackPartitions({ partitions: 16, ownerOf: (p) => `node-${1 + (p % 16)}` });
  for (let i = 0; i < 2_500_000; i++) meter.taken(i % 16);
  meter.onBatch({
    partition: 0,
    items: 2_500_000,
    indexes: [],
    attempt: 1,
    node: 'node-1',
    bytes: 1,
    latencyMs: 1,
    rerouted: false,
  });
  meter.count('malformed lines', 123_456);
  meter.note(`cut node-3 off from node-1, node-2, client-1, and everything else that is connected to them`);
  now = 123_456;
  meter.end(false);
  return meter;
}

describe('the live view', () => {
  it('renders a frame with the bar, rates, per-node counts, retries, reroutes and the ticker', () => {
    const frame = renderFrame(takeSnapshot(runningMeter()), colors(true), 100);
    expect(hasEscapes(frame)).toBe(true);
    const plain = renderFrame(takeSnapshot(runningMeter()), colors(false), 100);
    expect(hasEscapes(plain)).toBe(false);
    expect(plain).toContain('chaos');
    expect(plain).toContain('300 / 1,000 acked');
    expect(plain).toContain('30%');
    expect(plain).toContain('150 rows/s');
    expect(plain).toContain('retries 2');
    expect(plain).toContain('reroutes 1');
    // 300 taken per node, 150 acknowledged from each.
    expect(plain).toContain('node-1 150   node-2 150');
    expect(plain).toContain('+2.0s crash node-2');
    expect(plain).toContain(progressBar(0.3, 40));
    expect(plain).toContain('↯');
  });

  it('fits every line of the frame in 80 columns, however wide the numbers', () => {
    for (const width of [80, 100, 60]) {
      for (const enabled of [true, false]) {
        const frame = renderFrame(takeSnapshot(finishedWideMeter()), colors(enabled), width);
        for (const line of frame.split('\n')) expect(visibleLength(line)).toBeLessThan(width);
      }
    }
  });

  it('ends at 100%, the target being what was produced once the streams ran to the end', () => {
    const frame = renderFrame(takeSnapshot(finishedWideMeter()), colors(false), 80);
    expect(frame).toContain('2,500,000 / 2,500,000 acked  100%');
    expect(frame).toContain(progressBar(1, 10));
  });

  it('draws a bar of the share done', () => {
    expect(progressBar(0, 4)).toBe('░░░░');
    expect(progressBar(0.5, 4)).toBe('██░░');
    expect(progressBar(2, 4)).toBe('████');
  });

  it('renders one plain line without escape codes', () => {
    const line = renderLine(takeSnapshot(runningMeter()));
    expect(line).not.toContain('\n');
    expect(hasEscapes(line)).toBe(false);
    expect(line).toContain('[chaos]');
    expect(line).toContain('in flight node-1=150 node-2=150');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
});

describe('the verifying phase', () => {
  const steps: VerifyStep[] = [
    { name: 'stream completed', state: 'done', check: { name: 'stream completed', ok: true, detail: '' } },
    { name: 'produced vs stored', state: 'running', done: 120_000, total: 200_000 },
    {
      name: 'checkers (at-least-once, per-key order, final state, liveness, exact outcomes)',
      state: 'pending',
    },
  ];

  it('shows each step, the running one with how far it got, and the time since verifying began', () => {
    const frame = renderVerifying('album-release', steps, 12_345, colors(false), 80);
    expect(frame).toContain('album-release  verifying  1/3 steps  12.3s');
    expect(frame).toContain('✓ stream completed');
    expect(frame).toContain('▸ produced vs stored  120,000 / 200,000  60%');
    expect(frame).toContain('· checkers');
    for (const line of renderVerifying('album-release', steps, 1, colors(true), 40).split('\n')) {
      expect(visibleLength(line)).toBeLessThan(40);
    }
    expect(renderVerifyLine('album-release', steps, 2000)).toBe(
      '[album-release] verifying 1/3: produced vs stored 120,000 / 200,000  60%, 2.0s',
    );
  });
});

describe('fitLine', () => {
  it('cuts to the width in visible columns, keeping colour codes whole and resetting after the cut', () => {
    const red = colors(true).red('abcdefghij');
    expect(visibleLength(red)).toBe(10);
    const cut = fitLine(red, 5);
    expect(visibleLength(cut)).toBe(5);
    expect(cut.endsWith(`…${String.fromCharCode(27)}[0m`)).toBe(true);
    expect(fitLine('short', 10)).toBe('short');
    expect(fitLine('0123456789', 4)).toBe('012…');
  });
});

describe('output that is not a terminal', () => {
  it('is plain progress lines and a plain summary, with no escape codes', async () => {
    const { code, stdout, stderr } = await collect(
      spawnDemo(['chaos', '--events', '6000', '--partitions', '4']),
    );
    expect(code).toBe(0);
    expect(hasEscapes(stdout)).toBe(false);
    expect(hasEscapes(stderr)).toBe(false);
    expect(stderr).toMatch(/^\[chaos\] started$/m);
    expect(stderr).toMatch(/^\[chaos\] .* acked 6,000\/6,000 \(100%\)/m);
    expect(stderr).toMatch(/^\[chaos\] \+[\d.]+s crash node-2$/m);
    expect(stderr).toMatch(/^\[chaos\] verifying \d\/4: checkers/m);
    expect(stdout).toContain('verdict           VALID');
    expect(stdout).toMatch(/batch latency {5}p50 [\d.]+ ms {3}p95/);
  });
});
