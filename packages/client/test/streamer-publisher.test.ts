import { ProtocolError } from '@datastreamer/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { streamData } from '../src/streamer/stream-data.js';
import { StreamerPublisher } from '../src/streamer/streamer-publisher.js';
import { FakeSink, Gate, probe, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

async function closedError(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientError);
  expect((error as ClientError).code).toBe('CLOSED');
  expect((error as ClientError).message).toMatch(/streamer is closed/);
  return error as ClientError;
}

describe('StreamerPublisher', () => {
  it('refuses submits once the stream failed, and those it had not taken yet', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async () => {
        await gate.wait();
        throw new ProtocolError('TABLE_NOT_FOUND', 'table dropped');
      },
    });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, pageSize: 2 });
    await publisher.submit({ id: 0, key: 0 });
    await publisher.submit({ id: 1, key: 0 });
    const waiting = publisher.submit({ id: 2, key: 0 }); // no room: the only page is in flight
    gate.open();
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError<TestItem>).failedItems.map((item) => item.id)).toEqual([0, 1]);
    const refused = await closedError(waiting);
    expect(refused.cause).toBeInstanceOf(ProtocolError);
    await closedError(publisher.submit({ id: 3, key: 0 }));
  });

  it('refuses submits after close, and still delivers what was submitted before', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    const publisher = new StreamerPublisher<TestItem>();
    const first = publisher.submit({ id: 0, key: 0 });
    const second = publisher.submit({ id: 1, key: 0 });
    publisher.close();
    await closedError(publisher.submit({ id: 2, key: 0 }));
    await expect(streamData(sink, publisher, { clock })).resolves.toMatchObject({ items: 2 });
    await first;
    await second;
    expect(sink.applied.map((item) => item.id)).toEqual([0, 1]);
  });

  it('fails the stream with the error given to fail(), reporting what it had taken', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, pageSize: 10 });
    await publisher.submit({ id: 0, key: 0 });
    await publisher.submit({ id: 1, key: 1 });
    const reason = new ClientError('CANCELLED', 'producer gave up');
    publisher.fail(reason);
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).code).toBe('CANCELLED');
    expect((error as DataStreamerError).cause).toBe(reason);
    expect((error as DataStreamerError<TestItem>).failedItems.map((item) => item.id)).toEqual([0, 1]);
    await closedError(publisher.submit({ id: 2, key: 0 }));
  });

  it('fails a stream started after fail() was called', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const publisher = new StreamerPublisher<TestItem>();
    const pending = probe(publisher.submit({ id: 0, key: 0 }));
    publisher.fail(new Error('never mind'));
    await closedError(pending.result);
    const error = await streamData(sink, publisher, { clock }).catch((e: unknown) => e);
    expect((error as DataStreamerError).message).toMatch(/the source failed: never mind/);
    expect((error as DataStreamerError).failedItems).toEqual([]);
  });

  it('feeds one stream only', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const publisher = new StreamerPublisher<TestItem>();
    const first = streamData(sink, publisher, { clock });
    await expect(streamData(sink, publisher, { clock })).rejects.toBeInstanceOf(InvalidOptionError);
    publisher.close();
    await first;
  });
});
