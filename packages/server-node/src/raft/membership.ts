/**
 * Single-server membership changes (Raft thesis 4.1): which changes exist, the configuration each one
 * leads to, and when a leader may start one. Changing one server at a time keeps every majority of the old
 * configuration overlapping every majority of the new, so no two leaders can be elected across a change.
 *
 * It does not append anything: the node appends the new configuration as a log entry.
 */
import type { RaftConfig } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import { isMember } from './quorum.js';

export type MembershipChange =
  /** A new member that receives the log but neither votes nor counts toward commits. */
  | { readonly kind: 'addLearner'; readonly member: string }
  /** A learner becomes a voter, once it has caught up. */
  | { readonly kind: 'promote'; readonly member: string }
  /** A voter or learner leaves (the leader may remove itself: it steps down once the change commits). */
  | { readonly kind: 'remove'; readonly member: string };

/** What the leader knows when a change is asked for. */
export interface ChangeContext {
  readonly group: string;
  readonly config: RaftConfig;
  /** The index of the entry that set `config`. */
  readonly configIndex: number;
  readonly commitIndex: number;
  /** Whether the leader has committed an entry of its own term yet. */
  readonly committedInTerm: boolean;
  /** The highest index `member` is known to hold. */
  matchOf(member: string): number;
}

function refused(group: string, reason: string): ServerError {
  return new ServerError('INVALID_ARGUMENT', `membership change of ${group} refused: ${reason}`);
}

function notReady(reason: string): ServerError {
  return new ServerError('MEMBERSHIP_CHANGE_NOT_READY', reason);
}

/**
 * The configuration after `change`.
 * @throws ServerError `MEMBERSHIP_CHANGE_NOT_READY` (retryable) while the previous change is uncommitted, the
 *   leader has not committed in its term (the thesis's fix for single-server changes), or a learner to
 *   promote has not reached the commit index; `INVALID_ARGUMENT` for a change that makes no sense (adding a
 *   member, promoting a non-learner, removing a non-member or the last voter).
 */
export function changedConfig(context: ChangeContext, change: MembershipChange): RaftConfig {
  const { group, config, commitIndex } = context;
  if (!context.committedInTerm) {
    throw notReady(`the leader of ${group} has not committed an entry of its term yet`);
  }
  if (context.configIndex > commitIndex) {
    throw notReady(
      `the previous membership change of ${group} (entry ${context.configIndex}) is not committed yet`,
    );
  }
  const { member } = change;
  const without = (names: readonly string[]) => names.filter((name) => name !== member);
  switch (change.kind) {
    case 'addLearner':
      if (isMember(config, member)) throw refused(group, `${member} is already a member`);
      return { voters: config.voters, learners: [...config.learners, member] };
    case 'promote': {
      if (!config.learners.includes(member)) throw refused(group, `${member} is not a learner`);
      const match = context.matchOf(member);
      if (match < commitIndex) {
        throw notReady(
          `learner ${member} of ${group} has not caught up (at ${match}, commit index ${commitIndex})`,
        );
      }
      return { voters: [...config.voters, member], learners: without(config.learners) };
    }
    case 'remove': {
      if (!isMember(config, member)) throw refused(group, `${member} is not a member`);
      const voters = without(config.voters);
      if (voters.length === 0) throw refused(group, `${member} is the last voter`);
      return { voters, learners: without(config.learners) };
    }
  }
}
