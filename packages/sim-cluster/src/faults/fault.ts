/**
 * The faults a schedule can inject, as plain JSON-safe data: one discriminated union covering every fault of
 * SIMULATION.md (network settings, clogs, cuts and heal, disconnects, crash and restart, destroy, pause,
 * partition moves, node join and leave, cutting off the metastorage's leader or majority), and the plan that
 * places them in virtual time.
 *
 * Plain data on purpose: a plan can be dumped to JSON, read back, generated and shrunk by fast-check. It does
 * not check or apply anything (`validate-plan.ts` and `apply-fault.ts` do).
 */
import type { DelayRange } from '../network/network-faults.js';

/** The kinds of fault, as a table; {@link FaultKind} is the union of its values. */
export const FaultKinds = {
  /** `network.setFaults`: drop / duplicate / reset probabilities, delay range, reorder, for all links or one. */
  setFaults: 'setFaults',
  /** `network.clog`: hold every unit to and from an endpoint, or on a link, for `ms`. */
  clog: 'clog',
  /** `network.partition` (or `partitionOneWay` with `oneWay: true`): cut two groups apart until heal. */
  partition: 'partition',
  /** `network.isolate`: cut one endpoint from every other until heal. */
  isolate: 'isolate',
  /** `network.heal`: lift cuts and clogs, clear fault settings. Crashed nodes stay crashed. */
  heal: 'heal',
  /** `network.disconnect`: reset every connection between two endpoints, requests in flight lost. */
  disconnect: 'disconnect',
  /** `cluster.crashNode`: in-flight work and unsynced disk writes lost, committed data kept. */
  crash: 'crash',
  /** `cluster.destroyNode`: the node and its disk are lost for good (it never restarts). */
  destroy: 'destroy',
  /** `cluster.restartNode`. */
  restart: 'restart',
  /** `cluster.pauseNode`: the node's traffic stops for `ms`. */
  pause: 'pause',
  /** `cluster.movePartition`: one partition of a table to another node. */
  movePartition: 'movePartition',
  /** `cluster.addNode`: a new node joins and partitions rebalance to it. */
  join: 'join',
  /** `cluster.removeNode`: a node leaves gracefully (its partitions move first). */
  leave: 'leave',
  /**
   * The metastorage group's leader (found when the step runs) is cut off from every other node until heal;
   * clients still reach it. The other members elect a new leader; the old one keeps a stale copy.
   */
  isolateMetastorageLeader: 'isolateMetastorageLeader',
  /**
   * A majority of the metastorage's members (its leader first) are each cut off from every other endpoint
   * until heal: no catalog change commits meanwhile, and every node serves from the copy it has.
   */
  loseMetastorageMajority: 'loseMetastorageMajority',
} as const;

export type FaultKind = (typeof FaultKinds)[keyof typeof FaultKinds];

/** Network fault settings as a plan holds them (the fields of `NetworkFaults`). */
export interface NetworkSettings {
  readonly drop?: number;
  readonly duplicate?: number;
  readonly reset?: number;
  readonly delayMs?: DelayRange;
  readonly reorder?: boolean;
}

export interface SetFaultsFault {
  readonly kind: 'setFaults';
  /** Replaces the settings of the same scope (all links, or the link `between`). */
  readonly faults: NetworkSettings;
  /** The link (either order); absent: every link. */
  readonly between?: readonly [string, string];
}

export interface ClogFault {
  readonly kind: 'clog';
  /** An endpoint name, or a link as a pair of names. */
  readonly target: string | readonly [string, string];
  readonly ms: number;
}

export interface PartitionFault {
  readonly kind: 'partition';
  readonly groupA: readonly string[];
  readonly groupB: readonly string[];
  /** Asymmetric: only units from `groupA` to `groupB` are lost. Default false (symmetric). */
  readonly oneWay?: boolean;
}

export interface IsolateFault {
  readonly kind: 'isolate';
  readonly endpoint: string;
}

export interface HealFault {
  readonly kind: 'heal';
}

export interface DisconnectFault {
  readonly kind: 'disconnect';
  readonly a: string;
  readonly b: string;
}

export interface CrashFault {
  readonly kind: 'crash';
  readonly node: string;
}

export interface DestroyFault {
  readonly kind: 'destroy';
  readonly node: string;
}

export interface RestartFault {
  readonly kind: 'restart';
  readonly node: string;
}

export interface PauseFault {
  readonly kind: 'pause';
  readonly node: string;
  readonly ms: number;
}

export interface MovePartitionFault {
  readonly kind: 'movePartition';
  readonly table: string;
  readonly partition: number;
  readonly to: string;
}

export interface JoinFault {
  readonly kind: 'join';
}

export interface LeaveFault {
  readonly kind: 'leave';
  readonly node: string;
}

export interface IsolateMetastorageLeaderFault {
  readonly kind: 'isolateMetastorageLeader';
}

export interface LoseMetastorageMajorityFault {
  readonly kind: 'loseMetastorageMajority';
}

/** One fault. */
export type Fault =
  | SetFaultsFault
  | ClogFault
  | PartitionFault
  | IsolateFault
  | HealFault
  | DisconnectFault
  | CrashFault
  | DestroyFault
  | RestartFault
  | PauseFault
  | MovePartitionFault
  | JoinFault
  | LeaveFault
  | IsolateMetastorageLeaderFault
  | LoseMetastorageMajorityFault;

/** The fault of one kind. */
export type FaultOf<K extends FaultKind> = Extract<Fault, { readonly kind: K }>;

/** One step of a plan: `fault` is applied `atMs` virtual milliseconds after the plan starts. */
export interface FaultStep {
  readonly atMs: number;
  readonly fault: Fault;
}

/** A fault plan: steps applied in `atMs` order (steps with equal times in the order given). */
export type FaultPlan = readonly FaultStep[];
