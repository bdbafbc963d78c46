/**
 * What the golden responses share: the observable timestamp every one carries, and the envelope of a
 * successful response around a payload (typed, and as bytes from the independent builder). Kept apart from
 * the golden tables so each table file can use it without importing another.
 */
import type { Request, Response } from '../../src/messages/message-types.js';
import type { OpName } from '../../src/messages/op-codes.js';
import { type Bytes, cat, int } from './wire-builder.js';

/** A typed request and the exact body bytes the protocol specifies for it. */
export interface GoldenRequest {
  readonly name: string;
  readonly request: Request;
  readonly bytes: Bytes;
}

/** A typed response and its exact body bytes. */
export interface GoldenResponse {
  readonly name: string;
  /** The op of the request this answers (what the client looks up by request id). */
  readonly op: OpName;
  readonly response: Response;
  readonly bytes: Bytes;
  /**
   * Where an optional trailing field starts (PARTITION_ASSIGNMENT_GET's member list): cut there, the bytes
   * are the whole shape an older peer sends, not a truncation.
   */
  readonly optionalTailAt?: number;
}

/** A hybrid-logical-clock time: physical milliseconds << 16 | logical counter (over 2^53, so a uint64). */
export const HLC = (1_700_000_000_000n << 16n) | 3n;

/** The bytes of a successful response: `requestId: long, flags: int (0), observableTimestamp: long, payload`. */
export function ok(requestId: number, ...payload: Bytes[]): Bytes {
  return cat(int(requestId), int(0), int(HLC), ...payload);
}

/** The typed successful response to `op` with `result`. */
export function okResponse<K extends OpName>(op: K, requestId: number, result: unknown): Response {
  return { kind: 'ok', op, requestId, observableTimestamp: HLC, result } as Response;
}
