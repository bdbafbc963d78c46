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
  type StoredRowsOptions,
} from './checkers/check-options.js';
export { CheckerError } from './checkers/checker-error.js';
export { type CheckerName, CheckerNames, type CheckerResult } from './checkers/checker-result.js';
export {
  type ExactOutcomeKind,
  ExactOutcomeKinds,
  type ExactOutcomesResult,
  type ExactOutcomeViolation,
  exactOutcomes,
} from './checkers/exact-outcomes.js';
export {
  type ExpectedState,
  type FinalStateMismatch,
  type FinalStateMismatchKind,
  FinalStateMismatchKinds,
  type FinalStateResult,
  finalState,
} from './checkers/final-state.js';
export {
  DEFAULT_MAX_STEPS_PER_KEY,
  type LinearizabilityViolation,
  type LinearizableOptions,
  type LinearizableResult,
  linearizable,
  type RegisterOperation,
  type RegisterOperationKind,
  RegisterOperationKinds,
  registerOperations,
  type UndecidedKey,
} from './checkers/linearizable.js';
export { type LivenessResult, type LivenessViolation, liveness } from './checkers/liveness.js';
export { type OrderViolation, type PerKeyOrderResult, perKeyOrder } from './checkers/per-key-order.js';
export { judgeReplicaSets, type ReplicaSetsResult, type ShrunkGroup } from './checkers/replica-sets.js';
export { DEFAULT_MAX_REPORT_FINDINGS, reportJudgement } from './checkers/report-judgement.js';
export {
  judgeStoredRows,
  type StoredRowsResult,
  type StoredSchemas,
  type StoredVersion,
  type UndecodableRow,
} from './checkers/stored-rows.js';
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
export { REPLICA_MOVE_WAIT_MS, type ReplicaMoveReport } from './cluster/replica-moves.js';
export {
  type ClusterClock,
  type ConnectOptions,
  type ReplicaMoveOptions,
  SimCluster,
} from './cluster/sim-cluster.js';
export {
  type HistoryMode,
  HistoryModes,
  type SimAuthOptions,
  type SimClusterOptions,
  type SimReceiver,
  type SimReplicationOptions,
  type TypedReceiver,
} from './cluster/sim-cluster-options.js';
export { keyColumnNames, type StreamItemShape, streamItemKey } from './cluster/stream-item-key.js';
export type { PlainRow } from './cluster/table-reader.js';
export { SimClusterError } from './errors/sim-cluster-error.js';
export { applyFault } from './faults/apply-fault.js';
// Fault schedules and the swarm
export {
  type Fault,
  type FaultKind,
  FaultKinds,
  type FaultOf,
  type FaultPlan,
  type FaultStep,
  type NetworkSettings,
} from './faults/fault.js';
export { FaultPlanError } from './faults/fault-plan-error.js';
export { planFromJson, planToJson } from './faults/fault-plan-json.js';
export {
  type HealReport,
  healCluster,
  type RunScheduleOptions,
  runSchedule,
  type ScheduleReport,
  type StepOutcome,
} from './faults/run-schedule.js';
export {
  DEFAULT_SWARM_DURATION_MS,
  DEFAULT_SWARM_KINDS,
  drawSwarmProfile,
  planSwarm,
  runSwarm,
  type SwarmFaultKind,
  SwarmFaultKinds,
  type SwarmOptions,
  type SwarmPlan,
  type SwarmProfile,
  type SwarmRun,
  type SwarmTargets,
  swarmPlan,
} from './faults/swarm.js';
export { type ValidatePlanOptions, validatePlan } from './faults/validate-plan.js';
export { canonicalKey } from './history/canonical-key.js';
export { type FaultInstant, type FaultSpan, FaultSpans } from './history/fault-spans.js';
export { formatEvent } from './history/format-event.js';
export {
  type AckRecord,
  type ApplyRecord,
  type CompleteRecord,
  type FailRecord,
  History,
  type HistoryOptions,
  type InvokeRecord,
  type SettledRecord,
  type SubmitRecord,
} from './history/history.js';
export { HistoryError } from './history/history-error.js';
export {
  type AckEvent,
  type ApplyEvent,
  type ApplyOrigin,
  type CompleteEvent,
  type EventOf,
  type FailEvent,
  type FaultEvent,
  type HistoryEvent,
  type HistoryEventType,
  HistoryEventTypes,
  type HistoryLike,
  type HistoryRow,
  type InvokeEvent,
  type OperationOutcome,
  OperationOutcomes,
  type RegisterKind,
  RegisterKinds,
  type SettledEvent,
  type StreamOutcome,
  StreamOutcomes,
  type SubmitEvent,
  type TopologyEvent,
  type TopologyKind,
  TopologyKinds,
} from './history/history-event.js';
export { DEFAULT_MAX_TIMELINE_EVENTS, type HistoryReportOptions } from './history/history-report.js';
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
export {
  describeFailure,
  dumpScenario,
  FAILURES_DIR_VARIABLE,
  replayCommand,
} from './replay/dump-scenario.js';
export {
  JsonLineLogger,
  type JsonLineLoggerOptions,
  type LogLevelName,
  LogLevels,
} from './replay/json-line-logger.js';
export {
  type RunScenarioOptions,
  runScenario,
  type ScenarioResult,
  type StreamResult,
} from './replay/run-scenario.js';
// Scenarios and replay
export {
  SCENARIO_VERSION,
  type Scenario,
  type ScenarioItem,
  type ScenarioStream,
  type ScenarioStreamOptions,
  type ScenarioSwarm,
  type ScenarioWorkload,
  validateScenario,
} from './replay/scenario.js';
export { ScenarioError } from './replay/scenario-error.js';
export { scenarioFromJson, scenarioToJson } from './replay/scenario-json.js';
export {
  type GenerateWorkloadOptions,
  generateWorkload,
  SCENARIO_TABLE,
  type ScenarioRow,
  type ScenarioStreamItem,
  scenarioSeq,
  scenarioTable,
  streamItems,
} from './replay/scenario-workload.js';
export { escapeHtml, type HtmlPageParts, htmlPage } from './report/html-page.js';
export type {
  ReportCheck,
  ReportEvent,
  ReportFinding,
  ReportJudgement,
} from './report/report-document.js';
// Workloads
export {
  ALBUM_LISTENERS,
  ALBUM_RELEASE_EPOCH_MS,
  ALBUM_TRACKS,
  type AlbumReleaseEvent,
  albumReleaseEvents,
} from './workloads/album-release.js';
export {
  REGISTER_TABLE,
  RegisterWorkload,
  type RegisterWorkloadOptions,
  type RegisterWorkloadResult,
  runRegisterWorkload,
} from './workloads/register-workload.js';
export { drawRank, zipfTable } from './workloads/zipf.js';
