/**
 * The simulated disk: a `Disk` in memory whose changes become durable only when a `sync` completes, a
 * simulated fsync latency after it was issued (on the injected `Clock`). `crash()` drops every change not yet
 * durable and forgets the syncs in flight (their callbacks never run); `destroy()` loses everything, and the
 * disk refuses any further use.
 *
 * Model: every change joins a journal in issue order; a sync covers the journal up to where it was issued and
 * completes no earlier than the sync before it, so what is durable is always a prefix of what was issued (no
 * torn or reordered writes). Reads see the live files (every change, durable or not).
 *
 * It does not model partial writes, a full disk, or fsync errors.
 */
import type { Clock, Rng, TimerHandle } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { DiskStats, SimulatedDisk } from './disk.js';
import { FileChunks } from './file-chunks.js';

/** The default simulated fsync latency. */
export const DEFAULT_SYNC_LATENCY_MS = 2;

export interface MemoryDiskOptions {
  readonly clock: Clock;
  /**
   * The simulated fsync latency: a fixed number of milliseconds, or a range drawn per sync from `rng`.
   * Default {@link DEFAULT_SYNC_LATENCY_MS}.
   */
  readonly syncLatencyMs?: number | { readonly min: number; readonly max: number };
  /** Draws the latency when it is a range. Required then. */
  readonly rng?: Rng;
  /** Names the disk in errors. Default `'disk'`. */
  readonly name?: string;
}

type Change =
  | { readonly kind: 'write'; readonly path: string; readonly data: Uint8Array }
  | { readonly kind: 'append'; readonly path: string; readonly parts: readonly Uint8Array[] }
  | { readonly kind: 'truncate'; readonly path: string; readonly length: number }
  | { readonly kind: 'remove'; readonly path: string };

interface PendingSync {
  /** The journal position (changes issued so far) this sync makes durable. */
  readonly upTo: number;
  readonly due: number;
  readonly callbacks: (() => void)[];
  readonly timer: TimerHandle;
}

function applyChange(files: Map<string, FileChunks>, change: Change): void {
  switch (change.kind) {
    case 'write':
      files.set(change.path, FileChunks.of(change.data));
      return;
    case 'append': {
      let file = files.get(change.path);
      if (file === undefined) {
        file = FileChunks.of(new Uint8Array(0));
        files.set(change.path, file);
      }
      for (const part of change.parts) file.append(part);
      return;
    }
    case 'truncate':
      files.get(change.path)?.truncate(change.length);
      return;
    case 'remove':
      files.delete(change.path);
      return;
  }
}

function checkLatency(latency: MemoryDiskOptions['syncLatencyMs'], rng: Rng | undefined): void {
  const bad = (what: string) => new ServerError('INVALID_ARGUMENT', `MemoryDisk syncLatencyMs: ${what}`);
  if (latency === undefined) return;
  if (typeof latency === 'number') {
    if (!Number.isFinite(latency) || latency < 0) throw bad(`expected a finite number >= 0, got ${latency}`);
    return;
  }
  const { min, max } = latency;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) {
    throw bad(`expected integers with 0 <= min <= max, got min=${min}, max=${max}`);
  }
  if (rng === undefined) throw bad('a latency range needs an rng to draw from');
}

export class MemoryDisk implements SimulatedDisk {
  readonly #clock: Clock;
  readonly #latency: number | { readonly min: number; readonly max: number };
  readonly #rng: Rng | undefined;
  readonly #name: string;
  #live = new Map<string, FileChunks>();
  #durable = new Map<string, FileChunks>();
  /** Changes issued and not yet durable, oldest first; `#journalStart` is the position of the first. */
  #journal: Change[] = [];
  #journalStart = 0;
  #pending: PendingSync[] = [];
  #destroyed = false;
  #stats = { writes: 0, bytesWritten: 0, syncs: 0, syncsCompleted: 0 };

  /** @throws ServerError `INVALID_ARGUMENT` for a bad latency, or a latency range without an rng. */
  constructor(options: MemoryDiskOptions) {
    checkLatency(options.syncLatencyMs, options.rng);
    this.#clock = options.clock;
    this.#latency = options.syncLatencyMs ?? DEFAULT_SYNC_LATENCY_MS;
    this.#rng = options.rng;
    this.#name = options.name ?? 'disk';
  }

