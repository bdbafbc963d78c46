/**
 * The live numbers of a running scenario, which the progress view reads a few times a second and the summary
 * reads at the end: events produced (taken by the streamer) and acknowledged, batches, retries, reroutes,
 * bytes, every batch's latency, items held per node (taken, not yet acknowledged, counted by the partition
 * they go to and mapped to its current owner), rows acknowledged per node, where each partition's replicas and
 * primary are, the producer's backpressure wait, a ticker of injected faults, and the cluster's fault and
 * topology events as spans of time (read from its history, which records them in every history mode).
 *
 * Plain counters bumped on the path of each item and batch; no timers. It does not print anything.
 */
import type { StreamerBatchInfo } from '@datastreamer/client';
import { FaultSpans, type History } from '@datastreamer/sim-cluster';

/** One line of the fault ticker. */
export interface TickerEntry {
  /** Milliseconds since the scenario started. */
  readonly atMs: number;
  readonly text: string;
}

/** Where a partition lives now: its replicas, its primary (the lease holder, else the owner) and the term. */
export interface PartitionPlace {
  readonly partition: number;
  readonly replicas: readonly string[];
  readonly primary: string | undefined;
  /** The primary's Raft term (0 for a partition that is not replicated). */
  readonly term: number;
}

/** What the meter needs to map items to nodes: the partition count and the owner of a partition now. */
export interface PartitionOwners {
  readonly partitions: number;
  ownerOf(partition: number): string | undefined;
  /** Where a partition lives now, for the web view. */
  placeOf?(partition: number): PartitionPlace;
}

const TICKER_KEEP = 50;

export class RunMeter {
  /** The scenario running, and what it is called on screen. */
  scenario = '';
  /** Events the scenario means to produce (0 when unknown, e.g. a file not read yet). */
  target = 0;
  produced = 0;
  acked = 0;
  batches = 0;
  retries = 0;
  reroutes = 0;
  bytes = 0;
  /** Producer time spent waiting for the streamer to take an item (backpressure), ms. */
  waitMs = 0;
  /** Submits that had to wait. */
  waits = 0;
  /** Scenario-specific counters shown on the live view (malformed lines, invalid events, ...). */
  readonly extra = new Map<string, number>();
  /** The newest ticker lines (the last 50). */
  readonly ticker: TickerEntry[] = [];
  /** Ticker lines noted since `begin`, including those no longer kept. */
  notes = 0;
  /** Rows acknowledged by each node. */
  readonly ackedByNode = new Map<string, number>();
  #faults: { readonly history: History; readonly spans: FaultSpans; cursor: number } | undefined;
  #latencies: number[] = [];
  #pending = new Int32Array(0);
  #owners: PartitionOwners | undefined;
  #startedAt = 0;
  #endedAt: number | undefined;
  #now: () => number;
  /** Called at each `begin`: the view starts showing the scenario. */
  onBegin: (() => void) | undefined;
  /** Called at `end`: the streams ended. */
  onEnd: (() => void) | undefined;

  /** @param now the clock the scenario runs on (the cluster's). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Starts a scenario: resets every counter. */
  begin(scenario: string, target: number): void {
    this.scenario = scenario;
    this.target = target;
    this.produced = 0;
    this.acked = 0;
    this.batches = 0;
    this.retries = 0;
    this.reroutes = 0;
    this.bytes = 0;
    this.waitMs = 0;
    this.waits = 0;
    this.extra.clear();
    this.ackedByNode.clear();
    this.#faults = undefined;
    this.ticker.length = 0;
    this.notes = 0;
    this.#latencies = [];
    this.#pending = new Int32Array(0);
    this.#owners = undefined;
    this.#startedAt = this.#now();
    this.#endedAt = undefined;
    this.onBegin?.();
  }

  /** Where items go, for the per-node counts. */
  trackPartitions(owners: PartitionOwners): void {
    this.#owners = owners;
    this.#pending = new Int32Array(owners.partitions);
  }

  /** Reads the fault and topology events `history` records from here on, as spans (see {@link faultSpans}). */
  watchFaults(history: History): void {
    this.#faults = { history, spans: new FaultSpans(), cursor: history.length };
  }

