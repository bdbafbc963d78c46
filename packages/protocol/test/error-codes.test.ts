import { ErrorCodes, errorCodeFromId, ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';

describe('ErrorCodes', () => {
  it('gives every code a distinct wire id', () => {
    const ids = Object.values(ErrorCodes).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('maps wire ids back to their codes', () => {
    for (const [name, { id }] of Object.entries(ErrorCodes)) expect(errorCodeFromId(id)).toBe(name);
    expect(errorCodeFromId(9999)).toBeUndefined();
  });

  it('derives retryable from the table', () => {
    expect(new ProtocolError('NOT_PRIMARY', 'x').retryable).toBe(true);
    expect(new ProtocolError('INVALID_ROW', 'x').retryable).toBe(false);
  });
});
