/**
 * A node's disk as the node's durable components see it: named files that are written, appended, truncated
 * and removed, and a `sync` that makes every change issued so far durable. Reads see every change at once,
 * synced or not (as a page cache does); only a crash tells the two apart, keeping what was synced and nothing
 * else.
 *
 * It does not say where the bytes live (memory-disk.ts keeps them in memory for the simulation), nor give
 * any order between files beyond that: what one `sync` makes durable is everything issued before it.
 *
 * `sync` takes a callback rather than returning a promise so that a simulated step stays synchronous: the
 * callback runs from a clock timer, in issue order, and never after a crash (a process that died never
 * learns that its fsync finished).
 */

/** Counters of what a disk was asked to do, for metrics and the bench. */
export interface DiskStats {
  /** Writes, appends and truncations issued. */
  readonly writes: number;
  /** Bytes written or appended. */
  readonly bytesWritten: number;
  /** Syncs issued (one that found nothing new to make durable counts too). */
  readonly syncs: number;
  /** Syncs that completed. */
  readonly syncsCompleted: number;
}

export interface Disk {
  /** The current content of `path` (synced or not), or `undefined` if there is no such file. */
  read(path: string): Uint8Array | undefined;
  /** The size of `path` in bytes, 0 if there is no such file. */
  size(path: string): number;
  /** The files whose path starts with `prefix`, in sorted order. */
  list(prefix: string): string[];
  /** Replaces the content of `path` with a copy of `data` (creating the file). */
  write(path: string, data: Uint8Array): void;
  /** Appends a copy of `data` to `path` (creating the file). */
  append(path: string, data: Uint8Array): void;
  /**
   * Appends the bytes of `parts`, in order, to `path` as one change (a crash keeps all of them or none),
   * keeping the arrays as they are instead of copying them: the caller must never change them afterwards
   * (a Raft command's bytes, which are immutable, are appended this way without a copy).
   */
  appendOwned(path: string, parts: readonly Uint8Array[]): void;
  /** Cuts `path` to its first `length` bytes. */
  truncate(path: string, length: number): void;
  /** Removes `path`; nothing happens if there is no such file. */
  remove(path: string): void;
  /**
   * Calls `onDurable` once every change issued before this call is durable. Syncs complete in the order they
   * were issued; when nothing is waiting to be made durable, `onDurable` runs at once.
   */
  sync(onDurable: () => void): void;
  readonly stats: DiskStats;
}

/** A disk that can lose what it holds: the simulation's (`MemoryDisk`). */
export interface SimulatedDisk extends Disk {
  /** The process died: every change not yet durable is lost, and syncs in flight never complete. */
  crash(): void;
  /** The disk is gone: everything on it is lost, and it refuses any further use. */
  destroy(): void;
}

/** Whether `disk` can crash and be destroyed (a `SimulatedDisk`). */
export function isSimulatedDisk(disk: Disk): disk is SimulatedDisk {
  const candidate = disk as Partial<SimulatedDisk>;
  return typeof candidate.crash === 'function' && typeof candidate.destroy === 'function';
}
