/**
 * Whether the cluster was reachable from a client over a stretch of a history: what the liveness checker
 * asks of a stream that failed with `NODE_UNAVAILABLE` ("no node could be reached").
 *
 * The history knows the members (the `start` topology event, then joins, leaves and destroys), which nodes
 * are down (crashes, and the network's `down` / `up`), and every network fault (cuts, isolations, clogs,
 * disconnects, resets, refusals, drops, fault settings). From them, at every instant of the stretch, a member
 * is *reachable* from the client when it is up, no cut, clog or fault setting lies on its link to the client,
 * and nothing on that link (a reset, a disconnect, a drop, a refusal) happened since the stretch began. The
 * cluster was reachable when, at every instant, a majority of the members then was.
 *
 * It judges only stretches where nothing else could explain a failure, and says so otherwise (`judged:
 * false` with the reason): no `start` event (the members are unknown); a member down at the start, or one
 * that crashed, was destroyed or paused during it (an unreplicated partition's owner may be gone); a fault on
 * a link between two members (a forwarded request may be what failed). A graceful leave is no fault: its
 * partitions moved first, so from the first network event of the leave (its connections reset, the node
 * down) the node is no longer counted. Links of other clients, and of nodes that are no longer members, do
 * not count.
 */
import type { FaultEvent, HistoryEvent, HistoryLike, TopologyEvent } from '../history/history-event.js';

/** The answer for one stretch of history. */
export type Reachability =
  | { readonly judged: false; readonly reason: string }
  | { readonly judged: true; readonly reachable: true }
  | { readonly judged: true; readonly reachable: false; readonly reason: string };

type Link = readonly [string, string];

interface Cut {
  readonly a: ReadonlySet<string>;
  readonly b: ReadonlySet<string>;
}

/** The network and membership as they stand at one point of the history. */
class ClusterState {
  readonly members = new Set<string>();
  readonly down = new Set<string>();
  cuts: Cut[] = [];
  isolated = new Set<string>();
  clogs: { readonly ends: readonly string[]; readonly untilMs: number }[] = [];
  /** Fault settings in force: `null` for every link, else one pair. */
  settings: (Link | null)[] = [];

  heal(): void {
    this.cuts = [];
    this.isolated = new Set();
    this.clogs = [];
    this.settings = [];
  }

  /** Whether a cut, clog or fault setting lies on the link between `x` and `y` at `atMs`. */
  impaired(x: string, y: string, atMs: number): boolean {
    if (this.isolated.has(x) || this.isolated.has(y)) return true;
    if (this.cuts.some((c) => (c.a.has(x) && c.b.has(y)) || (c.b.has(x) && c.a.has(y)))) return true;
    const onLink = (ends: readonly string[]) =>
      ends.length === 1 ? ends[0] === x || ends[0] === y : ends.includes(x) && ends.includes(y);
    if (this.clogs.some((c) => c.untilMs > atMs && onLink(c.ends))) return true;
    return this.settings.some((link) => link === null || onLink(link));
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The endpoints a momentary network event touched (a reset, a disconnect, a drop, a refusal). */
function touched(event: FaultEvent): Link | undefined {
  switch (event.kind) {
    case 'reset':
    case 'disconnect':
    case 'drop':
    case 'refuse':
    case 'duplicate': {
      const from = text(event.details['from']);
      const to = text(event.details['to']);
      return from === undefined || to === undefined ? undefined : [from, to];
    }
    default:
      return undefined;
  }
}

/** Applies a fault event to `state`. */
function applyFault(state: ClusterState, event: FaultEvent): void {
  const d = event.details;
  switch (event.kind) {
    case 'heal':
      state.heal();
      return;
    case 'partition':
      state.cuts.push({ a: new Set(strings(d['groupA'])), b: new Set(strings(d['groupB'])) });
      return;
    case 'isolate':
      state.isolated.add(text(d['endpoint']) ?? '');
      return;
    case 'clog': {
      const target = d['target'];
      const ends = typeof target === 'string' ? [target] : strings(target);
      state.clogs.push({ ends, untilMs: typeof d['untilMs'] === 'number' ? d['untilMs'] : Infinity });
      return;
    }
    case 'faults': {
      const between = strings(d['between']);
      const link: Link | null = between.length === 2 ? [between[0] as string, between[1] as string] : null;
      // A new setting replaces the one in force on the same scope; an empty one only clears it.
      state.settings = state.settings.filter((s) => (s === null ? link !== null : !sameLink(s, link)));
      const faults = d['faults'];
      if (typeof faults === 'object' && faults !== null && Object.keys(faults).length > 0) {
        state.settings.push(link);
      }
      return;
    }
    case 'down':
      state.down.add(text(d['endpoint']) ?? '');
      return;
    case 'up':
      state.down.delete(text(d['endpoint']) ?? '');
      return;
    default:
      return;
  }
}

function sameLink(a: Link, b: Link | null): boolean {
  return b !== null && ((a[0] === b[0] && a[1] === b[1]) || (a[0] === b[1] && a[1] === b[0]));
}

const NODE_FAULTS: ReadonlySet<string> = new Set(['crash', 'destroy', 'pause']);

/** The reachability of the cluster from clients over stretches of one history. */
export class ClusterReachability {
  /** Topology and fault events, in history order (the rest do not change reachability). */
  readonly #events: readonly (TopologyEvent | FaultEvent)[];
  /** `node@atMs` of every leave, to its history position: the network events of a leave come before it. */
  readonly #leaves: ReadonlyMap<string, number>;
  readonly #started: boolean;

  constructor(history: HistoryLike) {
    this.#events = history.events.filter(
      (e): e is TopologyEvent | FaultEvent => e.type === 'topology' || e.type === 'fault',
    );
    this.#leaves = new Map(
      this.#events
        .filter((e) => e.type === 'topology' && e.kind === 'leave')
        .map((e) => [`${text(e.details['node'])}@${e.atMs}`, e.n]),
    );
    this.#started = this.#events.some((e) => e.type === 'topology' && e.kind === 'start');
  }

