import { Readable } from 'node:stream';
import { firstValueFrom, lastValueFrom, map, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import type { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { fromPull, PullObservable, type PullSource } from '../src/streamer/from-pull.js';
import { streamData } from '../src/streamer/stream-data.js';
import { streamInto } from '../src/streamer/stream-into.js';
import type { DataStreamerOptions } from '../src/streamer/streamer-options.js';
import {
  CountingSource,
  FakeSink,
  Gate,
  items,
  simClock,
  stopClocks,
  type TestItem,
} from './streamer-fake-sink.js';

afterEach(stopClocks);

/** A view-like target over a fake sink. */
function target(sink: FakeSink<TestItem>) {
  return {
    streamData: (
      source: Parameters<typeof streamData<TestItem, TestItem>>[1],
      options?: DataStreamerOptions,
    ) => streamData(sink, source, options),
  };
}

describe('fromPull', () => {
  it('is an Observable like any other: subscribing reads the source, and operators compose', async () => {
    const doubled = await lastValueFrom(
      fromPull([1, 2, 3]).pipe(
        map((n) => n * 2),
        toArray(),
      ),
    );
    expect(doubled).toEqual([2, 4, 6]);
    async function* generate() {
      yield 'a';
      yield 'b';
    }
    expect(await lastValueFrom(fromPull(generate()).pipe(toArray()))).toEqual(['a', 'b']);
    expect(
      await lastValueFrom(fromPull(Readable.from([{ id: 1 }], { objectMode: true })).pipe(toArray())),
    ).toEqual([{ id: 1 }]);
  });

  it('piped into streamInto, is pulled only while the streamer has room: no buffer, no overflow', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: () => gate.wait().then(() => undefined),
    });
    const source = new CountingSource(items(500));
    const summary = firstValueFrom(
      fromPull(source).pipe(streamInto(target(sink), { clock, pageSize: 10, maxBufferedItems: 1 })),
    );
    await clock.sleep(10_000);
    // bound = 2 partitions x 10 items x 1 operation; a subscribed Observable would have pushed all 500 and
    // overflowed a buffer of 1.
    expect(source.pulled).toBe(20);
    gate.open();
    expect((await summary).items).toBe(500);
    expect(sink.applied).toHaveLength(500);
  });

  it('turns into a plain, buffered Observable once an operator is piped in between', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: () => gate.wait().then(() => undefined),
    });
    const mapped = fromPull(items(500)).pipe(map((item) => item));
    expect(mapped).not.toBeInstanceOf(PullObservable);
    const failure = await streamData(sink, mapped, { clock, pageSize: 10, maxBufferedItems: 5 }).catch(
      (error: unknown) => error as DataStreamerError<TestItem>,
    );
    expect((failure as DataStreamerError<TestItem>).code).toBe('BUFFER_OVERFLOW');
    gate.open();
  });

  it('refuses what cannot be pulled, naming it', () => {
    const refuse = (value: unknown) => () => fromPull(value as PullSource<unknown>);
    expect(refuse(42)).toThrow(ClientError);
    expect(refuse(42)).toThrow(/fromPull: the source must be an Iterable, .*; got a number/);
    expect(refuse(null)).toThrow(/got null/);
    expect(refuse({})).toThrow(/got an object that is not iterable/);
    expect(refuse('abc')).toThrow(/got a string/);
    expect(refuse(fromPull([1]).pipe(map((n) => n)))).toThrow(/got an Observable, which cannot be pulled/);
    const pulled = fromPull([1]);
    expect(fromPull(pulled)).toBe(pulled);
  });
});
