/**
 * The requests of one connection that wait for their answers, by request id: each with its timeout on the
 * injected clock and, optionally, an abort signal, watched through the client's `SignalWatches` (one listener
 * per signal, not per request: signal-watches.ts). It also remembers the ids of requests given up on (timed
 * out, cancelled), with their op, so a late answer can still be decoded and dropped rather than mistaken for
 * a protocol violation; that memory is bounded.
 *
 * It does not send or decode anything (the connection does).
 */
import type { Clock, OpName, TimerHandle } from '@datastreamer/protocol';
import { ClientError } from '../errors/client-error.js';
import { type Cancellable, SignalWatches } from './signal-watches.js';

/** Ids of requests given up on that are remembered, to drop their late answers quietly. */
const ABANDONED_LIMIT = 4096;

/** How a waiting request is settled. */
export interface Settlement<Value> {
  readonly resolve: (value: Value) => void;
  readonly reject: (error: unknown) => void;
}

/** One request waiting for its answer. */
export class PendingRequest<Value> implements Cancellable {
  readonly requestId: number;
  readonly op: OpName;
  /** Its size on the wire. */
  readonly bytes: number;
  readonly #settlement: Settlement<Value>;
  #timer: TimerHandle | undefined;
  #signal: AbortSignal | undefined;
  #watches: SignalWatches | undefined;
  #onCancel: ((reason: unknown) => void) | undefined;

  constructor(requestId: number, op: OpName, bytes: number, settlement: Settlement<Value>) {
    this.requestId = requestId;
    this.op = op;
    this.bytes = bytes;
    this.#settlement = settlement;
  }

  resolve(value: Value): void {
    this.#release();
    this.#settlement.resolve(value);
  }

  reject(error: unknown): void {
    this.#release();
    this.#settlement.reject(error);
  }

  /** @internal Its signal aborted (see `SignalWatches`). */
  cancel(reason: unknown): void {
    this.#onCancel?.(reason);
  }

  /** @internal Arms the timeout, and joins the watch of its signal (if any). */
  watch(
    timer: TimerHandle,
    signal: AbortSignal | undefined,
    watches: SignalWatches,
    onCancel: (reason: unknown) => void,
  ): void {
    this.#timer = timer;
    if (signal === undefined) return;
    this.#signal = signal;
    this.#watches = watches;
    this.#onCancel = onCancel;
    watches.join(signal, this);
  }

  #release(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#signal !== undefined) this.#watches?.leave(this.#signal, this);
    this.#signal = undefined;
    this.#onCancel = undefined;
  }
}

/** The waiting requests of one connection. */
export class PendingRequests<Value> {
  readonly #clock: Clock;
  readonly #waiting = new Map<number, PendingRequest<Value>>();
  readonly #abandoned = new Map<number, OpName>();
  readonly #watches: SignalWatches;

  /** @param watches where abort signals are watched: the client's, shared by its connections. Default: own. */
  constructor(clock: Clock, watches: SignalWatches = new SignalWatches()) {
    this.#clock = clock;
    this.#watches = watches;
  }

  /** Requests waiting now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** The op of a waiting or given-up request with this id: what the answer must be decoded as. */
  readonly opOf = (requestId: number): OpName | undefined =>
    this.#waiting.get(requestId)?.op ?? this.#abandoned.get(requestId);

  /**
   * Registers a request: it fails with `REQUEST_TIMEOUT` after `timeoutMs`, and with `CANCELLED` when
   * `signal` aborts; either way its id is remembered as given up.
   *
   * @param describe says where the request went, for the timeout's message
   */
  add(
    request: PendingRequest<Value>,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    describe: () => string,
  ): void {
    const { requestId, op } = request;
    const timer = this.#clock.setTimer(timeoutMs, () => {
      this.#abandon(request);
      request.reject(
        new ClientError(
          'REQUEST_TIMEOUT',
          `${op} request ${requestId} to ${describe()} got no response within ${timeoutMs} ms`,
        ),
      );
    });
    request.watch(timer, signal, this.#watches, (reason) => {
      this.#abandon(request);
      request.reject(
        new ClientError('CANCELLED', `${op} request ${requestId} was cancelled`, { cause: reason }),
      );
    });
    this.#waiting.set(requestId, request);
  }

  /** Takes the waiting request with this id out of the table; `undefined` when none waits. */
  take(requestId: number): PendingRequest<Value> | undefined {
    const request = this.#waiting.get(requestId);
    if (request !== undefined) this.#waiting.delete(requestId);
    return request;
  }

  /** Whether `requestId` was given up on; forgets it (its late answer has arrived). */
  forgetAbandoned(requestId: number): boolean {
    return this.#abandoned.delete(requestId);
  }

  /** Takes every waiting request out (the connection closed) and forgets the given-up ids. */
  drain(): PendingRequest<Value>[] {
    const all = [...this.#waiting.values()];
    this.#waiting.clear();
    this.#abandoned.clear();
    return all;
  }

  #abandon(request: PendingRequest<Value>): void {
    this.#waiting.delete(request.requestId);
    if (this.#abandoned.size >= ABANDONED_LIMIT) {
      const oldest = this.#abandoned.keys().next();
      if (oldest.done !== true) this.#abandoned.delete(oldest.value);
    }
    this.#abandoned.set(request.requestId, request.op);
  }
}
