import { describe, expect, it } from 'vitest';
import { RunMeter } from '../src/run/run-meter.js';
import { colorEnabled, colors } from '../src/view/colors.js';
import { takeSnapshot } from '../src/view/progress-snapshot.js';
import { progressBar, renderFrame, renderLine } from '../src/view/render-frame.js';
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
    expect(stdout).toContain('verdict           VALID');
    expect(stdout).toMatch(/batch latency {5}p50 [\d.]+ ms {3}p95/);
  });
});