  /**
   * Whether a majority of the members was reachable from `client` at every instant from event `from` to
   * event `to` (both included; history positions and times), when that can be judged (see the module header).
   */
  judge(client: string, from: HistoryEvent, to: HistoryEvent): Reachability {
    if (!this.#started) return { judged: false, reason: 'the history has no start event: members unknown' };
    const state = new ClusterState();
    const spoiled = new Set<string>();
    let begun = false;
    for (const event of this.#events) {
      if (event.n > to.n) break;
      if (event.n >= from.n && !begun) {
        begun = true;
        const problem = this.#atStart(state, client, from.atMs);
        if (problem !== undefined) return problem;
      }
      this.#retireLeavers(state, event);
      if (begun) {
        const problem = this.#disturbance(state, client, event, spoiled);
        if (problem !== undefined) return problem;
      }
      this.#apply(state, event);
      if (begun) {
        const problem = this.#judgeAt(state, client, spoiled, event.atMs);
        if (problem !== undefined) return problem;
      }
    }
    // Nothing changed during the stretch: the state before it held throughout.
    if (!begun) return this.#atStart(state, client, from.atMs) ?? { judged: true, reachable: true };
    return { judged: true, reachable: true };
  }

  #atStart(state: ClusterState, client: string, atMs: number): Reachability | undefined {
    return this.#nodeFault(state, atMs) ?? this.#judgeAt(state, client, new Set(), atMs);
  }

  /** A network event of a node's graceful leave: from it on, the node is no longer a member. */
  #retireLeavers(state: ClusterState, event: TopologyEvent | FaultEvent): void {
    if (event.type !== 'fault') return;
    const names = event.kind === 'down' ? [text(event.details['endpoint']) ?? ''] : (touched(event) ?? []);
    for (const name of names) {
      const leaveAt = this.#leaves.get(`${name}@${event.atMs}`);
      if (leaveAt !== undefined && leaveAt > event.n) {
        state.members.delete(name);
        state.down.delete(name);
      }
    }
  }

  #apply(state: ClusterState, event: TopologyEvent | FaultEvent): void {
    if (event.type === 'fault') {
      applyFault(state, event);
      return;
    }
    const node = text(event.details['node']);
    switch (event.kind) {
      case 'start':
        for (const name of strings(event.details['nodes'])) state.members.add(name);
        return;
      case 'join':
        if (node !== undefined) state.members.add(node);
        return;
      case 'leave':
      case 'destroy':
        if (node !== undefined) {
          state.members.delete(node);
          state.down.delete(node);
        }
        return;
      case 'crash':
        if (node !== undefined) state.down.add(node);
        return;
      case 'restart':
        if (node !== undefined) state.down.delete(node);
        return;
      default:
        return;
    }
  }

  /** Why the stretch cannot be judged from its start: a member down, or a fault between members. */
  #nodeFault(state: ClusterState, atMs: number): Reachability | undefined {
    const down = [...state.members].find((m) => state.down.has(m));
    if (down !== undefined) return { judged: false, reason: `${down} was down` };
    const members = [...state.members];
    for (const x of members) {
      for (const y of members) {
        if (x < y && state.impaired(x, y, atMs)) {
          return { judged: false, reason: `the link between ${x} and ${y} was impaired` };
        }
      }
    }
    return undefined;
  }

  /**
   * A change during the stretch that makes it unjudgeable, or that spoils the client's link to a member
   * for the rest of the stretch (recorded in `spoiled`).
   */
  #disturbance(
    state: ClusterState,
    client: string,
    event: TopologyEvent | FaultEvent,
    spoiled: Set<string>,
  ): Reachability | undefined {
    const isMember = (name: string) => state.members.has(name);
    if (event.type === 'topology') {
      const node = text(event.details['node']);
      if (NODE_FAULTS.has(event.kind) && node !== undefined && isMember(node)) {
        return { judged: false, reason: `${node} had a ${event.kind} at ${event.atMs}ms` };
      }
      return undefined;
    }
    if (event.kind === 'down') {
      const node = text(event.details['endpoint']) ?? '';
      return isMember(node) ? { judged: false, reason: `${node} went down at ${event.atMs}ms` } : undefined;
    }
    const link = touched(event);
    if (link !== undefined) {
      const [x, y] = link;
      if (isMember(x) && isMember(y)) {
        return { judged: false, reason: `a ${event.kind} between ${x} and ${y} at ${event.atMs}ms` };
      }
      if (x === client && isMember(y)) spoiled.add(y);
      if (y === client && isMember(x)) spoiled.add(x);
      return undefined;
    }
    // Cuts, clogs and settings: judged by the state they leave (a fault between members ends the judging).
    const after = new ClusterState();
    for (const m of state.members) after.members.add(m);
    applyFault(after, event);
    return this.#nodeFault(after, event.atMs);
  }

  /** Whether a majority of the members is reachable from `client` now. */
  #judgeAt(
    state: ClusterState,
    client: string,
    spoiled: ReadonlySet<string>,
    atMs: number,
  ): Reachability | undefined {
    const members = [...state.members];
    const reachable = members.filter(
      (m) => !state.down.has(m) && !spoiled.has(m) && !state.impaired(client, m, atMs),
    );
    if (reachable.length * 2 > members.length) return undefined;
    return {
      judged: true,
      reachable: false,
      reason: `${client} could reach ${reachable.length} of ${members.length} members at ${atMs}ms (${reachable.join(', ') || 'none'})`,
    };
  }
}
