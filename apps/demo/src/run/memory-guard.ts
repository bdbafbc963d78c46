/**
 * A check before a scenario starts with a full history: the simulated cluster then records every submit and
 * every applied row (that record is what the checkers judge), about 4 KB per event at peak, all in this
 * process. A run that cannot fit in the heap would die halfway with an out-of-memory crash; this refuses it
 * up front and says how to run it. Runs with the history off (see `history-mode.ts`) are not checked. It
 * measures nothing while running.
 */
import { getHeapStatistics } from 'node:v8';

/**
 * Peak memory per event of a run with a full history, rounded up: album-release measured 3.6 KB (peak RSS
 * 1.1 GB for 250,000 events, 2.0 GB for 500,000).
 */
export const BYTES_PER_EVENT = 4_000;

/**
 * @throws Error naming the scenario, the heap it needs and has, and the `NODE_OPTIONS` that would fit it,
 *   when `events` would not fit in 90% of the heap limit.
 */
export function checkHeapFor(
  scenario: string,
  events: number,
  heapLimit = getHeapStatistics().heap_size_limit,
): void {
  const need = events * BYTES_PER_EVENT;
  if (need <= heapLimit * 0.9) return;
  const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
  const suggestMb = Math.ceil((need * 1.25) / 1_048_576 / 1024) * 1024;
  throw new Error(
    `${scenario} with ${events.toLocaleString('en-US')} events needs about ${gb(need)} GB of heap for the history ` +
      `its verification reads, and this process has ${gb(heapLimit)} GB: run it with ` +
      `NODE_OPTIONS=--max-old-space-size=${suggestMb}, with fewer --events, or with --history off (or auto)`,
  );
}
