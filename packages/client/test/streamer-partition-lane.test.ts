import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { FailedItems } from '../src/streamer/failed-items.js';
import { PartitionLane } from '../src/streamer/partition-lane.js';

describe('PartitionLane', () => {
  const clock = new SimClock({ autoAdvance: false });
  afterEach(() => clock.runUntilIdle());

  it('is overdue once its oldest item is autoFlushInterval old, and calls onDue then', () => {
    const due: number[] = [];
    const lane = new PartitionLane<string, string>(3, clock, 100, (l) => due.push(l.partition));
    clock.advance(10);
    lane.append('a', 'A', 0, 1);
    clock.advance(50);
    lane.append('b', 'B', 1, 1);
    clock.advance(49);
    expect(lane.overdue).toBe(false);
    expect(due).toEqual([]);
    clock.advance(1);
    expect(lane.overdue).toBe(true);
    expect(due).toEqual([3]);
  });

  it('never is overdue, and sets no timer, with auto-flush off', () => {
    const lane = new PartitionLane<string, string>(0, clock, 0, () => {});
    lane.append('a', 'A', 0, 1);
    expect(clock.pendingEvents).toBe(0);
    clock.advance(1_000_000);
    expect(lane.overdue).toBe(false);
  });

  it('cancels the timer when sealed and restarts the age with the next buffer', () => {
    const due: number[] = [];
    const lane = new PartitionLane<string, string>(1, clock, 100, (l) => due.push(l.partition));
    lane.append('a', 'A', 0, 1);
    clock.advance(60);
    lane.seal();
    lane.append('b', 'B', 1, 1);
    clock.advance(60);
    expect(due).toEqual([]);
    expect(lane.overdue).toBe(false);
    expect(lane.waiting.map((page) => page.items)).toEqual([['a']]);
  });

  it('sends pages in order, one at a time, and reuses an applied page', () => {
    const lane = new PartitionLane<string, string>(0, clock, 0, () => {});
    lane.append('a', 'A', 0, 1);
    lane.seal();
    lane.append('b', 'B', 1, 1);
    lane.seal();
    const first = lane.startNext();
    expect(first?.items).toEqual(['a']);
    expect(lane.busy).toBe(true);
    lane.finishInFlight(true);
    expect(lane.startNext()?.items).toEqual(['b']);
    lane.finishInFlight(false);
    expect(lane.busy).toBe(false);
    lane.append('c', 'C', 2, 1);
    lane.seal();
    expect(lane.open).toBe(first);
    expect(first?.size).toBe(0);
  });

  it('hands its unsent items to the failed items, which come back in source order', () => {
    const lane = new PartitionLane<string, string>(0, clock, 100, () => {});
    const failed = new FailedItems<string>();
    lane.append('b', 'B', 5, 1);
    lane.seal();
    lane.append('c', 'C', 9, 1);
    failed.add('a', 2);
    lane.discardUnsent(failed);
    failed.add('z', 0);
    expect(failed.inSourceOrder()).toEqual({ failed: ['z', 'a', 'b', 'c'], inDoubt: [] });
    expect(lane.open.size).toBe(0);
    expect(lane.waiting).toEqual([]);
    expect(clock.pendingEvents).toBe(0);
  });
});