  /**
   * The faults and topology changes of the watched history so far, as spans. Each call reads only the events
   * recorded since the previous one.
   */
  faultSpans(): FaultSpans | undefined {
    const faults = this.#faults;
    if (faults === undefined) return undefined;
    const events = faults.history.events;
    for (; faults.cursor < events.length; faults.cursor++) {
      const event = events[faults.cursor];
      if (event !== undefined && (event.type === 'fault' || event.type === 'topology'))
        faults.spans.add(event);
    }
    return faults.spans;
  }

  /** Where each partition lives now (empty before `trackPartitions`, or when the owners cannot tell). */
  partitionPlaces(): PartitionPlace[] {
    const owners = this.#owners;
    if (owners?.placeOf === undefined) return [];
    const places: PartitionPlace[] = [];
    for (let p = 0; p < owners.partitions; p++) places.push(owners.placeOf(p));
    return places;
  }

  /**
   * Times the running scenario on `now` from here on (its cluster's clock, virtual or real): the scenario's
   * time starts again at 0, when its cluster started.
   */
  useClock(now: () => number): void {
    this.#now = now;
    this.#startedAt = now();
  }

  /** The time of the clock the meter reads, in ms. */
  now(): number {
    return this.#now();
  }

  /** The clock's time when the scenario's time began (see `useClock`). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Milliseconds since `begin`. */
  elapsedMs(): number {
    return this.#now() - this.#startedAt;
  }

  /**
   * The streams ended: the run's duration stops here (verification is not streaming time). When they ran to
   * the end (`stopped` false), the target becomes what was produced, so the bar ends at 100% even when the
   * scenario produced fewer items than it planned (malformed lines, a REMOVE it skipped).
   */
  end(stopped: boolean): void {
    if (this.#endedAt !== undefined) return;
    this.#endedAt = this.#now();
    if (!stopped) this.target = this.produced;
    this.note(stopped ? 'stopped: streams cancelled' : 'streams done: verifying');
    this.onEnd?.();
  }

  /** Milliseconds from `begin` to `end` (or to now, before `end`). */
  streamMs(): number {
    return (this.#endedAt ?? this.#now()) - this.#startedAt;
  }

  /** The streamer took an item bound for `partition` (-1 when unknown). */
  taken(partition: number): void {
    this.produced++;
    if (partition >= 0 && partition < this.#pending.length)
      this.#pending[partition] = (this.#pending[partition] ?? 0) + 1;
  }

  /** A batch was acknowledged: the `onBatch` of every stream the scenario runs. */
  readonly onBatch = (info: StreamerBatchInfo): void => {
    this.acked += info.items;
    this.batches++;
    this.retries += info.attempt - 1;
    if (info.rerouted) this.reroutes++;
    this.bytes += info.bytes;
    this.ackedByNode.set(info.node, (this.ackedByNode.get(info.node) ?? 0) + info.items);
    this.#latencies.push(info.latencyMs);
    const p = info.partition;
    if (p >= 0 && p < this.#pending.length) this.#pending[p] = (this.#pending[p] ?? 0) - info.items;
  };

  /** Adds `n` to the scenario counter `name`. */
  count(name: string, n = 1): void {
    this.extra.set(name, (this.extra.get(name) ?? 0) + n);
  }

  /** Puts a line on the fault ticker. */
  note(text: string): void {
    this.ticker.push({ atMs: this.elapsedMs(), text });
    this.notes++;
    if (this.ticker.length > TICKER_KEEP) this.ticker.shift();
  }

  /** Items taken and not yet acknowledged, by the node that owns their partition now. */
  inFlightByNode(): Map<string, number> {
    const byNode = new Map<string, number>();
    const owners = this.#owners;
    if (owners === undefined) return byNode;
    for (let p = 0; p < this.#pending.length; p++) {
      const n = this.#pending[p] ?? 0;
      const owner = owners.ownerOf(p) ?? '?';
      byNode.set(owner, (byNode.get(owner) ?? 0) + Math.max(0, n));
    }
    return byNode;
  }

  /** Every acknowledged batch's latency (ms), in acknowledgement order. */
  get latencies(): readonly number[] {
    return this.#latencies;
  }
}
