import { describe, expect, it } from 'vitest';
import { FaultSpans } from '../src/history/fault-spans.js';
import { History } from '../src/history/history.js';

function run(steps: (history: History, at: (ms: number) => void) => void): FaultSpans {
  let now = 0;
  const history = new History({ clock: { now: () => now } });
  steps(history, (ms) => {
    now = ms;
  });
  return FaultSpans.of(history.events);
}

describe('FaultSpans', () => {
  it('spans a crash to its restart, and leaves a crash without restart open', () => {
    const spans = run((h, at) => {
      at(10);
      h.recordTopology({ kind: 'crash', node: 'node-2' });
      at(15);
      h.recordTopology({ kind: 'crash', node: 'node-3' });
      at(40);
      h.recordTopology({ kind: 'restart', node: 'node-2' });
    });
    expect(spans.spans().map((s) => [s.label, s.fromMs, s.toMs])).toEqual([
      ['crash node-2', 10, 40],
      ['crash node-3', 15, undefined],
    ]);
  });

  it('holds a network cut until the network heals, and a clog or a pause for its time', () => {
    const spans = run((h, at) => {
      at(5);
      h.recordFault({ kind: 'partition', groupA: ['node-1'], groupB: ['node-2', 'node-3'], oneWay: false });
      h.recordFault({ kind: 'clog', target: 'node-3', untilMs: 25 });
      h.recordTopology({ kind: 'pause', node: 'node-1', ms: 7 });
      at(50);
      h.recordFault({ kind: 'heal' });
    });
    expect(spans.spans().map((s) => [s.label, s.fromMs, s.toMs])).toEqual([
      ['partition node-1 | node-2,node-3', 5, 50],
      ['clog node-3', 5, 25],
      ['pause node-1 ms=7', 5, 12],
    ]);
    expect(spans.instants().map((i) => i.label)).toEqual(['heal (network)']);
  });

  it('ends link settings when new ones replace them, and counts per-message events', () => {
    const spans = run((h, at) => {
      h.recordFault({ kind: 'faults', faults: { drop: 0.1 } });
      h.recordFault({ kind: 'drop', from: 'a', to: 'b', connectionId: 1, bytes: 3, cause: 'fault' });
      h.recordFault({ kind: 'drop', from: 'a', to: 'b', connectionId: 1, bytes: 3, cause: 'fault' });
      at(20);
      h.recordFault({ kind: 'faults', faults: { delayMs: [1, 9] } });
      at(30);
      h.recordTopology({ kind: 'move', table: 'T', partition: 1, from: 'node-1', to: 'node-2' });
    });
    expect(spans.spans().map((s) => [s.label, s.fromMs, s.toMs])).toEqual([
      ['faults drop=0.1', 0, 20],
      ['faults delayMs=1..9', 20, undefined],
    ]);
    expect([...spans.counts()]).toEqual([['drop', 2]]);
    expect(spans.instants().map((i) => i.label)).toEqual(['move table=T partition=1 from=node-1 to=node-2']);
  });
});
