import { describe, expect, it } from 'vitest';
import { ClientDefaults, resolveClientOptions } from '../src/client/client-options.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { LoopbackTransport } from './support/loopback-transport.js';

const valid = { transport: new LoopbackTransport(), endpoints: ['node-1'] };
const PASSWORD = 'hunter2-but-longer';

function optionError(options: unknown): InvalidOptionError {
  try {
    resolveClientOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('the options were accepted');
}

/** Everything an error carries, as text: message, cause chain and own fields. */
function everything(error: unknown): string {
  const seen = new Set<unknown>();
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) {
      parts.push(String(value));
      return;
    }
    seen.add(value);
    if (value instanceof Error) parts.push(value.message, value.stack ?? '');
    for (const key of Object.getOwnPropertyNames(value)) walk((value as Record<string, unknown>)[key]);
  };
  walk(error);
  return parts.join('\n');
}

describe('resolveClientOptions: auth and heartbeats', () => {
  it('takes basic credentials and heartbeat timings, with the documented defaults', () => {
    const resolved = resolveClientOptions(valid);
    expect(resolved.auth).toBeUndefined();
    expect(resolved.heartbeatIntervalMs).toBe(ClientDefaults.heartbeatIntervalMs);
    expect(resolved.heartbeatTimeoutMs).toBe(ClientDefaults.heartbeatTimeoutMs);
    const custom = resolveClientOptions({
      ...valid,
      auth: { username: 'alice', password: PASSWORD },
      heartbeatIntervalMs: 0,
      heartbeatTimeoutMs: 250,
    });
    expect(custom.auth).toEqual({ username: 'alice', password: PASSWORD });
    expect(custom.heartbeatIntervalMs).toBe(0);
    expect(custom.heartbeatTimeoutMs).toBe(250);
  });

  it.each([
    [{ auth: `alice:${PASSWORD}` }, 'auth'],
    [{ auth: { username: '', password: PASSWORD } }, 'auth.username'],
    [{ auth: { username: 'alice', password: 42 } }, 'auth.password'],
    [{ auth: { username: 'alice', password: PASSWORD, token: PASSWORD } }, 'auth.token'],
  ])('names the bad auth field and never shows what was given: %o', (bad, option) => {
    const error = optionError({ ...valid, ...bad });
    expect(error.option).toBe(option);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(everything(error)).not.toContain(PASSWORD);
    expect(error.message).not.toContain('got 42');
  });

  it.each([
    [{ heartbeatIntervalMs: -1 }, 'heartbeatIntervalMs'],
    [{ heartbeatIntervalMs: Number.NaN }, 'heartbeatIntervalMs'],
    [{ heartbeatTimeoutMs: 0 }, 'heartbeatTimeoutMs'],
    [{ heartbeatTimeoutMs: '5s' }, 'heartbeatTimeoutMs'],
  ])('refuses heartbeat timings out of range: %o', (bad, option) => {
    expect(optionError({ ...valid, ...bad }).option).toBe(option);
  });
});
