/**
 * Faults and topology changes as spans of time, for pictures of a run: a crashed node from its crash to its
 * restart, a network cut until the network heals, a clog or a pause for as long as it holds, link settings
 * (drops, delays) until they are replaced or healed; and the changes that take no time (a partition moved, an
 * election, a lease, a join) as instants. Per-message network events (a drop, a duplicate, a reset, a refused
 * connection) are counted, not listed: a run may have thousands.
 *
 * It takes events one at a time, so a live view can feed it as a run goes (`add`), and a report can feed it a
 * whole history. It judges nothing and keeps no event.
 */
import type { FaultEvent, HistoryEvent, TopologyEvent } from './history-event.js';

/** A fault or change that lasts: `toMs` undefined while it still holds. */
export interface FaultSpan {
  /** `fault` (the network's or a scheduled one) or `topology`. */
  readonly source: 'fault' | 'topology';
  readonly kind: string;
  /** One line for a person: the kind and what it hit (`crash node-2`, `partition node-1 | node-2,node-3`). */
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number | undefined;
  /** The event that started it (its `n`). */
  readonly n: number;
}

/** A change that takes no time. */
export interface FaultInstant {
  readonly source: 'fault' | 'topology';
  readonly kind: string;
  readonly label: string;
  readonly atMs: number;
  readonly n: number;
}

/** Per-message network events: counted, with the time of the last. */
const COUNTED_KINDS = new Set(['drop', 'duplicate', 'reset', 'refuse']);

/** Network faults that hold until the network heals. */
const UNTIL_HEAL = new Set(['partition', 'isolate']);

/** The detail fields of fault and topology events this module reads (each may be absent). */
interface Details {
  readonly between?: unknown;
  readonly faults?: unknown;
  readonly endpoint?: unknown;
  readonly untilMs?: unknown;
  readonly node?: unknown;
  readonly ms?: unknown;
  readonly groupA?: unknown;
  readonly groupB?: unknown;
  readonly oneWay?: unknown;
}

interface OpenSpan {
  readonly source: 'fault' | 'topology';
  readonly kind: string;
  readonly label: string;
  readonly fromMs: number;
  readonly n: number;
}

/** Spans and instants of the fault and topology events it is given, in the order given. */
export class FaultSpans {
  readonly #closed: FaultSpan[] = [];
  /** Open spans by what ends them: `node:<name>` (restart/up), `heal`, `faults:<link>`. */
  readonly #open = new Map<string, OpenSpan[]>();
  /** Spans with a known end (clog, pause), kept open until a later event passes their end. */
  readonly #timed: FaultSpan[] = [];
  readonly #instants: FaultInstant[] = [];
  readonly #counts = new Map<string, number>();

  /** Spans and instants of every fault and topology event of `events`. */
  static of(events: Iterable<HistoryEvent>): FaultSpans {
    const spans = new FaultSpans();
    for (const event of events) spans.add(event);
    return spans;
  }

  /** Takes one event; events other than `fault` and `topology` are ignored. */
  add(event: HistoryEvent): void {
    if (event.type === 'fault') this.#fault(event);
    else if (event.type === 'topology') this.#topology(event);
  }

