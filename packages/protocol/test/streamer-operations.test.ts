import { describe, expect, it } from 'vitest';
import { StreamerOperationTypes } from '../src/messages/streamer-operations.js';

describe('StreamerOperationTypes', () => {
  it('holds exactly the two operations a batch can carry (its deleted bit tells them apart)', () => {
    expect(Object.keys(StreamerOperationTypes)).toEqual(['PUT', 'REMOVE']);
  });

  it('names each operation by itself, as histories and JSON files record it', () => {
    for (const [name, value] of Object.entries(StreamerOperationTypes)) expect(value).toBe(name);
  });
});
