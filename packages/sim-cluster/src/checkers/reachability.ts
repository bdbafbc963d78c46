/**
 * Whether the cluster was reachable from a client over a stretch of a history: what the liveness checker
 * asks of a stream that failed with `NODE_UNAVAILABLE` ("no node could be reached").
 *
 * The history knows the members (the `start` topology event, then joins, leaves and destroys), and every
 * network fault with the endpoints it touched (cuts, isolations, clogs, fault settings, resets, disconnects,
 * drops, duplicates, refused connections, nodes going down). A member is *reachable* from the client at an
 * instant when it is a member and nothing ever touched its link to the client up to that instant: a link
 * that was ever cut, clogged, reset or lossy may still be waiting to reconnect, and a client that gives up
 * then may only have run out of retries. The cluster was reachable when, at every instant of the stretch, a
 * majority of the members then was.
 *
 * It judges only where nothing else could explain a failure, and says so otherwise (`judged: false` with
 * the reason): no `start` event (the members are unknown); a member that ever crashed, went down, was
 * destroyed or paused (an unreplicated partition's owner may be gone); anything that ever touched a link
 * between two members (a forwarded request may be what failed). A graceful leave is no fault: its
 * partitions moved first, and from the first network event of the leave (its connections reset, the node
 * down) the node is no longer a member. Links of other clients, and of nodes no longer members, do not count.
 */
import type { FaultEvent, HistoryEvent, HistoryLike, TopologyEvent } from '../history/history-event.js';

/** The answer for one stretch of history. */
export type Reachability =
  | { readonly judged: false; readonly reason: string }
  | { readonly judged: true; readonly reachable: true }
  | { readonly judged: true; readonly reachable: false; readonly reason: string };

type Link = readonly [string, string];

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The links a network event touched; `'*'` stands for every endpoint (an endpoint's own clog or isolation
 * touches each of its links, a fault setting without `between` every link). Empty for events on no link.
 */
function linksOf(event: FaultEvent): Link[] {
  const d = event.details;
  switch (event.kind) {
    case 'reset':
    case 'disconnect':
    case 'drop':
    case 'refuse':
    case 'duplicate': {
      const from = text(d['from']);
      const to = text(d['to']);
      return from === undefined || to === undefined ? [] : [[from, to]];
    }
    case 'partition': {
      const b = strings(d['groupB']);
      return strings(d['groupA']).flatMap((x) => b.map((y): Link => [x, y]));
    }
    case 'isolate':
    case 'down':
      return [[text(d['endpoint']) ?? '', '*']];
    case 'clog': {
      const target = d['target'];
      if (typeof target === 'string') return [[target, '*']];
      const pair = strings(target);
      return pair.length === 2 ? [[pair[0] as string, pair[1] as string]] : [];
    }
    case 'faults': {
      const faults = d['faults'];
      if (typeof faults !== 'object' || faults === null || Object.keys(faults).length === 0) return [];
      const pair = strings(d['between']);
      return pair.length === 2 ? [[pair[0] as string, pair[1] as string]] : [['*', '*']];
    }
    default:
      return [];
  }
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
   * event `to` (both included), when that can be judged (see the module header).
   */
  judge(client: string, from: HistoryEvent, to: HistoryEvent): Reachability {
    if (!this.#started) return { judged: false, reason: 'the history has no start event: members unknown' };
    const members = new Set<string>();
    /** Members whose link to the client something touched. */
    const touched = new Set<string>();
    let begun = false;
    for (const event of this.#events) {
      if (event.n > to.n) break;
      if (event.n >= from.n && !begun) {
        begun = true;
        const problem = majority(client, members, touched, from.atMs);
        if (problem !== undefined) return problem;
      }
      if (event.type === 'fault') {
        this.#retireLeavers(members, event);
        const problem = touch(client, members, touched, event);
        if (problem !== undefined) return problem;
      } else {
        const problem = applyTopology(members, event);
        if (problem !== undefined) return problem;
      }
      if (begun) {
        const problem = majority(client, members, touched, event.atMs);
        if (problem !== undefined) return problem;
      }
    }
    // Nothing happened during the stretch: what held before it held throughout.
    if (!begun) return majority(client, members, touched, from.atMs) ?? { judged: true, reachable: true };
    return { judged: true, reachable: true };
  }

  /** A network event of a node's graceful leave: from it on, the node is no longer a member. */
  #retireLeavers(members: Set<string>, event: FaultEvent): void {
    for (const link of linksOf(event)) {
      for (const name of link) {
        const leaveAt = this.#leaves.get(`${name}@${event.atMs}`);
        if (leaveAt !== undefined && leaveAt > event.n) members.delete(name);
      }
    }
  }
}

/** Records what a network event touched; a touch between two members ends the judging. */
function touch(
  client: string,
  members: ReadonlySet<string>,
  touched: Set<string>,
  event: FaultEvent,
): Reachability | undefined {
  const side = (name: string) => (name === '*' ? [...members] : members.has(name) ? [name] : []);
  const isClient = (name: string) => name === '*' || name === client;
  for (const [x, y] of linksOf(event)) {
    const xs = side(x);
    const ys = side(y);
    if (xs.some((a) => ys.some((b) => a !== b))) {
      return { judged: false, reason: `a ${event.kind} touched a link between members at ${event.atMs}ms` };
    }
    if (isClient(x)) for (const m of ys) touched.add(m);
    if (isClient(y)) for (const m of xs) touched.add(m);
  }
  return undefined;
}

/** Follows the members; a crash, destroy or pause of one ends the judging. */
function applyTopology(members: Set<string>, event: TopologyEvent): Reachability | undefined {
  const node = text(event.details['node']);
  if (NODE_FAULTS.has(event.kind) && node !== undefined && members.has(node)) {
    return { judged: false, reason: `${node} had a ${event.kind} at ${event.atMs}ms` };
  }
  if (event.kind === 'start') for (const name of strings(event.details['nodes'])) members.add(name);
  else if (event.kind === 'join' && node !== undefined) members.add(node);
  else if ((event.kind === 'leave' || event.kind === 'destroy') && node !== undefined) members.delete(node);
  return undefined;
}

/** `undefined` when a majority of the members is reachable from `client`, else why not. */
function majority(
  client: string,
  members: ReadonlySet<string>,
  touched: ReadonlySet<string>,
  atMs: number,
): Reachability | undefined {
  const reachable = [...members].filter((m) => !touched.has(m));
  if (reachable.length * 2 > members.size) return undefined;
  return {
    judged: true,
    reachable: false,
    reason: `${client} could reach ${reachable.length} of ${members.size} members at ${atMs}ms (${reachable.join(', ') || 'none'})`,
  };
}
