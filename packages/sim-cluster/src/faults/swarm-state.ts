/**
 * The membership a swarm plan implies, followed in time order while the plan is generated (swarm.ts): the
 * members, which are crashed and when they come back, the names joins will give, whether a node was
 * destroyed. It plans nothing itself.
 */
/** The membership the plan implies, followed in time order while generating. */
export class SwarmState {
  readonly members: string[];
  readonly crashed = new Set<string>();
  /** Whether a node was destroyed already (a plan destroys one at most). */
  destroyed = false;
  #next: number;
  /** State changes of steps already planned for later (restarts), by time. */
  readonly #later: { readonly atMs: number; readonly node: string }[] = [];

  constructor(nodes: readonly string[]) {
    this.members = [...nodes];
    this.#next = 1 + Math.max(0, ...nodes.map((n) => Number(/^node-(\d+)$/.exec(n)?.[1] ?? 0)));
  }

  advanceTo(atMs: number): void {
    for (let i = 0; i < this.#later.length; ) {
      const entry = this.#later[i] as { readonly atMs: number; readonly node: string };
      if (entry.atMs <= atMs) {
        this.crashed.delete(entry.node);
        this.#later.splice(i, 1);
      } else i++;
    }
  }

  restartAt(atMs: number, node: string): void {
    this.#later.push({ atMs, node });
  }

  running(): string[] {
    return this.members.filter((n) => !this.crashed.has(n));
  }

  join(): string {
    const name = `node-${this.#next++}`;
    this.members.push(name);
    return name;
  }

  leave(node: string): void {
    this.members.splice(this.members.indexOf(node), 1);
  }
}
