/**
 * The `--faults` profiles and the driver that injects them while a scenario streams. Steps fire at a share
 * of the events acknowledged (so they land mid-stream whatever the machine's speed), or a while after the
 * step before when the stream stalls because of it (a crashed owner holds its partitions until it restarts).
 * Each applied step goes on the fault ticker; at the end the driver heals the network and restarts crashed
 * nodes, so the stream can finish and the verification sees a healed cluster.
 *
 * Profiles: `none`; `flaky` (message drops, duplicates and delays for the whole run); `chaos` (drops and
 * delays, a node crash and restart, a partition moved mid-stream, a network cut and its heal). On a
 * replicated table (whose partitions do not move) chaos pauses partition 0's primary instead of moving the
 * partition: its lease runs out and another replica takes over. It does not judge anything.
 */
import { applyFault, type Fault, SimClock, type SimCluster } from '@datastreamer/sim-cluster';

/**
 * What the driver reads and writes of the scenario's live numbers (the run's `RunMeter` is one): declared here
 * so faults/ stays below run/, which names the profiles in its options.
 */
export interface FaultMeter {
  /** Events the scenario means to produce (0 when unknown). */
  readonly target: number;
  /** Events acknowledged so far. */
  readonly acked: number;
  /** Milliseconds since the scenario started. */
  elapsedMs(): number;
  /** Puts a line on the fault ticker. */
  note(text: string): void;
}

export const FaultProfileNames = ['none', 'flaky', 'chaos'] as const;
export type FaultProfileName = (typeof FaultProfileNames)[number];

/**
 * One step: applied once `share` of the target is acknowledged and `holdMs` passed since the previous step,
 * or `afterMs` after the previous step whatever the share.
 */
interface Step {
  readonly share: number;
  readonly holdMs?: number;
  readonly afterMs?: number;
  readonly fault: Fault;
  readonly label: string;
  /** Decides the fault when the step fires (e.g. whichever node is a partition's primary then). */
  readonly resolve?: () => Pick<Step, 'fault' | 'label'>;
}

const NETWORK = { drop: 0.01, duplicate: 0.005, delayMs: [0, 15] } as const;
/** How long chaos pauses a primary: longer than a lease, so another replica takes over. */
const PAUSE_MS = 4_000;

function steps(profile: FaultProfileName, cluster: SimCluster, table: string, client: string): Step[] {
  const nodes = cluster.nodes;
  const setFaults: Step = {
    share: 0.05,
    fault: { kind: 'setFaults', faults: NETWORK },
    label: 'network: 1% drops, 0.5% duplicates, 0-15 ms delays',
  };
  if (profile === 'none') return [];
  if (profile === 'flaky' || nodes.length < 2) return [setFaults];
  const victim = nodes[1] ?? 'node-2';
  const last = nodes.at(-1) ?? 'node-3';
  const first = nodes[0] ?? 'node-1';
  const others = nodes.filter((n) => n !== last);
  // Partition 0 moves away from its owner at the start (moving it where it is would change nothing).
  const tableId = cluster.controlPlane.catalog.latest(table)?.tableId;
  const { placement } = cluster.controlPlane;
  const owner = tableId === undefined ? undefined : placement.owner(tableId, 0);
  const moveTo = nodes.find((n) => n !== owner && n !== victim) ?? first;
  const replicated = tableId !== undefined && placement.isReplicated(tableId);
  // A replicated partition stays on its replicas: its primary, whichever it is by then, is paused instead.
  const pausePrimary = (): Pick<Step, 'fault' | 'label'> => {
    const node = (tableId === undefined ? undefined : placement.owner(tableId, 0)) ?? first;
    return {
      fault: { kind: 'pause', node, ms: PAUSE_MS },
      label: `pause ${node} (primary of ${table} partition 0) for ${PAUSE_MS / 1000} s`,
    };
  };
  return [
    setFaults,
    { share: 0.2, fault: { kind: 'crash', node: victim }, label: `crash ${victim}` },
    {
      share: 0.35,
      holdMs: 300,
      afterMs: 1_500,
      fault: { kind: 'restart', node: victim },
      label: `restart ${victim}`,
    },
    replicated
      ? { share: 0.5, ...pausePrimary(), resolve: pausePrimary }
      : {
          share: 0.5,
          fault: { kind: 'movePartition', table, partition: 0, to: moveTo },
          label: `move ${table} partition 0 to ${moveTo}`,
        },
    {
      share: 0.65,
      fault: { kind: 'partition', groupA: [last], groupB: [...others, client] },
      label: `cut ${last} off from ${[...others, client].join(', ')}`,
    },
    { share: 0.75, holdMs: 300, afterMs: 1_000, fault: { kind: 'heal' }, label: 'heal the network' },
  ];
}

/** What the driver did. */
export interface FaultReport {
  readonly profile: FaultProfileName;
  readonly applied: number;
  /** Steps the cluster refused (e.g. a move whose owner was down). */
  readonly refused: number;
  /** Steps whose moment never came: the stream ended first. */
  readonly notReached: number;
  /** Units the network dropped, duplicated or discarded, and connections it reset. */
  readonly dropped: number;
  readonly duplicated: number;
  readonly resets: number;
}

/**
 * Starts injecting `profile` into `cluster` while a scenario streams into `table` through `client`; call
 * `finish()` once the streams ended (or to stop injecting), which heals and restarts, and reports.
 */
export function startFaults(
  profile: FaultProfileName,
  cluster: SimCluster,
  meter: FaultMeter,
  table: string,
  client: string,
): { finish(): Promise<FaultReport> } {
  const plan = steps(profile, cluster, table, client);
  let stopped = false;
  let applied = 0;
  let refused = 0;
  const wake = new AbortController();
  // How often the driver looks at the stream's progress. On virtual time a stream of thousands of events
  // takes a few virtual ms (only waits cost time there), so it looks every virtual ms; on the real clock
  // every 20 ms is often enough and cheap.
  const pollMs = cluster.clock instanceof SimClock ? 1 : 20;
  const run = (async () => {
    let lastAt = meter.elapsedMs();
    for (const step of plan) {
      for (;;) {
        if (stopped) return;
        const share = meter.target > 0 ? meter.acked / meter.target : 0;
        const waited = meter.elapsedMs() - lastAt;
        if (share >= step.share && waited >= (step.holdMs ?? 0)) break;
        if (step.afterMs !== undefined && waited >= step.afterMs) break;
        await cluster.clock.sleep(pollMs, wake.signal).catch(() => undefined);
      }
      const { fault, label } = step.resolve?.() ?? step;
      try {
        await applyFault(cluster, fault);
        applied++;
        meter.note(label);
      } catch (error) {
        refused++;
        meter.note(`refused ${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
      lastAt = meter.elapsedMs();
    }
  })();
  return {
    async finish() {
      stopped = true;
      wake.abort();
      await run;
      const stats = cluster.network.stats;
      if (plan.length > 0) {
        cluster.network.heal();
        for (const name of cluster.nodes) {
          if (!cluster.node(name).isRunning) {
            await cluster.restartNode(name);
            meter.note(`restart ${name} (end of the fault phase)`);
          }
        }
      }
      return {
        profile,
        applied,
        refused,
        notReached: plan.length - applied - refused,
        dropped: stats.unitsDropped + stats.unitsDiscarded,
        duplicated: stats.unitsDuplicated,
        resets: stats.connectionsReset,
      };
    },
  };
}
