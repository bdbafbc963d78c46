import { describe, expect, it } from 'vitest';
import { Client } from '../src/client/client.js';
import { ClientDefaults, resolveClientOptions } from '../src/client/client-options.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { LoopbackTransport } from './support/loopback-transport.js';

const transport = new LoopbackTransport();
const valid = { transport, endpoints: ['node-1'] };

function optionError(options: unknown): InvalidOptionError {
  try {
    resolveClientOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('the options were accepted');
}

describe('resolveClientOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveClientOptions(valid);
    expect(resolved.requestTimeoutMs).toBe(ClientDefaults.requestTimeoutMs);
    expect(resolved.connectTimeoutMs).toBe(ClientDefaults.connectTimeoutMs);
    expect(resolved.reconnect).toEqual(ClientDefaults.reconnect);
    expect(resolved.name).toBeUndefined();
    expect(resolved.clusterDiscovery).toBe(true);
    expect(resolved.maxConnections).toBe(Number.POSITIVE_INFINITY);
  });

  it('fills reconnect fields left out and turns reconnection off with false', () => {
    expect(resolveClientOptions({ ...valid, reconnect: { maxMs: 50 } }).reconnect).toEqual({
      ...ClientDefaults.reconnect,
      maxMs: 50,
    });
    expect(resolveClientOptions({ ...valid, reconnect: false }).reconnect).toBeNull();
  });

  it.each([
    [{ ...valid, transport: {} }, 'transport'],
    [{ transport }, 'endpoints'],
    [{ ...valid, endpoints: [] }, 'endpoints'],
    [{ ...valid, endpoints: ['node-1', 'node-1'] }, 'endpoints'],
    [{ ...valid, endpoints: ['node-1', ''] }, 'endpoints[1]'],
    [{ ...valid, requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ ...valid, requestTimeoutMs: Number.POSITIVE_INFINITY }, 'requestTimeoutMs'],
    [{ ...valid, connectTimeoutMs: -5 }, 'connectTimeoutMs'],
    [{ ...valid, reconnect: true }, 'reconnect'],
    [{ ...valid, reconnect: { jitter: 2 } }, 'reconnect.jitter'],
    [{ ...valid, reconnect: { multiplier: 0.5 } }, 'reconnect.multiplier'],
    [{ ...valid, reconnect: { backoff: 1 } }, 'reconnect.backoff'],
    [{ ...valid, clock: { now: () => 0 } }, 'clock'],
    [{ ...valid, name: 42 }, 'name'],
    [{ ...valid, requestTimeout: 5 }, 'requestTimeout'],
    [{ ...valid, maxConnections: 0 }, 'maxConnections'],
    [{ ...valid, maxConnections: 2.5 }, 'maxConnections'],
    [{ ...valid, maxConnections: Number.POSITIVE_INFINITY }, 'maxConnections'],
    [{ ...valid, clusterDiscovery: 'yes' }, 'clusterDiscovery'],
    [null, 'options'],
  ])('names the bad option %#', (options, name) => {
    const error = optionError(options);
    expect(error.option).toBe(name);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(`'${name}'`);
  });

  it('says what was expected and what was given', () => {
    expect(optionError({ ...valid, requestTimeoutMs: 'soon' }).message).toBe(
      `invalid client option 'requestTimeoutMs': must be a finite number of ms > 0, got "soon"`,
    );
  });
});

describe('Client.connect options', () => {
  it('rejects a bad option before trying any endpoint', async () => {
    const counting = new LoopbackTransport();
    await expect(
      Client.connect({ transport: counting, endpoints: ['node-1'], requestTimeoutMs: -1 }),
    ).rejects.toThrow(InvalidOptionError);
    expect(counting.attempts).toEqual([]);
  });
});

const PASSWORD = 'hunter2-but-longer';

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
