/**
 * Majorities over a Raft configuration's voters: who is a voter, whether a set of replicas is a majority,
 * and the value a majority has reached (the commit index, the time of last contact). Learners never count.
 */
import type { RaftConfig } from '@datastreamer/protocol/internal';

export function isVoter(config: RaftConfig, id: string): boolean {
  return config.voters.includes(id);
}

export function isMember(config: RaftConfig, id: string): boolean {
  return config.voters.includes(id) || config.learners.includes(id);
}

/** Every member but `self`: whom a leader replicates to. */
export function peersOf(config: RaftConfig, self: string): string[] {
  return [...config.voters, ...config.learners].filter((member) => member !== self);
}

/** Whether the voters in `replicas` are a majority of the configuration's voters. */
export function isMajority(config: RaftConfig, replicas: ReadonlySet<string>): boolean {
  let count = 0;
  for (const voter of config.voters) if (replicas.has(voter)) count++;
  return count > config.voters.length / 2;
}

/**
 * The largest value that a majority of the voters have reached (each voter's value from `valueOfVoter`), or
 * `-Infinity` when there are no voters.
 */
export function majorityValue(config: RaftConfig, valueOfVoter: (voter: string) => number): number {
  const values = config.voters.map(valueOfVoter).sort((a, b) => b - a);
  return values[Math.floor(values.length / 2)] ?? Number.NEGATIVE_INFINITY;
}
