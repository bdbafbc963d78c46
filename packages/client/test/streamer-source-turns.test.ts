/**
 * A stream lets other work run while it reads a large source: a synchronous source with room for all of it
 * is read at most `TURN_ITEMS` items per turn (then a zero-delay timer continues the fill), so timers and
 * sockets waiting meanwhile are not starved. Every item is still applied, in order, with nothing read past
 * the bound.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TURN_ITEMS } from '../src/streamer/source-pump.js';
import { streamData } from '../src/streamer/stream-data.js';
import { FakeSink, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

describe('DataStreamer source turns', () => {
  it('lets a timer due now run before a large synchronous source is read through', async () => {
    const clock = simClock();
    const count = 3 * TURN_ITEMS + 5;
    let pulled = 0;
    let pulledWhenTimerRan = -1;
    function* source(): Generator<TestItem> {
      for (let id = 0; id < count; id++) {
        // Queued as the first item is read: other work, due at once.
        if (id === 0) clock.setTimer(0, () => (pulledWhenTimerRan = pulled));
        pulled++;
        yield { id, key: id };
      }
    }
    const sink = new FakeSink<TestItem>({ clock, partitions: 4 });
    // Room for the whole source: bound = 4 partitions x 10,000 x 1.
    const summary = await streamData(sink, source(), { clock, pageSize: 10_000 });
    expect(summary.items).toBe(count);
    expect(pulledWhenTimerRan).toBeGreaterThan(0);
    expect(pulledWhenTimerRan).toBeLessThanOrEqual(TURN_ITEMS);
    expect(sink.applied.map((item) => item.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, id) => id),
    );
  });
});
