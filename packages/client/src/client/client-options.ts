/**
 * The options of `Client.connect`: their documented defaults, and their validation at the boundary (zod), so
 * a bad option fails with an {@link InvalidOptionError} naming it before any connection is opened. Unknown
 * option names are refused too (a misspelt `requestTimeout` must not silently mean the default). It does not
 * open connections; the client does.
 */
import {
  type Buggify,
  type Clock,
  createRng,
  entropySeed,
  type Logger,
  neverBuggify,
  type Rng,
  realClock,
  silentLogger,
  type Transport,
} from '@datastreamer/protocol';
import { z } from 'zod';
import type { BasicCredentials, ReconnectOptions } from '../connection/connection-options.js';
import type { InvalidOptionError } from '../errors/invalid-option-error.js';
import { optionErrorFromZod } from '../errors/option-error.js';

/** Options of `Client.connect`. `transport` and `endpoints` are required; the rest have defaults. */
export interface ClientOptions {
  /** How connections are opened: the simulation's network, or TCP. */
  readonly transport: Transport;
  /**
   * The nodes to connect to (node names in the simulation, `host:port` over TCP): a non-empty list without
   * repeats. The client connects to every one; a node it does not reach is retried in the background. With
   * `clusterDiscovery` these are where the client starts: it follows the cluster's members from there.
   */
  readonly endpoints: readonly string[];
  /**
   * Follow the cluster (Ignite 2's thin-client `clusterDiscoveryEnabled`): every partition assignment the
   * client fetches comes with the cluster's running members; the client connects to members it was not
   * given (up to `maxConnections`) and drops endpoints whose node left the cluster once they are
   * unreachable, so it keeps working after every endpoint it was given is gone. Turn it off when the
   * endpoints nodes report cannot be reached from the client (behind NAT or a proxy): the client then
   * keeps to `endpoints`. Default true.
   */
  readonly clusterDiscovery?: boolean;
  /**
   * The most endpoints the client holds at once (open, being opened or waiting to reconnect), an integer
   * >= 1. The given `endpoints` are always tried, even past it; members learned through `clusterDiscovery`
   * only fill the room left, and a member that left frees its place. Default: no bound (every member).
   */
  readonly maxConnections?: number;
  /** Time for timeouts and reconnect backoff. Default: the platform clock. */
  readonly clock?: Clock;
  /** Where connection events are logged. Default: silent. */
  readonly logger?: Logger;
  /** Randomness for backoff jitter. Default: a generator seeded from the platform's entropy. */
  readonly rng?: Rng;
  /**
   * How long a request waits for its response, in ms (> 0); then it fails with the retryable
   * `REQUEST_TIMEOUT`. Default 30000.
   */
  readonly requestTimeoutMs?: number;
  /** How long opening one connection (transport connect and handshake) may take, in ms (> 0). Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Background reconnection; `false` turns it off. Default: on, with {@link ClientDefaults}'s backoff. */
  readonly reconnect?: ReconnectOptions | false;
  /** The name the client gives in its handshakes. Default: the transport's name for this side (`client-1`). */
  readonly name?: string;
  /**
   * Credentials for nodes that require them (`authn-type` `basic`, `authn-identity`, `authn-secret` in the
   * handshake, as Ignite 3's client sends them). Wrong or missing ones fail `connect` with
   * `AUTHENTICATION_FAILED` (not retryable). Never logged, never put in an error. Default: none.
   */
  readonly auth?: BasicCredentials;
  /**
   * How long a connection may go without receiving a message before the client sends it a heartbeat, in ms;
   * 0 turns heartbeats off. Default 30000, as Ignite 3's client.
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * How long a heartbeat may wait for its answer, in ms (> 0); then the connection is taken for dead:
   * closed, its requests failed as `CONNECTION_LOST` (retryable), and reconnected. Default 5000, as Ignite 3's
   * client.
   */
  readonly heartbeatTimeoutMs?: number;
  /**
   * Fault points inside the client (simulation only; see protocol's `Buggify`): a simulated cluster on
   * virtual time passes its own. Default: none ever fires.
   */
  readonly buggify?: Buggify;
}

/** The options with every default applied. */
export interface ResolvedClientOptions {
  readonly transport: Transport;
  readonly endpoints: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rng: Rng;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** `null` when reconnection is off. */
  readonly reconnect: Required<ReconnectOptions> | null;
  readonly name: string | undefined;
  readonly auth: BasicCredentials | undefined;
  readonly buggify: Buggify;
  /** 0: off. */
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly clusterDiscovery: boolean;
  /** `Infinity`: no bound. */
  readonly maxConnections: number;
}

/** The documented defaults. */
export const ClientDefaults = {
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  reconnect: { initialMs: 100, multiplier: 2, maxMs: 5000, jitter: 0.5 },
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 5_000,
  clusterDiscovery: true,
  /** No bound: a connection to every member. */
  maxConnections: Number.POSITIVE_INFINITY,
} as const;

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

function implementing<T>(what: string, methods: readonly string[]) {
  return z.custom<T>((value) => hasMethods(value, methods), { error: `must be ${what}` });
}

function positiveMs() {
  const error = 'must be a finite number of ms > 0';
  return z.number({ error }).positive({ error }).finite({ error });
}

function nonNegativeMs() {
  const error = 'must be a finite number >= 0';
  return z.number({ error }).nonnegative({ error }).finite({ error });
}

