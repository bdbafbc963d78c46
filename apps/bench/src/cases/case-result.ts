/**
 * What one bench case reports, and the names of the cases. Plain data passed from a case's child process to
 * the parent as one JSON line; it does not run or format anything.
 */

/** The cases, in the order `pnpm bench` runs and prints them. */
export const CaseNames = [
  'floor',
  'stream_1node',
  'stream_3node',
  'stream_3node_r3',
  'stream_r3_rebalancing',
  'per_row',
  'album_release',
  'stream_16p_16c',
  'stream_1024p_16c',
  'stream_1000c',
] as const;
export type CaseName = (typeof CaseNames)[number];

/** Throughput of one case: `rows` handled in `seconds` (wall clock, the timed part only). */
export interface CaseFigures {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
}

/** The memory figures PERFORMANCE.md asks for, measured during `stream_3node`. */
export interface MemoryFigures {
  /** The most items the streamer held at once (its own gauge). */
  readonly peakBufferedItems: number;
  /** The documented bound on buffered items for the options used. */
  readonly bufferBound: number;
  /** Heap growth per stored row after the load, after a full GC. */
  readonly storedBytesPerRow: number;
}

/**
 * The peak rise of `heapUsed + arrayBuffers` during a many-clients case's streams over the level before them,
 * in bytes, with the shape it was measured at (the report compares two shapes).
 */
export interface PeakRise {
  readonly bytes: number;
  readonly clients: number;
  readonly partitions: number;
}

/**
 * What a case's child process prints: its figures, the memory figures when it measured them, for the
 * many-clients cases the peak rise of `heapUsed + arrayBuffers` during the streams (whole, and per stream and
 * partition, bytes), and for the rebalancing case the replica moves it made.
 */
export interface CaseOutput extends CaseFigures {
  readonly memory?: MemoryFigures;
  readonly peakBytesPerStreamPartition?: number;
  readonly peakRise?: PeakRise;
  /** Replica moves started and finished during the timed part (`stream_r3_rebalancing`). */
  readonly moves?: { readonly started: number; readonly completed: number };
}

/** `rows` in `seconds`, with rows per second rounded to a whole number. */
export function figures(rows: number, seconds: number): CaseFigures {
  return { rows, seconds: Math.round(seconds * 1000) / 1000, rowsPerSec: Math.round(rows / seconds) };
}
