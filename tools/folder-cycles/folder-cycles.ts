/**
 * Finds the cycles of a folder graph (see folder-graph.ts) and checks them against the list of known ones.
 * An arrow is "in a cycle" when its two folders reach each other (they lie in one strongly connected
 * component); each such arrow not on the known list is reported as the shortest cycle through it, with the
 * import that draws each step, e.g. `client: cache -> table -> cache via cache/x.ts:12, table/y.ts:3`. A known
 * arrow that is no longer in a cycle is reported too, so the list can only shrink.
 *
 * It does not read files: the graphs come from buildFolderGraph, the list from known-folder-cycles.ts.
 */
import type { FolderGraph } from './folder-graph.js';

/** An arrow `from -> to` of package `pkg` that is allowed to be in a cycle for now, and why. */
export interface KnownFolderCycle {
  /** The package's folder name under packages/ or apps/ (`client`, `server-node`, `demo`). */
  readonly pkg: string;
  readonly from: string;
  readonly to: string;
  /** One line: where it is being fixed ("fixed on issue-16-client", "waits for the replication merge"). */
  readonly reason: string;
}

/** What the check found in the whole workspace: empty lists mean it passes. */
export interface FolderCycleReport {
  /** One line per cycle not covered by the known list. */
  readonly cycles: readonly string[];
  /** One line per known arrow that is not in a cycle (any more). */
  readonly stale: readonly string[];
  /** How many arrows in cycles the known list tolerated. */
  readonly tolerated: number;
}

/** The strongly connected components of the graph (Tarjan's algorithm), as folder → component index. */
function components(graph: FolderGraph): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const stack: string[] = [];
  let next = 0;
  let count = 0;
  const visit = (folder: string): void => {
    index.set(folder, next);
    low.set(folder, next);
    next += 1;
    stack.push(folder);
    for (const to of graph.edges.get(folder)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(folder, Math.min(low.get(folder) ?? 0, low.get(to) ?? 0));
      } else if (!component.has(to)) {
        low.set(folder, Math.min(low.get(folder) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(folder) === index.get(folder)) {
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) component.set(member, count);
      } while (member !== undefined && member !== folder);
      count += 1;
    }
  };
  const all = new Set([...graph.folders, ...graph.edges.keys()]);
  for (const folder of [...all].sort()) if (!index.has(folder)) visit(folder);
  return component;
}

/** Every arrow of the graph whose two folders lie in one cycle, as `[from, to]` in a stable order. */
export function cycleEdges(graph: FolderGraph): [string, string][] {
  const component = components(graph);
  const found: [string, string][] = [];
  for (const [from, out] of graph.edges) {
    for (const to of out.keys()) {
      if (component.get(from) === component.get(to)) found.push([from, to]);
    }
  }
  return found.sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

/** The shortest cycle through the arrow `from -> to`, as its folders (`[from, to, ..., from]`). */
function shortestCycle(graph: FolderGraph, from: string, to: string): string[] {
  // Breadth-first from `to` back to `from`; the arrow is in a cycle, so the path exists.
  const previous = new Map<string, string>([[to, to]]);
  const queue = [to];
  for (let head = 0; head < queue.length && !previous.has(from); head += 1) {
    const folder = queue[head] as string;
    for (const next of [...(graph.edges.get(folder)?.keys() ?? [])].sort()) {
      if (previous.has(next)) continue;
      previous.set(next, folder);
      queue.push(next);
    }
  }
  const path = [from];
  for (let folder = from; folder !== to; ) {
    const before = previous.get(folder);
    if (before === undefined) throw new Error(`folder-cycles: ${from} -> ${to} is not in a cycle`);
    path.unshift(before);
    folder = before;
  }
  return [from, ...path];
}

/** `pkg: a -> b -> a via a/x.ts:12, b/y.ts:3` for a cycle given as its folders. */
export function describeCycle(pkg: string, graph: FolderGraph, cycle: readonly string[]): string {
  const sites: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i += 1) {
    const site = graph.edges.get(cycle[i] as string)?.get(cycle[i + 1] as string);
    if (site !== undefined) sites.push(`${site.file}:${site.line}`);
  }
  return `${pkg}: ${cycle.join(' -> ')} via ${sites.join(', ')}`;
}

/** The same cycle read from another starting folder gives the same key. */
function cycleKey(cycle: readonly string[]): string {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0] as string);
  return [...ring.slice(start), ...ring.slice(0, start)].join(' -> ');
}

/**
 * Checks every package's graph against the known list: the cycles it does not cover, and its entries that
 * no longer name an arrow in a cycle (a package that is gone counts as no cycle).
 */
export function checkFolderCycles(
  graphs: ReadonlyMap<string, FolderGraph>,
  known: readonly KnownFolderCycle[],
): FolderCycleReport {
  const cycles: string[] = [];
  const seen = new Set<string>();
  const inCycle = new Set<string>();
  let tolerated = 0;
  for (const [pkg, graph] of [...graphs].sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const [from, to] of cycleEdges(graph)) {
      inCycle.add(`${pkg}\0${from}\0${to}`);
      if (known.some((k) => k.pkg === pkg && k.from === from && k.to === to)) {
        tolerated += 1;
        continue;
      }
      const cycle = shortestCycle(graph, from, to);
      const key = `${pkg}: ${cycleKey(cycle)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push(describeCycle(pkg, graph, cycle));
    }
  }
  const stale = known
    .filter((k) => !inCycle.has(`${k.pkg}\0${k.from}\0${k.to}`))
    .map((k) => `${k.pkg}: ${k.from} -> ${k.to} is on the known list but no longer in a cycle (${k.reason})`);
  return { cycles, stale, tolerated };
}
