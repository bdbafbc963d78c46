/**
 * @datastreamer/sim-cluster: a whole datastreamer cluster in one process. Nodes on a simulated network, clients
 * connected to them, virtual (or real) time that advances by itself, one seed for every random choice,
 * injectable faults and topology changes, a recorded history and the checkers that judge it.
 */

export type { DataStreamerReceiver, ReceiverContext } from '@datastreamer/server-node';
export {
  type AtLeastOnceResult,
  atLeastOnce,
  type LostItem,
  type UnaccountedItem,
  type UnexpectedApply,
} from './checkers/at-least-once.js';
export { check, type Verdict } from './checkers/check.js';
export {
  type AtLeastOnceOptions,
  type CheckOptions,
  DEFAULT_LIVENESS_BOUND_MS,
  type FinalStateOptions,
  type LivenessOptions,
  type PerKeyOrderOptions,
  type RowFunctions,
} from './checkers/check-options.js';
export { CheckerError } from './checkers/checker-error.js';
export { type CheckerName, CheckerNames, type CheckerResult } from './checkers/checker-result.js';
export {
  type ExpectedState,
  type FinalStateMismatch,
  type FinalStateMismatchKind,
  FinalStateMismatchKinds,
  type FinalStateResult,
  finalState,
} from './checkers/final-state.js';
export { type LivenessResult, type LivenessViolation, liveness } from './checkers/liveness.js';
export { type OrderViolation, type PerKeyOrderResult, perKeyOrder } from './checkers/per-key-order.js';
export {
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_VIRTUAL_TIME_MS,
  SimClock,
  type SimClockOptions,
  type SimClockState,
} from './clock/sim-clock.js';
export { SimClockError, type SimClockErrorKind, SimClockErrorKinds } from './clock/sim-clock-error.js';
export {
  type RecordedStreamSpec,
  recordedStream,
  type StreamRecording,
  type StreamTarget,
} from './cluster/recorded-stream.js';
export { recordingSource, type TakenItemSink } from './cluster/recording-source.js';
export { type ClusterClock, type ConnectOptions, SimCluster } from './cluster/sim-cluster.js';
export type { SimClusterOptions, SimReceiver } from './cluster/sim-cluster-options.js';
export { keyColumnNames, type StreamItemShape, streamItemKey } from './cluster/stream-item-key.js';
export type { PlainRow } from './cluster/table-reader.js';
export { SimClusterError } from './errors/sim-cluster-error.js';
export { canonicalKey } from './history/canonical-key.js';
export { formatEvent } from './history/format-event.js';
export {
  type AckRecord,
  type ApplyRecord,
  type FailRecord,
  History,
  type HistoryOptions,
  type SettledRecord,
  type SubmitRecord,
} from './history/history.js';
export { HistoryError } from './history/history-error.js';
export {
  type AckEvent,
  type ApplyEvent,
  type EventOf,
  type FailEvent,
  type FaultEvent,
  type HistoryEvent,
  type HistoryEventType,
  HistoryEventTypes,
  type HistoryLike,
  type HistoryRow,
  type ItemOp,
  ItemOps,
  type SettledEvent,
  type StreamOutcome,
  StreamOutcomes,
  type SubmitEvent,
  type TopologyEvent,
  type TopologyKind,
  TopologyKinds,
} from './history/history-event.js';
export type { NetworkEvent, NetworkEventKind, NetworkEventListener } from './network/network-event.js';
export type { DelayRange, NetworkFaults, NetworkFaultsInput } from './network/network-faults.js';
export type { NetworkStats } from './network/network-stats.js';
export { SimConnection } from './network/sim-connection.js';
export {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_IN_FLIGHT_BYTES,
  SimNetwork,
  type SimNetworkOptions,
} from './network/sim-network.js';
export { SimNetworkError } from './network/sim-network-error.js';
