/**
 * The placement driver: who may act as primary of each replicated partition, and until when. It grants a
 * time-bounded lease to one replica (the Raft leader asks for it once it has committed an entry of its term),
 * renews it while the same leader of the same term asks again, and records a new holder as the partition's
 * owner in the placement (so clients follow it through the assignment flag). It never grants a lease to a
 * replica while another replica's lease has not expired on the clock: a new lease starts only after the old
 * one expired. That is what makes reads at the leaseholder safe: no two replicas serve at once, even when the
 * old holder is cut off and cannot tell anyone that it stopped.
 *
 * A holder serves while `now < expiresAtMs - margin`, where the margin bounds the clock offset between the
 * driver and the holder (0 in one process, where every node reads the same clock).
 *
 * It lives in the control plane, shared by the nodes of one process (issue 15 moves it into a replicated
 * metastorage); it does not talk to Raft groups, and it does not decide who leads (Raft elections do).
 */
import type { Clock } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { Placement } from './placement.js';

/** The default lease length, in ms. */
export const DEFAULT_LEASE_MS = 2000;

/** A lease on one partition: `holder`, leader of Raft term `term`, is primary in [startMs, expiresAtMs). */
export interface PartitionLease {
  readonly tableId: number;
  readonly partition: number;
  readonly holder: string;
  readonly term: number;
  readonly startMs: number;
  readonly expiresAtMs: number;
}

/** A lease change the driver reports: a new holder or term (renewals are not reported). */
export interface LeaseEvent {
  readonly kind: 'granted';
  readonly lease: PartitionLease;
  /** The lease it replaced, if any. */
  readonly previous: PartitionLease | undefined;
}

export type LeaseListener = (event: LeaseEvent) => void;

export interface PlacementDriverOptions {
  readonly placement: Placement;
  readonly clock: Clock;
  /** Lease length in ms (> 0). Default {@link DEFAULT_LEASE_MS}. */
  readonly leaseMs?: number;
}

function leaseKey(tableId: number, partition: number): string {
  return `${tableId}/${partition}`;
}

export class PlacementDriver {
  readonly #placement: Placement;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #leases = new Map<string, PartitionLease>();
  readonly #listeners = new Set<LeaseListener>();
  #grants = 0;

  /** @throws ServerError `INVALID_ARGUMENT` for a lease length that is not a positive integer. */
  constructor(options: PlacementDriverOptions) {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
      throw new ServerError('INVALID_ARGUMENT', `leaseMs: expected an integer > 0, got ${String(leaseMs)}`);
    }
    this.#placement = options.placement;
    this.#clock = options.clock;
    this.#leaseMs = leaseMs;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** Leases granted to a new holder or term so far (renewals not counted). */
  get grants(): number {
    return this.#grants;
  }

  /** The latest lease of a partition (expired or not), if one was ever granted. */
  lease(tableId: number, partition: number): PartitionLease | undefined {
    return this.#leases.get(leaseKey(tableId, partition));
  }

  /**
   * `holder`, leader of Raft term `term`, asks to be primary: renewed (a new expiry, `leaseMs` from now)
   * when it holds the lease in that term already; granted when no other replica's lease is still running
   * (a holder re-elected in a newer term gets a new lease at once: its old term stopped serving); else
   * refused (`undefined`).
   * @throws ServerError `INVALID_ARGUMENT` when `holder` is not a replica of the partition.
   */
  acquire(tableId: number, partition: number, holder: string, term: number): PartitionLease | undefined {
    const replicas = this.#placement.replicasOf(tableId, partition);
    if (replicas === undefined || !replicas.includes(holder)) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `${holder} holds no replica of partition ${partition} of table ${tableId}; it cannot be leased`,
      );
    }
    const key = leaseKey(tableId, partition);
    const current = this.#leases.get(key);
    // Whole milliseconds (a lease is recorded in the group's log as longs), rounded down: a lease is never
    // granted before the old one's expiry, and never ends later than `leaseMs` after its grant.
    const now = Math.floor(this.#clock.now());
    if (current !== undefined && current.holder === holder && current.term === term) {
      const renewed = { ...current, expiresAtMs: Math.max(current.expiresAtMs, now + this.#leaseMs) };
      this.#leases.set(key, renewed);
      return renewed;
    }
    if (current !== undefined && current.holder !== holder && now < current.expiresAtMs) return undefined;
    if (current !== undefined && current.holder === holder && current.term > term) return undefined;
    const lease: PartitionLease = {
      tableId,
      partition,
      holder,
      term,
      startMs: now,
      expiresAtMs: now + this.#leaseMs,
    };
    this.#leases.set(key, lease);
    this.#grants++;
    this.#placement.setOwner(tableId, partition, holder);
    this.#emit({ kind: 'granted', lease, previous: current });
    return lease;
  }

  /** Calls `listener` at every grant; returns the function that removes it. */
  subscribe(listener: LeaseListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: LeaseEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
