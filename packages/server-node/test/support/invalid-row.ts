/**
 * The refusal every row check ends in: an error answer carrying a non-retryable `INVALID_ROW` whose message
 * names the row. Returns the error for the checks a test adds (the column, the reason).
 */
import { ProtocolError } from '@datastreamer/protocol';
import { expect } from 'vitest';

export async function expectInvalidRow(
  response: Promise<{ kind: string; error?: unknown }>,
  row: string,
): Promise<ProtocolError> {
  const answer = await response;
  expect(answer.kind).toBe('error');
  const error = answer.error as ProtocolError;
  expect(error).toBeInstanceOf(ProtocolError);
  expect(error.code).toBe('INVALID_ROW');
  expect(error.retryable).toBe(false);
  expect(error.message).toContain(row);
  return error;
}
