import type { RaftConfig, RaftEntry } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import {
  RaftSafetyChecker,
  type RaftSafetyRule,
  RaftSafetyViolation,
} from '../src/raft/raft-safety-checker.js';
import type { RaftNodeView, RaftRole } from '../src/raft/raft-types.js';
import { ManualClock } from './support/manual-clock.js';

const cmd = (term: number, text: string): RaftEntry => ({
  kind: 'command',
  term,
  command: new TextEncoder().encode(text),
});

/** A replica as the checker sees it, with a log the test writes directly. */
class FakeReplica implements RaftNodeView {
  readonly group = 'g';
  role: RaftRole = 'follower';
  term = 1;
  leaderId: string | undefined;
  commitIndex = 0;
  lastApplied = 0;
  snapshotIndex = 0;
  config: RaftConfig = { voters: ['a', 'b', 'c'], learners: [] };
  log: RaftEntry[] = [];
  contact: number | undefined;

  constructor(readonly id: string) {}

  get lastIndex(): number {
    return this.log.length;
  }
  termAt(index: number): number | undefined {
    return index === 0 ? 0 : this.log[index - 1]?.term;
  }
  entryAt(index: number): RaftEntry | undefined {
    return this.log[index - 1];
  }
  quorumContactAt(): number | undefined {
    return this.contact;
  }
}

function violation(rule: RaftSafetyRule, act: () => void): void {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(RaftSafetyViolation);
    expect((error as RaftSafetyViolation).rule).toBe(rule);
    expect((error as RaftSafetyViolation).code).toBe('INTERNAL');
    return;
  }
  throw new Error(`expected a ${rule} violation`);
}

function setup() {
  const clock = new ManualClock(0);
  const checker = new RaftSafetyChecker({ clock, leaseWindowMs: 100 });
  const [a, b, c] = ['a', 'b', 'c'].map((id) => new FakeReplica(id)) as [
    FakeReplica,
    FakeReplica,
    FakeReplica,
  ];
  const append = (node: FakeReplica, entries: RaftEntry[]) => {
    const first = node.log.length + 1;
    node.log.push(...entries);
    checker.appended(node, first, entries);
  };
  const commit = (node: FakeReplica, index: number) => {
    node.commitIndex = index;
    checker.committed(node, index);
  };
  const lead = (node: FakeReplica, term: number) => {
    node.role = 'leader';
    node.term = term;
    checker.becameLeader(node);
  };
  return { clock, checker, a, b, c, append, commit, lead };
}

describe('RaftSafetyChecker', () => {
  it('accepts a history that keeps every rule', () => {
    const { checker, a, b, append, commit, lead, clock } = setup();
    lead(a, 1);
    append(a, [cmd(1, 'x'), cmd(1, 'y')]);
    append(b, [cmd(1, 'x'), cmd(1, 'y')]);
    commit(a, 2);
    checker.applied(a, 1, cmd(1, 'x'));
    checker.applied(b, 1, cmd(1, 'x'));
    a.contact = 10;
    checker.observe([a, b]);
    clock.advance(200);
    lead(b, 2);
    expect(checker.leaders).toEqual(
      new Map([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    expect(checker.maxCommitted).toBe(2);
  });

  it('fails two leaders in one term (election safety)', () => {
    const { a, b, lead } = setup();
    lead(a, 3);
    violation('electionSafety', () => lead(b, 3));
  });

  it('fails two different entries with one index and term (log matching)', () => {
    const { a, b, append } = setup();
    append(a, [cmd(1, 'x')]);
    violation('logMatching', () => append(b, [cmd(1, 'other')]));
  });

  it('fails equal entries that follow entries of different terms (log matching)', () => {
    const { a, b, append } = setup();
    append(a, [cmd(1, 'x'), cmd(3, 'z')]);
    append(b, [cmd(2, 'y')]);
    violation('logMatching', () => append(b, [cmd(3, 'z')]));
  });

  it('fails a leader that lacks a committed entry (leader completeness)', () => {
    const { a, b, append, commit, lead } = setup();
    append(a, [cmd(1, 'x'), cmd(1, 'y')]);
    commit(a, 2);
    append(b, [cmd(1, 'x')]);
    violation('leaderCompleteness', () => lead(b, 2));
  });

  it('fails two replicas applying different entries at one index (state machine safety)', () => {
    const { checker, a, b } = setup();
    checker.applied(a, 1, cmd(1, 'x'));
    violation('stateMachineSafety', () => checker.applied(b, 1, cmd(2, 'y')));
  });

  it('fails a snapshot that contradicts a committed entry (state machine safety)', () => {
    const { checker, a, b, append, commit } = setup();
    append(a, [cmd(1, 'x')]);
    commit(a, 1);
    violation('stateMachineSafety', () =>
      checker.snapshotInstalled(b, { index: 1, term: 2, config: b.config, lease: null }),
    );
  });

  it('fails a leader elected while an earlier leader’s lease may still run (lease safety)', () => {
    const { checker, clock, a, b, lead } = setup();
    lead(a, 1);
    a.contact = 50;
    checker.observe([a]);
    clock.advance(149);
    violation('leaseSafety', () => lead(b, 2));
  });

  it('fails a replica whose commit index passed its log, or whose applied index passed its commit index', () => {
    const { checker, a } = setup();
    a.commitIndex = 1;
    violation('progress', () => checker.observe([a]));
    a.log.push(cmd(1, 'x'));
    a.lastApplied = 2;
    violation('progress', () => checker.observe([a]));
  });
});
