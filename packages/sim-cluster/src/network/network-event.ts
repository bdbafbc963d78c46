/**
 * What the simulated network reports to `onEvent` listeners: every fault it injects and every change to its
 * cuts, clogs and endpoints, with the virtual time it happened at. Events are plain data (JSON-safe), so the
 * cluster's history can record them as they are.
 *
 * Ordinary deliveries are not events (there would be one per frame); the counters in `NetworkStats` cover
 * them.
 */
import type { NetworkFaults } from './network-faults.js';

/** Why a connection was reset. */
export type ResetReason =
  /** A symmetric `partition` now separates its two endpoints. */
  | 'partition'
  /** One of its endpoints was `isolate`d. */
  | 'isolate'
  /** `disconnect` of its two endpoints. */
  | 'disconnect'
  /** One of its endpoints went `down`. */
  | 'down'
  /** A unit drawn for the `reset` fault arrived. */
  | 'fault'
  /** A send would have put more than `maxInFlightBytes` in flight in one direction. */
  | 'overflow';

/** Why a connection attempt was refused. */
export type RefusalReason =
  /** Nothing listens under the remote name. */
  | 'not-listening'
  /** The remote (or the local) endpoint is down. */
  | 'down'
  /** A partition, isolation or one-way cut lies between the two endpoints. */
  | 'cut';

/** A data unit lost by the `drop` fault (`cause: 'fault'`) or by a one-way cut (`cause: 'cut'`). */
export interface DropEvent {
  readonly kind: 'drop';
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly connectionId: number;
  readonly bytes: number;
  readonly cause: 'fault' | 'cut';
}

/** A data unit that will be delivered twice. */
export interface DuplicateEvent {
  readonly kind: 'duplicate';
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly connectionId: number;
  readonly bytes: number;
}

/** A connection reset: both sides closed with an error, everything in flight lost. */
export interface ResetEvent {
  readonly kind: 'reset';
  readonly atMs: number;
  /** The side that opened the connection. */
  readonly from: string;
  /** The side that accepted it. */
  readonly to: string;
  readonly connectionId: number;
  readonly reason: ResetReason;
}

/** A connection attempt that failed with `NODE_UNAVAILABLE`. */
export interface RefuseEvent {
  readonly kind: 'refuse';
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly connectionId: number;
  readonly reason: RefusalReason;
}

/** `setFaults`: the settings now in force for every link, or for the link `between`. */
export interface FaultsEvent {
  readonly kind: 'faults';
  readonly atMs: number;
  readonly between?: readonly [string, string];
  readonly faults: NetworkFaults;
}

/** `partition` (symmetric) or `partitionOneWay` (`oneWay: true`: only `groupA` -> `groupB` is cut). */
export interface PartitionEvent {
  readonly kind: 'partition';
  readonly atMs: number;
  readonly groupA: readonly string[];
  readonly groupB: readonly string[];
  readonly oneWay: boolean;
}

/** `isolate`, `down` or `up` of one endpoint. */
export interface EndpointEvent {
  readonly kind: 'isolate' | 'down' | 'up';
  readonly atMs: number;
  readonly endpoint: string;
}

/** `disconnect` of two endpoints (each connection it resets also gets a `reset` event). */
export interface DisconnectEvent {
  readonly kind: 'disconnect';
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
}

/** `clog` of an endpoint (`target` a name) or of a link (`target` a pair), until `untilMs`. */
export interface ClogEvent {
  readonly kind: 'clog';
  readonly atMs: number;
  readonly target: string | readonly [string, string];
  readonly untilMs: number;
}

/** `heal`: cuts, clogs and faults cleared. */
export interface HealEvent {
  readonly kind: 'heal';
  readonly atMs: number;
}

/** Everything the network reports. */
export type NetworkEvent =
  | DropEvent
  | DuplicateEvent
  | ResetEvent
  | RefuseEvent
  | FaultsEvent
  | PartitionEvent
  | EndpointEvent
  | DisconnectEvent
  | ClogEvent
  | HealEvent;

/** The names of the event kinds. */
export type NetworkEventKind = NetworkEvent['kind'];

/** Called synchronously, at the moment the event happens. */
export type NetworkEventListener = (event: NetworkEvent) => void;