  get stats(): DiskStats {
    return { ...this.#stats };
  }

  /** Whether `destroy()` was called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Changes issued and not yet durable. */
  get unsyncedChanges(): number {
    return this.#journal.length;
  }

  read(path: string): Uint8Array | undefined {
    this.#checkUsable();
    return this.#live.get(path)?.bytes().slice();
  }

  size(path: string): number {
    this.#checkUsable();
    return this.#live.get(path)?.length ?? 0;
  }

  list(prefix: string): string[] {
    this.#checkUsable();
    return [...this.#live.keys()].filter((path) => path.startsWith(prefix)).sort();
  }

  /** The durable content of `path`: what a crash now would leave. For tests and checks. */
  durableContent(path: string): Uint8Array | undefined {
    this.#checkUsable();
    return this.#durable.get(path)?.bytes().slice();
  }

  write(path: string, data: Uint8Array): void {
    this.#issue({ kind: 'write', path, data: data.slice() }, data.length);
  }

  append(path: string, data: Uint8Array): void {
    this.#issue({ kind: 'append', path, parts: [data.slice()] }, data.length);
  }

  appendOwned(path: string, parts: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    this.#issue({ kind: 'append', path, parts: [...parts] }, bytes);
  }

  /** @throws ServerError `INVALID_ARGUMENT` when `length` is negative or beyond the file's end. */
  truncate(path: string, length: number): void {
    this.#checkUsable();
    const size = this.size(path);
    if (!Number.isSafeInteger(length) || length < 0 || length > size) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `${this.#name}: cannot truncate ${path} (${size} bytes) to ${length} bytes`,
      );
    }
    this.#issue({ kind: 'truncate', path, length }, 0);
  }

  remove(path: string): void {
    this.#issue({ kind: 'remove', path }, 0);
  }

  sync(onDurable: () => void): void {
    this.#checkUsable();
    this.#stats.syncs++;
    const issued = this.#journalStart + this.#journal.length;
    const last = this.#pending.at(-1);
    if (last !== undefined && last.upTo === issued) {
      // Nothing new since the last sync in flight: it covers this one too.
      last.callbacks.push(onDurable);
      return;
    }
    if (last === undefined && this.#journal.length === 0) {
      this.#stats.syncsCompleted++;
      onDurable();
      return;
    }
    const now = this.#clock.now();
    const due = Math.max(now + this.#drawLatency(), last?.due ?? now);
    const timer = this.#clock.setTimer(due - now, () => this.#complete());
    this.#pending.push({ upTo: issued, due, callbacks: [onDurable], timer });
  }

  /** The process died: every change not yet durable is lost, and syncs in flight never complete. */
  crash(): void {
    this.#checkUsable();
    for (const sync of this.#pending) sync.timer.cancel();
    this.#pending = [];
    this.#journalStart += this.#journal.length;
    this.#journal = [];
    this.#live = new Map([...this.#durable].map(([path, file]) => [path, file.clone()]));
  }

  /** The disk is gone: everything on it is lost, and any further use throws `CLOSED`. */
  destroy(): void {
    if (this.#destroyed) return;
    this.crash();
    this.#live.clear();
    this.#durable.clear();
    this.#destroyed = true;
  }

  #issue(change: Change, bytes: number): void {
    this.#checkUsable();
    this.#stats.writes += change.kind === 'remove' ? 0 : 1;
    this.#stats.bytesWritten += bytes;
    this.#journal.push(change);
    applyChange(this.#live, change);
  }

  #complete(): void {
    const sync = this.#pending.shift();
    if (sync === undefined) return;
    const count = sync.upTo - this.#journalStart;
    // applyChange gives the durable files chunk lists of their own: the live ones keep changing.
    for (const change of this.#journal.splice(0, count)) applyChange(this.#durable, change);
    this.#journalStart = sync.upTo;
    this.#stats.syncsCompleted += sync.callbacks.length;
    for (const callback of sync.callbacks) callback();
  }

  #drawLatency(): number {
    const latency = this.#latency;
    if (typeof latency === 'number') return latency;
    // checkLatency made sure there is an rng when the latency is a range.
    return this.#rng?.int(latency.min, latency.max) ?? latency.min;
  }

  #checkUsable(): void {
    if (this.#destroyed) throw new ServerError('CLOSED', `${this.#name} was destroyed`);
  }
}