  /** Every span, those still open with `toMs` undefined, in the order they started. */
  spans(): FaultSpan[] {
    const open: FaultSpan[] = [];
    for (const list of this.#open.values()) for (const s of list) open.push({ ...s, toMs: undefined });
    return [...this.#closed, ...this.#timed, ...open].sort((a, b) => a.n - b.n);
  }

  /** Every instant, in order. */
  instants(): readonly FaultInstant[] {
    return this.#instants;
  }

  /** How many per-message network events of each kind (`drop`, `duplicate`, `reset`, `refuse`) it saw. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  #fault(event: FaultEvent): void {
    const { kind } = event;
    const details: Details = event.details;
    if (COUNTED_KINDS.has(kind)) {
      this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
      return;
    }
    const label = `${kind} ${describe(details)}`.trim();
    if (kind === 'heal') {
      this.#close('heal', event.atMs);
      for (const key of [...this.#open.keys()]) if (key.startsWith('faults:')) this.#close(key, event.atMs);
      this.#instant('fault', event, 'heal (network)');
    } else if (kind === 'faults') {
      const link = Array.isArray(details.between) ? details.between.join('-') : '*';
      this.#close(`faults:${link}`, event.atMs);
      // Settings of nothing at all end the previous ones and start nothing.
      if (describe(details.faults) !== '') this.#openSpan(`faults:${link}`, 'fault', event, label);
    } else if (UNTIL_HEAL.has(kind)) {
      this.#openSpan('heal', 'fault', event, label);
    } else if (kind === 'down') {
      this.#openSpan(`node:${String(details.endpoint)}`, 'fault', event, label);
    } else if (kind === 'up') {
      this.#close(`node:${String(details.endpoint)}`, event.atMs);
    } else if (kind === 'clog' && typeof details.untilMs === 'number') {
      this.#timed.push({
        source: 'fault',
        kind,
        label,
        fromMs: event.atMs,
        toMs: details.untilMs,
        n: event.n,
      });
    } else {
      this.#instant('fault', event, label);
    }
  }

  #topology(event: TopologyEvent): void {
    const { kind } = event;
    const details: Details = event.details;
    const node = String(details.node ?? '');
    const label = `${kind} ${describe(details)}`.trim();
    switch (kind) {
      case 'crash':
      case 'destroy':
        this.#openSpan(`node:${node}`, 'topology', event, label);
        break;
      case 'restart':
        this.#close(`node:${node}`, event.atMs);
        break;
      case 'pause': {
        const ms = typeof details.ms === 'number' ? details.ms : 0;
        this.#timed.push({
          source: 'topology',
          kind,
          label,
          fromMs: event.atMs,
          toMs: event.atMs + ms,
          n: event.n,
        });
        break;
      }
      default:
        this.#instant('topology', event, label);
    }
  }

  #openSpan(key: string, source: 'fault' | 'topology', event: HistoryEvent, label: string): void {
    const list = this.#open.get(key) ?? [];
    list.push({
      source,
      kind: (event as FaultEvent | TopologyEvent).kind,
      label,
      fromMs: event.atMs,
      n: event.n,
    });
    this.#open.set(key, list);
  }

  #close(key: string, atMs: number): void {
    const list = this.#open.get(key);
    if (list === undefined) return;
    for (const s of list) this.#closed.push({ ...s, toMs: atMs });
    this.#open.delete(key);
  }

  #instant(source: 'fault' | 'topology', event: FaultEvent | TopologyEvent, label: string): void {
    this.#instants.push({ source, kind: event.kind, label, atMs: event.atMs, n: event.n });
  }
}

/** A short description of a fault's details: `node-2`, `drop=0.02 delayMs=1..40`, `node-1 | node-2,node-3`. */
function describe(details: unknown): string {
  if (details === null || typeof details !== 'object') return details === undefined ? '' : String(details);
  const d = details as Details;
  if (Array.isArray(d.groupA) && Array.isArray(d.groupB)) {
    return `${d.groupA.join(',')} ${d.oneWay === true ? '->' : '|'} ${d.groupB.join(',')}`;
  }
  const parts: string[] = [];
  for (const [name, value] of Object.entries(details)) {
    // The end of a timed fault is the span's end, not a detail.
    if (value === undefined || name === 'faults' || name === 'untilMs') continue;
    if (name === 'node' || name === 'endpoint' || name === 'target') {
      parts.unshift(Array.isArray(value) ? value.join('-') : String(value));
    } else if (Array.isArray(value)) parts.push(`${name}=${value.join('..')}`);
    else if (typeof value !== 'object') parts.push(`${name}=${String(value)}`);
  }
  if (d.faults !== undefined) parts.push(describe(d.faults));
  return parts.join(' ').trim();
}