const nonEmptyString = z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string');

const reconnectSchema = z
  .strictObject(
    {
      initialMs: nonNegativeMs(),
      multiplier: z
        .number({ error: 'must be a finite number >= 1' })
        .gte(1, { error: 'must be a finite number >= 1' })
        .finite({ error: 'must be a finite number >= 1' }),
      maxMs: nonNegativeMs(),
      jitter: z
        .number({ error: 'must be a number in [0, 1]' })
        .min(0, { error: 'must be a number in [0, 1]' })
        .max(1, { error: 'must be a number in [0, 1]' }),
    },
    { error: 'must be false or an object { initialMs?, multiplier?, maxMs?, jitter? }' },
  )
  .partial();

// Parsing `{ reconnect }` keeps `reconnect` in the issue path, so errors say `reconnect.jitter`.
const reconnectWrapper = z.object({ reconnect: reconnectSchema });

const optionsSchema = z.strictObject(
  {
    transport: implementing<Transport>('a Transport (connect)', ['connect']),
    endpoints: z
      .array(nonEmptyString, { error: 'must be a non-empty array of endpoint names' })
      .min(1, { error: 'must be a non-empty array of endpoint names' })
      .refine((list) => new Set(list).size === list.length, { error: 'must not name an endpoint twice' }),
    clock: implementing<Clock>('a Clock (now, setTimer, sleep)', ['now', 'setTimer', 'sleep']).optional(),
    logger: implementing<Logger>('a Logger (trace ... fatal, child)', ['debug', 'warn', 'child']).optional(),
    rng: implementing<Rng>('an Rng (next, nextUint32, int, chance, child)', ['next', 'child']).optional(),
    requestTimeoutMs: positiveMs().optional(),
    connectTimeoutMs: positiveMs().optional(),
    // Checked on its own below: a union would report "invalid input" instead of naming the bad field.
    reconnect: z.unknown().optional(),
    name: nonEmptyString.optional(),
    auth: z
      .strictObject(
        {
          username: nonEmptyString,
          password: z.string({ error: 'must be a string' }),
        },
        { error: 'must be an object { username, password }' },
      )
      .optional(),
    heartbeatIntervalMs: nonNegativeMs().optional(),
    heartbeatTimeoutMs: positiveMs().optional(),
    clusterDiscovery: z.boolean({ error: 'must be a boolean' }).optional(),
    maxConnections: z
      .number({ error: 'must be an integer >= 1' })
      .int({ error: 'must be an integer >= 1' })
      .min(1, { error: 'must be an integer >= 1' })
      .optional(),
    buggify: z
      .custom<Buggify>((value) => typeof value === 'function', {
        error: 'must be a function (point) => boolean',
      })
      .optional(),
  },
  { error: 'must be an object { transport, endpoints, ... }' },
);

/**
 * Validates `options` and applies the defaults ({@link ClientDefaults}; clock: the platform clock; rng:
 * seeded from entropy; logger: silent).
 *
 * @throws InvalidOptionError naming the first bad option (dotted for `reconnect` fields), an unknown option
 *   name, or `options` when it is not an object.
 */
export function resolveClientOptions(options: unknown): ResolvedClientOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw clientOptionError(parsed.error, options);
  const data = parsed.data;
  const defaults = ClientDefaults.reconnect;
  let reconnect: { readonly [K in keyof ReconnectOptions]?: number | undefined } | null = {};
  if (data.reconnect === false) {
    reconnect = null;
  } else if (data.reconnect !== undefined) {
    const checked = reconnectWrapper.safeParse({ reconnect: data.reconnect });
    if (!checked.success) throw clientOptionError(checked.error, options);
    reconnect = checked.data.reconnect;
  }
  return {
    transport: data.transport,
    endpoints: data.endpoints,
    clock: data.clock ?? realClock,
    logger: data.logger ?? silentLogger,
    rng: data.rng ?? createRng(entropySeed()),
    buggify: data.buggify ?? neverBuggify,
    requestTimeoutMs: data.requestTimeoutMs ?? ClientDefaults.requestTimeoutMs,
    connectTimeoutMs: data.connectTimeoutMs ?? ClientDefaults.connectTimeoutMs,
    reconnect:
      reconnect === null
        ? null
        : {
            initialMs: reconnect.initialMs ?? defaults.initialMs,
            multiplier: reconnect.multiplier ?? defaults.multiplier,
            maxMs: reconnect.maxMs ?? defaults.maxMs,
            jitter: reconnect.jitter ?? defaults.jitter,
          },
    name: data.name,
    auth: data.auth,
    heartbeatIntervalMs: data.heartbeatIntervalMs ?? ClientDefaults.heartbeatIntervalMs,
    heartbeatTimeoutMs: data.heartbeatTimeoutMs ?? ClientDefaults.heartbeatTimeoutMs,
    clusterDiscovery: data.clusterDiscovery ?? ClientDefaults.clusterDiscovery,
    maxConnections: data.maxConnections ?? ClientDefaults.maxConnections,
  };
}

function clientOptionError(error: z.ZodError, input: unknown): InvalidOptionError {
  // What was given for `auth` is never quoted: it may hold the password.
  return optionErrorFromZod('client option', 'options', error, input, (path) => path[0] === 'auth');
}
