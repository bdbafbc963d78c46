/**
 * The simulated cluster's view of its metastorage group: which nodes are members (the first
 * `metastorageNodes` started), which running member leads it now, waiting for its first leader, and the rule
 * that a member may go for good only while a majority of the group stays.
 *
 * It does not run the metastorage (each node's `NodeMetastorage` does) and does not change the group's
 * membership: replacing a metastorage member is not supported.
 */
import type { Clock } from '@datastreamer/protocol';
import type { ClusterNode } from '@datastreamer/server-node';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** The longest `SimCluster.start` waits for the metastorage's first leader, in ms on the cluster's clock. */
export const METASTORAGE_START_MS = 10_000;

export class MetastorageMembers {
  /** The members' names, `node-1` .. `node-<count>`; empty without a metastorage. */
  readonly names: readonly string[];
  readonly #nodes: ReadonlyMap<string, ClusterNode>;
  readonly #clock: Clock;

  /** @param nodes the cluster's current members by name (live: read at each call). */
  constructor(count: number, nodes: ReadonlyMap<string, ClusterNode>, clock: Clock) {
    this.names = Array.from({ length: count }, (_, i) => `node-${i + 1}`);
    this.#nodes = nodes;
    this.#clock = clock;
  }

  /**
   * The running member leading the group now (the highest term, when a cut-off old leader still thinks it
   * leads); `undefined` when none does.
   */
  leader(): string | undefined {
    let best: { name: string; term: number } | undefined;
    for (const name of this.names) {
      const raft = this.#nodes.get(name)?.metastorage?.group?.raft;
      if (raft?.role === 'leader' && (best === undefined || raft.term > best.term))
        best = { name, term: raft.term };
    }
    return best?.name;
  }

  /**
   * Waits (on the cluster's clock, at most {@link METASTORAGE_START_MS}) until the group has a leader that
   * committed an entry of its term, so the first catalog change does not wait for an election.
   */
  async firstLeader(): Promise<void> {
    if (this.names.length === 0) return;
    const ready = () =>
      this.names.some((name) => {
        const raft = this.#nodes.get(name)?.metastorage?.group?.raft;
        return raft?.role === 'leader' && raft.committedInTerm;
      });
    for (let waited = 0; !ready() && waited < METASTORAGE_START_MS; waited += 5) await this.#clock.sleep(5);
  }

  /**
   * A member may go for good (leave, destroy) only while a majority of the group's members stays: replacing
   * a member is a membership change the metastorage does not make yet.
   * @throws SimClusterError `INVALID_ARGUMENT` when `name` going would leave no majority.
   */
  checkKeeps(name: string, what: 'remove' | 'destroy'): void {
    const members = this.names;
    if (!members.includes(name)) return;
    const staying = members.filter((m) => m !== name && this.#nodes.has(m)).length;
    if (staying * 2 > members.length) return;
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `cannot ${what} "${name}": the metastorage (${members.join(', ')}) would keep ${staying} of its ` +
        `${members.length} members, no majority; replacing a member is a membership change, not supported yet`,
    );
  }
}
