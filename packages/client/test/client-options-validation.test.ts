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
