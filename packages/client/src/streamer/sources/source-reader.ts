/**
 * The one shape every input kind is adapted to, so the core has a single pull loop. The core asks for at most
 * `max` items (the room it has); the reader hands over what it has now, or waits for at least one. It never
 * reads ahead of what it is asked (push sources excepted: an Observable or a publisher buffers on its own
 * terms).
 */

/**
 * A source adapted for the streamer core.
 *
 * Contract: `read` appends between 1 and `max` items to `into` and returns how many, or returns 0 once the
 * source has ended; it returns a promise when it must wait, and throws or rejects when the source failed.
 * Items are appended only by a `read` in progress and just before it returns or resolves, so whatever
 * `into` holds was taken from the source. After `cancel` no read starts; one in progress settles as soon as
 * the source lets it, and may still deliver the item the source was producing for it (the core reports it).
 */
export interface SourceReader<T> {
  read(into: T[], max: number): number | Promise<number>;
  /**
   * Stops the source early (returns the iterator, cancels the stream, unsubscribes, refuses further
   * submits). Returns the items the reader had received but not handed over, which only a push source
   * has. Never throws.
   */
  cancel(reason: unknown): readonly T[];
}

/** What a push source needs from the core: a way to fail the stream at once (overflow, source error). */
export interface SourceReaderHooks {
  readonly fail: (error: unknown) => void;
}
