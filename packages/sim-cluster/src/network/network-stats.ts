/**
 * The simulated network's counters. "Units" are data units: one per `send` (duplicates add one each);
 * connection set-up and close are not counted as units.
 *
 * Every unit ends in exactly one of delivered, dropped or discarded, or is still in flight, so
 * `unitsSent + unitsDuplicated === unitsDelivered + unitsDropped + unitsDiscarded + unitsInFlight` at all
 * times (a test holds the network to it).
 */

/** A snapshot of the counters. */
export interface NetworkStats {
  /** Data units accepted by `send` on an open connection. */
  readonly unitsSent: number;
  readonly bytesSent: number;
  /** Data units handed to the receiving side (or held for it until it sets a listener). */
  readonly unitsDelivered: number;
  readonly bytesDelivered: number;
  /** Data units lost by the `drop` fault or a one-way cut. */
  readonly unitsDropped: number;
  /** Extra copies made by the `duplicate` fault. */
  readonly unitsDuplicated: number;
  /** Data units lost because their connection was reset or closed while they were in flight. */
  readonly unitsDiscarded: number;
  /** Data units in flight now. */
  readonly unitsInFlight: number;
  /** Connections accepted by a listening endpoint. */
  readonly connectionsOpened: number;
  /** Connection attempts that failed with `NODE_UNAVAILABLE` (refused or reset while being set up). */
  readonly connectionsRefused: number;
  /** Connections reset (by a cut, `disconnect`, `down`, the `reset` fault or an overflow). */
  readonly connectionsReset: number;
  /** Connections not yet closed on both sides, including those being set up. */
  readonly connectionsOpen: number;
}

/** The mutable counters behind `NetworkStats` (the in-flight and open counts are computed on demand). */
export class NetworkCounters {
  unitsSent = 0;
  bytesSent = 0;
  unitsDelivered = 0;
  bytesDelivered = 0;
  unitsDropped = 0;
  unitsDuplicated = 0;
  unitsDiscarded = 0;
  connectionsOpened = 0;
  connectionsRefused = 0;
  connectionsReset = 0;

  snapshot(unitsInFlight: number, connectionsOpen: number): NetworkStats {
    return {
      unitsSent: this.unitsSent,
      bytesSent: this.bytesSent,
      unitsDelivered: this.unitsDelivered,
      bytesDelivered: this.bytesDelivered,
      unitsDropped: this.unitsDropped,
      unitsDuplicated: this.unitsDuplicated,
      unitsDiscarded: this.unitsDiscarded,
      unitsInFlight,
      connectionsOpened: this.connectionsOpened,
      connectionsRefused: this.connectionsRefused,
      connectionsReset: this.connectionsReset,
      connectionsOpen,
    };
  }
}
