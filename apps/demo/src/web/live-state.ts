/**
 * What the web view shows, aggregated from the run's events on the server side: one chart point per progress
 * snapshot (rows/s in total and per node, retries and reroutes so far), and the latest of everything else
 * (items in flight per node, where each partition's replicas and primary are, faults as bands on the
 * scenario's time axis, the ticker, the verification steps, each scenario's verdict). A page gets the points
 * it has not seen and the latest state, a few times a second: never one message per row or per event, so a
 * run of millions of events costs the page what a short one does.
 *
 * It serves nothing (live-server.ts does) and changes nothing in the run.
 */
import type { EngineEvent, VerifyStep } from '../run/engine-events.js';
import type { FaultBand, ProgressSnapshot } from '../run/progress-snapshot.js';
import type { PartitionPlace, TickerEntry } from '../run/run-meter.js';

/** The most chart points kept per scenario (the oldest are dropped first): 10 minutes at 6 per second. */
export const MAX_POINTS = 3600;

/** Rates are measured over a window at least this long (of the scenario's clock), so they do not jitter. */
const RATE_WINDOW_MS = 1000;

/** One chart point: the scenario's time (s) and the rates and counts at that time. */
export interface LivePoint {
  readonly t: number;
  readonly rowsPerSec: number;
  /** Rows per second of each node, by name. */
  readonly nodeRowsPerSec: Readonly<Record<string, number>>;
  /** Items taken and not yet acknowledged, by node. */
  readonly inFlight: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly reroutes: number;
}

/** One scenario's verdict, once it ended. */
export interface LiveVerdict {
  readonly scenario: string;
  readonly verdict: string;
  readonly events: number;
  readonly rowsPerSec: number;
}

/** What a page gets a few times a second. */
export interface LiveFrame {
  readonly scenario: string | null;
  readonly phase: 'waiting' | 'streaming' | 'verifying' | 'ended';
  /** The scenario's number (from 1): a page starts its charts again when it changes. */
  readonly run: number;
  /** Index of the first point in `points` within the scenario's series. */
  readonly from: number;
  readonly points: readonly LivePoint[];
  readonly nodes: readonly string[];
  readonly elapsedMs: number;
  readonly target: number;
  readonly produced: number;
  readonly acked: number;
  readonly batches: number;
  /** Items taken and not yet acknowledged, per node (same order as `nodes`). */
  readonly inFlight: readonly number[];
  readonly partitions: readonly PartitionPlace[];
  readonly faults: readonly FaultBand[];
  readonly networkCounts: readonly (readonly [string, number])[];
  readonly counters: readonly (readonly [string, number])[];
  readonly ticker: readonly TickerEntry[];
  readonly steps: readonly VerifyStep[];
  readonly verdicts: readonly LiveVerdict[];
}

export class LiveState {
  #run = 0;
  #scenario: string | null = null;
  #phase: LiveFrame['phase'] = 'waiting';
  #nodes: string[] = [];
  #points: LivePoint[] = [];
  /** Points dropped from the front of the series (so a page's position stays valid). */
  #dropped = 0;
  #latest: ProgressSnapshot | undefined;
  #rateBase: ProgressSnapshot | undefined;
  #steps: readonly VerifyStep[] = [];
  readonly #verdicts: LiveVerdict[] = [];

  /** Takes in one event of the run. */
  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'scenario':
        this.#run++;
        this.#scenario = event.scenario;
        this.#phase = 'streaming';
        this.#points = [];
        this.#dropped = 0;
        this.#nodes = [];
        this.#latest = undefined;
        this.#rateBase = undefined;
        this.#steps = [];
        break;
      case 'progress':
        this.#progress(event.snapshot);
        break;
      case 'streamed':
        this.#phase = 'verifying';
        break;
      case 'verify':
        this.#steps = event.steps;
        break;
      case 'summary':
        this.#phase = 'ended';
        this.#verdicts.push({
          scenario: event.summary.scenario,
          verdict: event.summary.verdict,
          events: event.summary.events,
          rowsPerSec: event.summary.rowsPerSec,
        });
        break;
    }
  }

  /** The scenario's number and how many points its series has had (a page's position after this frame). */
  get position(): { readonly run: number; readonly next: number } {
    return { run: this.#run, next: this.#dropped + this.#points.length };
  }

  /**
   * The frame for a page that has seen the points before `next` of scenario `run` (a new page: `run` 0): the
   * points it has not seen (all of the scenario's, when it saw another scenario), and the latest state.
   */
  frame(run: number, next: number): LiveFrame {
    const from = run === this.#run ? Math.max(next, this.#dropped) : this.#dropped;
    const s = this.#latest;
    const inFlight = new Map(s?.inFlight ?? []);
    return {
      scenario: this.#scenario,
      phase: this.#phase,
      run: this.#run,
      from,
      points: this.#points.slice(from - this.#dropped),
      nodes: this.#nodes,
      elapsedMs: s?.elapsedMs ?? 0,
      target: s?.target ?? 0,
      produced: s?.produced ?? 0,
      acked: s?.acked ?? 0,
      batches: s?.batches ?? 0,
      inFlight: this.#nodes.map((node) => inFlight.get(node) ?? 0),
      partitions: s?.partitions ?? [],
      faults: s?.faults ?? [],
      networkCounts: s?.networkCounts ?? [],
      counters: [...(s?.extra ?? []), ['retries', s?.retries ?? 0], ['reroutes', s?.reroutes ?? 0]],
      ticker: s?.ticker ?? [],
      steps: this.#steps,
      verdicts: this.#verdicts,
    };
  }

  #progress(snapshot: ProgressSnapshot): void {
    if (snapshot.scenario !== this.#scenario) return;
    for (const [node] of [...snapshot.ackedByNode, ...snapshot.inFlight]) {
      if (node !== '?' && !this.#nodes.includes(node)) this.#nodes.push(node);
    }
    this.#nodes.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const base = this.#rateBase;
    this.#latest = snapshot;
    if (base === undefined) {
      this.#rateBase = snapshot;
      return;
    }
    const windowMs = snapshot.elapsedMs - base.elapsedMs;
    if (windowMs <= 0) return;
    const before = new Map(base.ackedByNode);
    const now = new Map(snapshot.ackedByNode);
    const rate = (rows: number) => Math.max(0, Math.round((rows / windowMs) * 1000));
    this.#points.push({
      t: snapshot.elapsedMs / 1000,
      rowsPerSec: rate(snapshot.acked - base.acked),
      nodeRowsPerSec: Object.fromEntries(
        this.#nodes.map((node) => [node, rate((now.get(node) ?? 0) - (before.get(node) ?? 0))]),
      ),
      inFlight: Object.fromEntries(snapshot.inFlight.filter(([node]) => node !== '?')),
      retries: snapshot.retries,
      reroutes: snapshot.reroutes,
    });
    if (this.#points.length > MAX_POINTS) {
      this.#points.shift();
      this.#dropped++;
    }
    if (windowMs >= RATE_WINDOW_MS) this.#rateBase = snapshot;
  }
}
