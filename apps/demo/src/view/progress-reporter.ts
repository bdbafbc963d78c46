/**
 * Shows a running scenario: on a terminal a live frame redrawn a few times a second with log-update; on
 * anything else a plain line every few seconds, plus each new fault-ticker line as it happens (no escape
 * codes). It reads the meter and never changes it.
 */
import { createLogUpdate } from 'log-update';
import type { RunMeter } from '../run/run-meter.js';
import type { Colors } from './colors.js';
import type { OutputStream } from './output-stream.js';
import { type ProgressSnapshot, takeSnapshot } from './progress-snapshot.js';
import { renderFrame, renderLine } from './render-frame.js';

/** `tty`: live frame; `plain`: periodic lines; `off`: nothing. */
export type ProgressMode = 'tty' | 'plain' | 'off';

export interface ProgressReporterOptions {
  readonly mode: ProgressMode;
  readonly stream: OutputStream;
  readonly colors: Colors;
  /** Default: 150 ms on a terminal, 2000 ms for plain lines. */
  readonly intervalMs?: number;
}

export class ProgressReporter {
  readonly #options: ProgressReporterOptions;
  readonly #update: ReturnType<typeof createLogUpdate> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #meter: RunMeter | undefined;
  /** The snapshot the rate is measured from: renewed once it is a second old, so rows/s does not jitter. */
  #rateBase: ProgressSnapshot | undefined;
  #tickerSeen = 0;

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
    this.#update =
      options.mode === 'tty' ? createLogUpdate(options.stream, { showCursor: false }) : undefined;
  }

  /** Starts showing `meter` (a scenario has just begun). */
  start(meter: RunMeter): void {
    this.stop();
    this.#meter = meter;
    this.#rateBase = undefined;
    this.#tickerSeen = 0;
    const { mode } = this.#options;
    if (mode === 'off') return;
    if (mode === 'plain') this.#write(`[${meter.scenario}] started`);
    const interval = this.#options.intervalMs ?? (mode === 'tty' ? 150 : 2000);
    this.#timer = setInterval(() => this.#tick(), interval);
    this.#timer.unref();
    this.#tick();
  }

  /** Stops and clears the live frame (plain mode prints a last line). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#meter !== undefined && this.#options.mode === 'plain') this.#tick();
    this.#update?.clear();
    this.#meter = undefined;
  }

  /** A message above the live view (or a plain line). */
  message(text: string): void {
    if (this.#options.mode === 'off') return;
    this.#update?.clear();
    this.#write(text);
    if (this.#meter !== undefined && this.#options.mode === 'tty') this.#tick();
  }

  /** Restores the cursor on a terminal. */
  close(): void {
    this.stop();
    this.#update?.done();
  }

  #write(line: string): void {
    this.#options.stream.write(`${line}\n`);
  }

  #tick(): void {
    const meter = this.#meter;
    if (meter === undefined) return;
    const snapshot = takeSnapshot(meter, this.#rateBase);
    if (this.#rateBase === undefined || snapshot.elapsedMs - this.#rateBase.elapsedMs >= 1000)
      this.#rateBase = snapshot;
    if (this.#options.mode === 'tty') {
      this.#update?.(renderFrame(snapshot, this.#options.colors, this.#options.stream.columns ?? 80));
      return;
    }
    // New ticker lines first, each once; the ticker keeps the newest entries only.
    const unseen = Math.min(meter.notes - this.#tickerSeen, meter.ticker.length);
    for (const entry of meter.ticker.slice(meter.ticker.length - unseen)) {
      this.#write(`[${meter.scenario}] +${(entry.atMs / 1000).toFixed(1)}s ${entry.text}`);
    }
    this.#tickerSeen = meter.notes;
    this.#write(renderLine(snapshot));
  }
}
