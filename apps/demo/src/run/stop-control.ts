/**
 * The stop of a run, as the scenarios see it. A stop request (the first Ctrl-C) makes producers stop at once;
 * the streams then get `graceMs` to drain what was produced before their `signal` aborts them (a cancelled
 * stream rejects at once, its unacknowledged items reported failed), and no verification step starts after
 * it. It keeps the whole run answering a Ctrl-C within the CLI's one-second budget. It decides nothing else.
 */

/** What scenarios read: whether to stop, and the signal their streams pass to `streamData`. */
export interface StopRequest {
  readonly requested: boolean;
  readonly signal: AbortSignal;
}

/** How long streams may drain after a stop request before they are cancelled, in real ms. */
export const DRAIN_GRACE_MS = 150;

export class StopControl implements StopRequest {
  #requested = false;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  get requested(): boolean {
    return this.#requested;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Requests the stop; the streams' signal aborts `graceMs` later (real time, whatever the run's clock). */
  request(graceMs = DRAIN_GRACE_MS): void {
    if (this.#requested) return;
    this.#requested = true;
    this.#timer = setTimeout(() => this.#abort.abort(new Error('stopped by Ctrl-C')), graceMs);
    this.#timer.unref();
  }

  /** Clears the pending timer (the run ended first). */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
