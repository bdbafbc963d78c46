/**
 * Shows a running scenario from the events the run sends: on a terminal a live frame redrawn a few times a
 * second with log-update (the streaming frame, then the verifying frame with its own elapsed time, which
 * keeps moving even while a step computes); on anything else a plain line every few seconds, plus each new
 * fault-ticker line and each verification step as it starts (no escape codes). It keeps the latest of what
 * it was told and changes nothing.
 */
import { createLogUpdate } from 'log-update';
import type { VerifyStep } from '../run/engine-events.js';
import type { ProgressSnapshot } from '../run/progress-snapshot.js';
import type { Colors } from './colors.js';
import type { OutputStream } from './output-stream.js';
import { renderFrame, renderLine, renderVerifying, renderVerifyLine } from './render-frame.js';

/** `tty`: live frame; `plain`: periodic lines; `off`: nothing. */
export type ProgressMode = 'tty' | 'plain' | 'off';

export interface ProgressReporterOptions {
  readonly mode: ProgressMode;
  readonly stream: OutputStream;
  readonly colors: Colors;
  /** Default: 150 ms on a terminal, 2000 ms for plain lines. */
  readonly intervalMs?: number;
  /** Real time in ms, for the verifying phase's elapsed time. Default `performance.now`. */
  readonly now?: () => number;
}

/** What is on show: a scenario streaming, or verifying since `since`. */
type Showing =
  | { readonly phase: 'streaming'; readonly scenario: string }
  | { readonly phase: 'verifying'; readonly scenario: string; readonly since: number };

export class ProgressReporter {
  readonly #options: ProgressReporterOptions;
  readonly #update: ReturnType<typeof createLogUpdate> | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #showing: Showing | undefined;
  #snapshot: ProgressSnapshot | undefined;
  #steps: readonly VerifyStep[] = [];
  #tickerSeen = 0;

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#update =
      options.mode === 'tty' ? createLogUpdate(options.stream, { showCursor: false }) : undefined;
  }

  /** A scenario began: show it. */
  scenario(name: string): void {
    this.stop();
    this.#showing = { phase: 'streaming', scenario: name };
    this.#snapshot = undefined;
    this.#steps = [];
    this.#tickerSeen = 0;
    const { mode } = this.#options;
    if (mode === 'off') return;
    if (mode === 'plain') this.#write(`[${name}] started`);
    const interval = this.#options.intervalMs ?? (mode === 'tty' ? 150 : 2000);
    this.#timer = setInterval(() => this.#tick(), interval);
    this.#timer.unref();
  }

  /** The latest progress of the streaming scenario. */
  progress(snapshot: ProgressSnapshot): void {
    const first = this.#snapshot === undefined;
    this.#snapshot = snapshot;
    if (this.#options.mode === 'plain') this.#writeTicker(snapshot);
    if (first || this.#options.mode === 'tty') this.#draw();
  }

  /** The streams ended: the verifying phase begins (its time runs from now). */
  streamed(): void {
    const showing = this.#showing;
    if (showing === undefined) return;
    if (this.#options.mode === 'plain' && this.#snapshot !== undefined)
      this.#write(renderLine(this.#snapshot));
    this.#showing = { phase: 'verifying', scenario: showing.scenario, since: this.#now() };
    this.#draw();
  }

  /** The verification's steps, after one changed. */
  verify(steps: readonly VerifyStep[]): void {
    const started = steps.find((s, i) => s.state === 'running' && this.#steps[i]?.state !== 'running');
    this.#steps = steps;
    if (this.#options.mode === 'plain' && started !== undefined) this.#draw();
    else if (this.#options.mode === 'tty') this.#draw();
  }

  /** The scenario ended: clears the live frame (plain mode prints a last line). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#showing !== undefined && this.#options.mode === 'plain') this.#draw();
    this.#update?.clear();
    this.#showing = undefined;
  }

  /** A message above the live view (or a plain line). */
  message(text: string): void {
    if (this.#options.mode === 'off') return;
    this.#update?.clear();
    this.#write(text);
    if (this.#options.mode === 'tty') this.#draw();
  }

  /** Stops and restores the cursor on a terminal. */
  close(): void {
    this.stop();
    this.#update?.done();
  }

  #write(line: string): void {
    this.#options.stream.write(`${line}\n`);
  }

  /** New fault-ticker lines, each once (the ticker keeps the newest entries only). */
  #writeTicker(snapshot: ProgressSnapshot): void {
    const unseen = Math.min(snapshot.notes - this.#tickerSeen, snapshot.ticker.length);
    for (const entry of snapshot.ticker.slice(snapshot.ticker.length - unseen)) {
      this.#write(`[${snapshot.scenario}] +${(entry.atMs / 1000).toFixed(1)}s ${entry.text}`);
    }
    this.#tickerSeen = snapshot.notes;
  }

  #tick(): void {
    this.#draw();
  }

  #draw(): void {
    const showing = this.#showing;
    if (showing === undefined || this.#options.mode === 'off') return;
    const width = this.#options.stream.columns ?? 80;
    const { colors } = this.#options;
    if (showing.phase === 'verifying') {
      if (this.#steps.length === 0) return;
      const elapsed = this.#now() - showing.since;
      if (this.#options.mode === 'tty')
        this.#update?.(renderVerifying(showing.scenario, this.#steps, elapsed, colors, width));
      else this.#write(renderVerifyLine(showing.scenario, this.#steps, elapsed));
      return;
    }
    const snapshot = this.#snapshot;
    if (snapshot === undefined) return;
    if (this.#options.mode === 'tty') this.#update?.(renderFrame(snapshot, colors, width));
    else this.#write(renderLine(snapshot));
  }
}
