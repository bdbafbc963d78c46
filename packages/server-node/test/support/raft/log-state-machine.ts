/**
 * The state machine of the Raft tests: the list of commands applied so far, as text, in order. Its snapshot
 * is that list as JSON, so a replica caught up by a snapshot ends with exactly the same list.
 */
import type { AppliedCommand, RaftStateMachine } from '../../../src/raft/raft-types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const command = (text: string): Uint8Array => encoder.encode(text);

export class LogStateMachine implements RaftStateMachine {
  applied: string[] = [];
  /** Index and term of every command applied by this incarnation (not restored from a snapshot). */
  readonly appliedAt: { index: number; term: number }[] = [];
  restores = 0;
  /** Told of every command applied. */
  onApply: ((index: number, term: number) => void) | undefined;

  apply(entry: AppliedCommand): void {
    this.applied.push(decoder.decode(entry.command));
    this.appliedAt.push({ index: entry.index, term: entry.term });
    this.onApply?.(entry.index, entry.term);
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify(this.applied));
  }

  restore(snapshot: Uint8Array): void {
    this.applied = JSON.parse(decoder.decode(snapshot)) as string[];
    this.restores++;
  }
}
