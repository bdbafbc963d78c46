/**
 * The apply listeners of one partition store: who is told about every key a commit applied, whether they
 * want a given commit at all (so a store whose listeners are idle makes no per-key views), and the calls
 * themselves, which finish for every listener even when one throws.
 *
 * It does not commit anything or make the views (the store does, see intent-steps.ts).
 */
import { ServerError } from '../errors/server-error.js';

/**
 * Called once per key a commit applies, after the whole commit is in place: the key bytes, the committed row
 * (`null` for a delete) and the commit timestamp, both as views of the store's immutable bytes (valid for as
 * long as they are held). Positional arguments: no object per row beyond the two views.
 */
export type ApplyListener = (key: Uint8Array, row: Uint8Array | null, commitTs: bigint) => void;

/** A listener and, optionally, the question asked once per commit whether it wants that commit's events. */
interface ListenerEntry {
  readonly listener: ApplyListener;
  readonly wanted: (() => boolean) | undefined;
}

/** The keys and rows a commit applied, same order (`null`: a delete), for the listeners. */
export interface AppliedViews {
  readonly keys: Uint8Array[];
  readonly rows: (Uint8Array | null)[];
}

export class ApplyListeners {
  readonly #entries: ListenerEntry[] = [];

  /**
   * Adds `listener`; `wanted`, when given, is asked once per commit and a no skips the listener for it.
   *
   * @returns a function that removes the listener.
   */
  add(listener: ApplyListener, wanted?: () => boolean): () => void {
    const entry: ListenerEntry = { listener, wanted };
    this.#entries.push(entry);
    return () => {
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
    };
  }

  /** The listeners that want the commit at hand, or `null` when none does. */
  wanted(): ApplyListener[] | null {
    let wanted: ApplyListener[] | null = null;
    for (const entry of this.#entries) {
      if (entry.wanted !== undefined && !entry.wanted()) continue;
      wanted ??= [];
      wanted.push(entry.listener);
    }
    return wanted;
  }
}

/**
 * Calls every one of `listeners` for every applied key, in commit order, even when one throws.
 *
 * @throws ServerError `INTERNAL` naming `partition` and `txId` (with the first failure as its cause) when a
 *   listener threw; the commit stands regardless.
 */
export function notifyApplied(
  listeners: readonly ApplyListener[],
  applied: AppliedViews,
  commitTs: bigint,
  partition: string,
  txId: string,
): void {
  let failure: unknown;
  let failed = false;
  const { keys, rows } = applied;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as Uint8Array;
    const row = rows[i] ?? null;
    for (const listener of listeners) {
      try {
        listener(key, row, commitTs);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  }
  if (failed) {
    throw new ServerError(
      'INTERNAL',
      `an apply listener of partition ${partition} threw; transaction ${txId} is committed regardless`,
      { cause: failure },
    );
  }
}
