/**
 * A node's copy of the metastorage: the keys and values it learned, at the revision it learned them to. It is
 * fed in revision order by whatever watches for it (the node's own metastorage replica as it applies, or a
 * watch over the network to a metastorage member) and applies each change exactly once: a batch that repeats
 * revisions it has (a watch resent after a reconnect, a replica replaying its log after a restart) is applied
 * from the first revision it lacks; a reset (the whole content at a revision) replaces the copy only when it
 * is newer. Listeners hear every applied change once, in revision order.
 *
 * It is the node's to keep across a crash (what the node learned stays learned, like its transaction log):
 * after a restart the node goes on watching from its revision. It does not fetch anything itself.
 */
import type { MetaEvent } from './meta-command.js';
import { entriesUnder, type MetaEntry, type MetaWatchBatch } from './meta-kv.js';

/** Told of each change the copy applies (`value: null`: deleted), in revision order. */
export type MetaViewListener = (event: MetaEvent) => void;

export class MetastorageView {
  readonly #entries = new Map<string, MetaEntry>();
  readonly #listeners = new Set<MetaViewListener>();
  readonly #waiters: { readonly revision: number; readonly resolve: () => void }[] = [];
  #revision = 0;
  #applied = 0;

  /** The revision this copy holds everything up to. */
  get revision(): number {
    return this.#revision;
  }

  /** Changes applied so far (each once). */
  get appliedChanges(): number {
    return this.#applied;
  }

  get(key: string): MetaEntry | undefined {
    return this.#entries.get(key);
  }

  /** The revision of `key`'s last change as this copy knows it (0: absent). */
  modRevision(key: string): number {
    return this.#entries.get(key)?.modRevision ?? 0;
  }

  /** Every entry under `prefix`, in key order. */
  range(prefix: string): MetaEntry[] {
    return entriesUnder(this.#entries.values(), prefix);
  }

  /**
   * Applies what a watch delivered (see the module header).
   * @returns how many changes it applied.
   */
  apply(batch: MetaWatchBatch): number {
    if (batch.kind === 'reset') return this.#reset(batch.revision, batch.entries);
    let applied = 0;
    for (const event of batch.events) {
      if (event.revision <= this.#revision && !this.#pendingAt(event)) continue;
      this.#applyEvent(event);
      applied++;
    }
    // A batch's revision may pass its last event (changes to keys outside the watched prefix).
    this.#advance(Math.max(batch.revision, this.#revision));
    return applied;
  }

  /** Calls `listener` for every change applied from now on; returns the function that stops it. */
  subscribe(listener: MetaViewListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the copy holds `revision` (at once when it does). */
  reached(revision: number): Promise<void> {
    if (this.#revision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ revision, resolve }));
  }

  /**
   * Events of the revision being applied: a revision with several changes arrives as several events, and
   * the copy's revision moves to it with the first. The others of that revision still apply.
   */
  #pendingAt(event: MetaEvent): boolean {
    if (event.revision !== this.#revision) return false;
    const entry = this.#entries.get(event.key);
    return event.value === null ? entry !== undefined : entry?.modRevision !== event.revision;
  }

  #applyEvent(event: MetaEvent): void {
    if (event.value === null) this.#entries.delete(event.key);
    else this.#entries.set(event.key, { key: event.key, value: event.value, modRevision: event.revision });
    this.#revision = event.revision;
    this.#applied++;
    for (const listener of [...this.#listeners]) listener(event);
  }

  #reset(revision: number, entries: readonly MetaEntry[]): number {
    if (revision <= this.#revision) return 0;
    // Tell listeners what changed, as events at each entry's own revision, oldest first.
    const changes: MetaEvent[] = [];
    for (const entry of entries) {
      if (this.#entries.get(entry.key)?.modRevision !== entry.modRevision) {
        changes.push({ revision: entry.modRevision, key: entry.key, value: entry.value });
      }
    }
    const kept = new Set(entries.map((entry) => entry.key));
    for (const key of this.#entries.keys()) {
      if (!kept.has(key)) changes.push({ revision, key, value: null });
    }
    changes.sort((a, b) => a.revision - b.revision);
    for (const change of changes) this.#applyEvent(change);
    this.#advance(revision);
    return changes.length;
  }

  #advance(revision: number): void {
    this.#revision = revision;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i] as { readonly revision: number; readonly resolve: () => void };
      if (waiter.revision > revision) continue;
      this.#waiters.splice(i, 1);
      waiter.resolve();
    }
  }
}
