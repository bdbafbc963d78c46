/**
 * PendingRequests watches abort signals per signal, not per request, through the client's SignalWatches:
 * requests that share a signal (a stream's batch attempts), on one connection or several, share one
 * listener, which cancels each of them and goes away with the last of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PendingRequest, PendingRequests } from '../src/connection/pending-requests.js';
import { SignalWatches } from '../src/connection/signal-watches.js';
import { ClientError } from '../src/errors/client-error.js';
import { simClock, stopClocks } from './streamer-fake-sink.js';

afterEach(stopClocks);

interface Outcome {
  value?: string;
  error?: unknown;
}

function request(id: number, outcomes: Outcome[]): PendingRequest<string> {
  const outcome: Outcome = {};
  outcomes.push(outcome);
  return new PendingRequest<string>(id, 'STREAMER_BATCH_SEND', 10, {
    resolve: (value) => {
      outcome.value = value;
    },
    reject: (error) => {
      outcome.error = error;
    },
  });
}

/** A signal that counts the listeners added to it and still attached. */
function countedSignal(): { controller: AbortController; added: () => number; attached: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  let added = 0;
  let attached = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    added++;
    attached++;
    add(...args);
  }) as AbortSignal['addEventListener'];
  signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    attached--;
    remove(...args);
  }) as AbortSignal['removeEventListener'];
  return { controller, added: () => added, attached: () => attached };
}

describe('PendingRequests', () => {
  it('watches a signal shared by 500 requests with one listener, removed when the last one settles', () => {
    const watches = new SignalWatches();
    const pending = new PendingRequests<string>(simClock(), watches);
    const { controller, added, attached } = countedSignal();
    const outcomes: Outcome[] = [];
    for (let id = 1; id <= 500; id++)
      pending.add(request(id, outcomes), 30_000, controller.signal, () => 'node-1');
    expect(added()).toBe(1);
    expect(watches.size).toBe(1);
    for (let id = 1; id <= 499; id++) pending.take(id)?.resolve(`ok ${id}`);
    expect(attached()).toBe(1);
    pending.take(500)?.resolve('ok 500');
    expect(attached()).toBe(0);
    expect(watches.size).toBe(0);
    expect(outcomes.every((outcome, i) => outcome.value === `ok ${i + 1}`)).toBe(true);
    // A later request on the same signal watches it again.
    pending.add(request(501, outcomes), 30_000, controller.signal, () => 'node-1');
    expect(added()).toBe(2);
    expect(watches.size).toBe(1);
  });

  it('cancels every request still waiting on the signal when it aborts, and remembers their ids', () => {
    const watches = new SignalWatches();
    const pending = new PendingRequests<string>(simClock(), watches);
    const { controller, attached } = countedSignal();
    const other = new AbortController();
    const outcomes: Outcome[] = [];
    for (let id = 1; id <= 4; id++)
      pending.add(request(id, outcomes), 30_000, controller.signal, () => 'node-1');
    pending.add(request(5, outcomes), 30_000, other.signal, () => 'node-1');
    pending.add(request(6, outcomes), 30_000, undefined, () => 'node-1');
    pending.take(2)?.resolve('ok 2');
    controller.abort(new Error('stop'));
    expect(outcomes[1]?.value).toBe('ok 2');
    for (const index of [0, 2, 3]) {
      const error = outcomes[index]?.error;
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).code).toBe('CANCELLED');
      expect((error as Error).message).toContain(`request ${index + 1} was cancelled`);
    }
    // Requests on another signal, or none, are untouched; the cancelled ids are remembered as given up.
    expect(outcomes[4]).toEqual({});
    expect(outcomes[5]).toEqual({});
    expect(pending.size).toBe(2);
    expect(pending.opOf(1)).toBe('STREAMER_BATCH_SEND');
    expect(pending.forgetAbandoned(3)).toBe(true);
    expect(pending.forgetAbandoned(2)).toBe(false);
    expect(attached()).toBe(0);
    expect(watches.size).toBe(1);
  });

  it('lets go of the listener when a request times out or the connection drains', async () => {
    const clock = simClock();
    const watches = new SignalWatches();
    const pending = new PendingRequests<string>(clock, watches);
    const { controller, attached } = countedSignal();
    const outcomes: Outcome[] = [];
    pending.add(request(1, outcomes), 100, controller.signal, () => 'node-1');
    await clock.advance(100);
    expect(outcomes[0]?.error).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(attached()).toBe(0);
    pending.add(request(2, outcomes), 100, controller.signal, () => 'node-1');
    for (const waiting of pending.drain()) waiting.reject(new ClientError('CLOSED', 'closed'));
    expect(attached()).toBe(0);
    expect(watches.size).toBe(0);
  });

  it('shares one listener between the connections of a client', () => {
    const clock = simClock();
    const watches = new SignalWatches();
    const connections = Array.from({ length: 12 }, () => new PendingRequests<string>(clock, watches));
    const { controller, added, attached } = countedSignal();
    const outcomes: Outcome[] = [];
    connections.forEach((pending, i) => {
      pending.add(request(1, outcomes), 30_000, controller.signal, () => `node-${i}`);
    });
    expect(added()).toBe(1);
    controller.abort();
    expect(outcomes.every((outcome) => (outcome.error as ClientError).code === 'CANCELLED')).toBe(true);
    expect(connections.every((pending) => pending.size === 0)).toBe(true);
    expect(attached()).toBe(0);
  });
});
