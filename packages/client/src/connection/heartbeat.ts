/**
 * Dead-connection detection for one connection, as Ignite 3's client does it: when no whole message has
 * arrived for `intervalMs`, a heartbeat is sent (the caller's `probe`, a HEARTBEAT request with `timeoutMs`);
 * an answer, or any other message, shows the connection alive; no answer in time means it is dead, and
 * `onDead` is told. Bytes that do not complete a message do not count: a frame whose length prefix promises
 * bytes that never come looks exactly like a silent peer.
 *
 * It owns the quiet-time bookkeeping and its timer on the injected clock; it does not send, close or
 * reconnect anything itself (node-connection.ts and the pool do).
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';
import { ClientError } from '../errors/client-error.js';

export interface HeartbeatOptions {
  readonly clock: Clock;
  /** Quiet time before a heartbeat, in ms; 0: off. */
  readonly intervalMs: number;
  /** How long a heartbeat may wait for its answer, in ms (> 0). */
  readonly timeoutMs: number;
  /** Sends a heartbeat that fails with `REQUEST_TIMEOUT` when unanswered within `timeoutMs`. */
  readonly probe: (timeoutMs: number) => Promise<unknown>;
  /** The connection is dead: nothing arrived for `quietForMs` and the heartbeat went unanswered. */
  readonly onDead: (quietForMs: number) => void;
}

export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #lastReceivedAt: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  /** Starts watching now (the handshake's answer was the last message). Does nothing when off. */
  constructor(options: HeartbeatOptions) {
    this.#options = options;
    this.#lastReceivedAt = options.clock.now();
    this.#arm(options.intervalMs);
  }

  /** A whole message arrived. */
  received(): void {
    this.#lastReceivedAt = this.#options.clock.now();
  }

  /** Stops for good (the connection closed). */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  #arm(delayMs: number): void {
    if (this.#stopped || this.#options.intervalMs <= 0) return;
    this.#timer = this.#options.clock.setTimer(delayMs, () => this.#check());
  }

  #check(): void {
    if (this.#stopped) return;
    const { clock, intervalMs, timeoutMs } = this.#options;
    const quietFor = clock.now() - this.#lastReceivedAt;
    if (quietFor < intervalMs) {
      this.#arm(intervalMs - quietFor);
      return;
    }
    this.#options.probe(timeoutMs).then(
      () => this.#arm(intervalMs),
      (error: unknown) => {
        // A probe that failed otherwise (the connection closed meanwhile) has nothing to report.
        if (!this.#stopped && error instanceof ClientError && error.code === 'REQUEST_TIMEOUT') {
          this.#options.onDead(quietFor);
        }
      },
    );
  }
}
