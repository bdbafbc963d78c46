/**
 * Sends a running scenario's progress a few times a second: a snapshot of its meter, whose rows/s is measured
 * over a window renewed every second so it does not jitter. Real-time timer, whatever the run's clock: it is
 * for the person watching. It changes nothing in the meter.
 */
import type { EngineSink } from './engine-events.js';
import { type ProgressSnapshot, takeSnapshot } from './progress-snapshot.js';
import type { RunMeter } from './run-meter.js';

/** How often a snapshot is sent, in real ms. */
export const PROGRESS_INTERVAL_MS = 150;

export class ProgressFeed {
  readonly #emit: EngineSink;
  #timer: NodeJS.Timeout | undefined;
  #meter: RunMeter | undefined;
  #rateBase: ProgressSnapshot | undefined;

  constructor(emit: EngineSink) {
    this.#emit = emit;
  }

  /** Starts sending `meter`'s progress (a scenario just began). */
  start(meter: RunMeter): void {
    this.stop();
    this.#meter = meter;
    this.#rateBase = undefined;
    this.#timer = setInterval(() => this.send(), PROGRESS_INTERVAL_MS);
    this.#timer.unref();
    this.send();
  }

  /** Sends one snapshot now. */
  send(): void {
    const meter = this.#meter;
    if (meter === undefined) return;
    const snapshot = takeSnapshot(meter, this.#rateBase);
    if (this.#rateBase === undefined || snapshot.elapsedMs - this.#rateBase.elapsedMs >= 1000)
      this.#rateBase = snapshot;
    this.#emit({ type: 'progress', snapshot });
  }

  /** Sends a last snapshot and stops. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.send();
    this.#meter = undefined;
  }
}
