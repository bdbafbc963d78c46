/**
 * Moving a replicated partition's replicas: its group's leader drives the group's Raft configuration toward
 * the replica set the placement asks for (its move target), one single-server change at a time, at every
 * heartbeat, so that a change lost with a leader, a crash or a restart is simply issued again by whoever
 * leads next (the target is in the placement, not in any one node's memory):
 *
 * 1. a node of the target that is not a member is added as a learner; it catches up from the leader's latest
 *    snapshot (one is taken first if the leader has none: a learner never replays the log from its start),
 *    sent in chunks (raft/leader-replication.ts), then from the log; it neither votes nor counts toward
 *    commits meanwhile;
 * 2. the learner is promoted once it holds the commit index (`matchIndex >= commitIndex`, raft/membership.ts
 *    refuses earlier), so the new voter holds every committed write when it starts counting;
 * 3. only then is a voter that is not in the target removed (another replica before the leader itself: a
 *    removed leader steps down once the change commits, and the partition waits for its lease to run out);
 * 4. a learner that is not in the target (the move was dropped: its node was destroyed, or the target
 *    changed) is removed: the move rolls back.
 *
 * Each configuration the group commits is recorded in the placement (`replicasOf` follows its voters). The
 * group never has fewer voters than it had before the move began, and a voter leaves only once its
 * replacement is a caught-up voter: a crash of any node mid-move loses no committed write.
 *
 * It does not send anything (the Raft replica does) nor decide targets (whoever moves partitions does).
 */
import type { Logger } from '@datastreamer/protocol';
import type { RaftConfig } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { GroupMembership } from '../placement/placement.js';
import type { RaftNode } from '../raft/raft-node.js';

/** The next change toward a target, or why there is none now. */
export type MembershipStep =
  | { readonly kind: 'addLearner' | 'promote' | 'remove'; readonly member: string }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'none' };

/** What the leader knows of its group when it looks for the next step. */
export interface MembershipView {
  readonly leader: string;
  readonly config: RaftConfig;
  readonly commitIndex: number;
  /** The highest index `member` is known to hold. */
  matchOf(member: string): number;
}

/** The next single-server change that takes `view.config` toward `desired` (see the module header). */
export function nextMembershipStep(view: MembershipView, desired: readonly string[]): MembershipStep {
  const { config, leader } = view;
  const stray = config.learners.find((member) => !desired.includes(member));
  if (stray !== undefined) return { kind: 'remove', member: stray };
  const joining = desired.filter((member) => !config.voters.includes(member));
  const leaving = config.voters.filter((member) => !desired.includes(member));
  if (joining.length > 0) {
    const learner = joining.find((member) => config.learners.includes(member));
    if (learner === undefined) return { kind: 'addLearner', member: joining[0] as string };
    const match = view.matchOf(learner);
    if (match >= view.commitIndex) return { kind: 'promote', member: learner };
    return { kind: 'wait', reason: `learner ${learner} at ${match}, commit index ${view.commitIndex}` };
  }
  const leaver = leaving.find((member) => member !== leader) ?? leaving[0];
  return leaver === undefined ? { kind: 'none' } : { kind: 'remove', member: leaver };
}

/** What the reconciler needs of its group. */
export interface ReconcilerHost {
  readonly raft: RaftNode;
  readonly log: Logger;
  /** The replica set the placement asks for now; `undefined` when no move is under way. */
  target(): readonly string[] | undefined;
  /** Records a configuration the group committed (in the placement); returns whether it was news. */
  committed(membership: GroupMembership): boolean;
}

/** Membership changes this leader issued, for metrics. */
export interface ReconcilerCounts {
  learnersAdded: number;
  promoted: number;
  removed: number;
}

export class MembershipReconciler {
  readonly #host: ReconcilerHost;
  readonly counts: ReconcilerCounts = { learnersAdded: 0, promoted: 0, removed: 0 };

  constructor(host: ReconcilerHost) {
    this.#host = host;
  }

  /**
   * One step, on the leader: records the committed configuration, then issues the next change when the
   * previous one committed. A change the Raft replica is not ready for is tried again at the next call.
   */
  reconcile(): void {
    const { raft, log } = this.#host;
    if (raft.role !== 'leader' || !raft.committedInTerm) return;
    const config = raft.config;
    if (raft.configIndex > raft.commitIndex) return;
    this.#host.committed({ voters: config.voters, learners: config.learners, index: raft.configIndex });
    const desired = this.#host.target() ?? config.voters;
    const step = nextMembershipStep(
      {
        leader: raft.id,
        config,
        commitIndex: raft.commitIndex,
        matchOf: (member) => raft.progress().find((p) => p.member === member)?.matchIndex ?? 0,
      },
      desired,
    );
    if (step.kind === 'none' || step.kind === 'wait') return;
    try {
      switch (step.kind) {
        case 'addLearner':
          // The learner starts from a snapshot, not from the whole log: the leader's latest (taken every
          // snapshotEveryEntries), or one of everything applied so far when it has none yet.
          if (raft.snapshotIndex === 0) raft.takeSnapshot();
          raft.addLearner(step.member);
          this.counts.learnersAdded++;
          break;
        case 'promote':
          raft.promote(step.member);
          this.counts.promoted++;
          break;
        case 'remove':
          raft.removeMember(step.member);
          this.counts.removed++;
          break;
      }
      log.info(
        { group: raft.group, step: step.kind, member: step.member, target: desired },
        'membership change',
      );
    } catch (error) {
      // Not ready (a learner fell back, a change still uncommitted): the next tick asks again.
      if (error instanceof ServerError && error.code === 'MEMBERSHIP_CHANGE_NOT_READY') return;
      log.error(
        { group: raft.group, step: step.kind, member: step.member, err: error },
        'membership change refused',
      );
    }
  }
}
