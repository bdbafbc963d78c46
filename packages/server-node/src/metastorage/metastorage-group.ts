/**
 * One metastorage member's replica: a Raft replica of the group `metastorage` (over the cluster's
 * `metastorageNodes`) applying into the versioned key-value store (meta-kv.ts). While it leads it takes
 * proposals (`propose`, answered once the command applied here with the term it was proposed in); whatever
 * its role it answers watches from what it applied (`watch`, committed changes only, held open up to the
 * watcher's wait) and feeds its own node's copy (metastorage-view.ts) as it applies.
 *
 * A proposal waiting when this replica stops leading fails with `NO_QUORUM` marked in doubt (the entry may
 * still commit under the next leader; its id makes a retry safe). The first member campaigns as soon as the
 * group is new, so a new cluster has a metastorage leader within a few round trips.
 *
 * It does not send bytes (the host's `send` does) and does not retry (the node's metastorage client does).
 */
import {
  type Buggify,
  type Clock,
  ErrorExtensionKeys,
  type Logger,
  type Rng,
  type TimerHandle,
} from '@datastreamer/protocol';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import { RaftNode } from '../raft/raft-node.js';
import type { RaftTuning } from '../raft/raft-options.js';
import type { AppliedCommand, RaftRoleChange, RaftSend } from '../raft/raft-types.js';
import type { MetaEvent, MetaTxnResult } from './meta-command.js';
import { MetaKv, type MetaWatchBatch } from './meta-kv.js';
import type { MetastorageView } from './metastorage-view.js';

/** The metastorage group's name (its Raft requests' first field, its storage folder). */
export const METASTORAGE_GROUP = 'metastorage';

export interface MetastorageGroupOptions {
  readonly nodeName: string;
  /** The group's founding voters (the cluster's `metastorageNodes`). */
  readonly members: readonly string[];
  readonly clock: Clock;
  readonly disk: Disk;
  readonly rng: Rng;
  readonly buggify: Buggify;
  readonly log: Logger;
  readonly raft: RaftTuning;
  readonly send: RaftSend;
  /** The node's copy, fed with what this replica applies. */
  readonly view: MetastorageView;
  /** Told of role changes (leader elected, stepped down). */
  readonly onRoleChange?: (change: RaftRoleChange) => void;
}

interface Pending {
  readonly term: number;
  readonly resolve: (result: MetaTxnResult) => void;
  readonly reject: (error: ServerError) => void;
}

interface Watcher {
  readonly prefix: string;
  readonly fromRevision: number;
  readonly resolve: (batch: MetaWatchBatch) => void;
  timer: TimerHandle | undefined;
}

export class MetastorageGroup {
  readonly raft: RaftNode;
  readonly kv: MetaKv;
  readonly #options: MetastorageGroupOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #watchers = new Set<Watcher>();
  #stopped = false;

  constructor(options: MetastorageGroupOptions) {
    this.#options = options;
    this.kv = new MetaKv({
      onApply: (command, result, events) => this.#applied(command, result, events),
      onRestore: () =>
        options.view.apply({ kind: 'reset', revision: this.kv.revision, entries: this.kv.range('') }),
    });
    this.raft = new RaftNode({
      ...options.raft,
      id: options.nodeName,
      group: METASTORAGE_GROUP,
      clock: options.clock,
      rng: options.rng,
      buggify: options.buggify,
      disk: options.disk,
      stateMachine: this.kv,
      send: options.send,
      initialConfig: { voters: [...options.members], learners: [] },
      logger: options.log,
      onRoleChange: (change) => {
        if (change.role !== 'leader')
          this.#abandon('NO_QUORUM', `${options.nodeName} stopped leading the metastorage`);
        options.onRoleChange?.(change);
      },
    });
    if (this.raft.term === 0 && this.raft.lastIndex === 0 && options.members[0] === options.nodeName) {
      this.raft.campaign();
    }
  }

  /**
   * Appends a command (its bytes, meta-command.ts) and resolves with its result once it applied here.
   * @throws ServerError `NOT_PRIMARY` (retryable, the leader it knows in the `leader` extension) on a member
   *   that does not lead; (rejects) `NO_QUORUM` in doubt when it stops leading first.
   */
  propose(command: Uint8Array): Promise<MetaTxnResult> {
    if (this.#stopped) throw new ServerError('NODE_UNAVAILABLE', `${this.#options.nodeName} stopped`);
    const { index, term } = this.raft.propose(command);
    return new Promise((resolve, reject) => this.#pending.set(index, { term, resolve, reject }));
  }

  /**
   * What a watcher at `fromRevision` has not seen under `prefix`: at once when there is something (or it is too
   * far behind, a reset), else once a change applies here or `waitMs` passed (then with no events).
   */
  watch(prefix: string, fromRevision: number, waitMs: number): Promise<MetaWatchBatch> {
    const batch = this.kv.since(prefix, fromRevision);
    if (batch.kind === 'reset' || batch.events.length > 0 || batch.revision > fromRevision || waitMs === 0) {
      return Promise.resolve(batch);
    }
    return new Promise((resolve) => {
      const watcher: Watcher = { prefix, fromRevision, resolve, timer: undefined };
      watcher.timer = this.#options.clock.setTimer(waitMs, () => this.#answer(watcher));
      this.#watchers.add(watcher);
    });
  }

  /** Stops for good (the node crashed): nothing handled or sent, waiting proposals fail, watches end empty. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.raft.stop();
    this.#abandon('NODE_UNAVAILABLE', `${this.#options.nodeName} stopped`);
    for (const watcher of [...this.#watchers]) this.#answer(watcher);
  }

  #applied(command: AppliedCommand, result: MetaTxnResult, events: readonly MetaEvent[]): void {
    if (events.length > 0) this.#options.view.apply({ kind: 'events', revision: result.revision, events });
    const pending = this.#pending.get(command.index);
    if (pending !== undefined) {
      this.#pending.delete(command.index);
      if (pending.term === command.term) pending.resolve(result);
      else {
        pending.reject(
          new ServerError(
            'NO_QUORUM',
            'the metastorage command lost its place with its leader; it did not apply',
          ),
        );
      }
    }
    if (events.length > 0) for (const watcher of [...this.#watchers]) this.#answer(watcher);
  }

  #answer(watcher: Watcher): void {
    if (!this.#watchers.delete(watcher)) return;
    watcher.timer?.cancel();
    watcher.resolve(this.kv.since(watcher.prefix, watcher.fromRevision));
  }

  #abandon(code: 'NO_QUORUM' | 'NODE_UNAVAILABLE', reason: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      entry.reject(
        new ServerError(code, `${reason}; the metastorage command may or may not have applied`, {
          extensions: { [ErrorExtensionKeys.inDoubt]: true },
        }),
      );
    }
  }
}
