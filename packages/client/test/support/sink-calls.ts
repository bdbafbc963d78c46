/**
 * Test support: calls on a streamer sink as the streamer core makes them, for tests that drive a sink
 * directly. `openSink` registers a fresh producer; `sendOnce` numbers each partition's batches 1, 2, 3, ...
 * as the core does (an attempt after the first keeps the number), so the fake cluster's producer fence
 * treats them as the core's batches would be.
 */
import type {
  BatchAck,
  PreparedItem,
  StreamerSink,
  StreamerTopology,
} from '../../src/streamer/streamer-sink.js';

const never = new AbortController().signal;
const numbers = new WeakMap<object, number[]>();
let producers = 0;

/** Opens `sink` as a new run of a fresh producer. */
export function openSink<T, E, R>(sink: StreamerSink<T, E, R>): Promise<StreamerTopology> {
  producers++;
  return sink.open({
    signal: never,
    producerId: `test-producer-${producers}`,
    runId: `00000000-0000-4000-8000-${String(producers).padStart(12, '0')}`,
  });
}

/** Sends `entries` as the next batch of `partition` (or again, when `attempt` > 1). */
export function sendOnce<T, E, R>(
  sink: StreamerSink<T, E, R>,
  partition: number,
  entries: readonly E[],
  attempt = 1,
): Promise<BatchAck<R>> {
  let perPartition = numbers.get(sink);
  if (perPartition === undefined) {
    perPartition = [];
    numbers.set(sink, perPartition);
  }
  const previous = perPartition[partition] ?? 0;
  const batchSeq = attempt === 1 || previous === 0 ? previous + 1 : previous;
  perPartition[partition] = batchSeq;
  return sink.send({ partition, entries, attempt, batchSeq, signal: never, sent: () => undefined });
}

/** A fresh `prepare` output slot. */
export function preparedSlot<E>(): PreparedItem<E> {
  return { partition: -1, entry: undefined, bytes: 0 };
}
