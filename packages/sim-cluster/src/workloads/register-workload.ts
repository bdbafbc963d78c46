/**
 * The register workload: a few clients doing single-key `get` / `upsert` / `delete` on a few keys of one
 * table, concurrently (each client one operation at a time, with a short pause between), every invocation and
 * completion recorded in the cluster's history with its virtual time. That is the `linearizable` checker's
 * input: run it under faults, then `linearizable(cluster.history)`.
 *
 * An operation that got an answer completes `ok` with it (the value read, whether a row was deleted); one
 * refused with an error that says nothing was applied completes `fail`; one with any other error or no answer
 * completes `unknown` (it may or may not have taken effect). The last two carry the error's code.
 * Every upsert writes a value no other writes (`<client>#<op>`), so a read names the write it saw. Choices
 * (which operation, which key, how long a pause) come from the cluster seed's `register-workload` stream.
 *
 * It does not inject faults (run a plan or a swarm beside it) nor judge anything.
 */
import type { Client } from '@datastreamer/client';
import { createRng, type ErrorCode, ErrorCodes, ErrorExtensionKeys, type Rng } from '@datastreamer/protocol';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import { canonicalKey } from '../history/canonical-key.js';
import type { RegisterKind } from '../history/history-event.js';

/** The workload's default table: `Key INT32` (the key), `Value STRING` (nullable). */
export const REGISTER_TABLE = 'Registers';

/** Options of {@link runRegisterWorkload}. */
export interface RegisterWorkloadOptions {
  /** The table (created when absent). Default {@link REGISTER_TABLE}. */
  readonly table?: string;
  /** Concurrent clients (1..32). Default 3. */
  readonly clients?: number;
  /** Keys 0 .. keys - 1 (1..1000). Default 3. */
  readonly keys?: number;
  /** Operations per client (1..100,000). Default 40. */
  readonly operations?: number;
  /** Pause between two operations of a client, drawn in [min, max] ms. Default [0, 20]. */
  readonly pauseMs?: readonly [number, number];
  /** Each client's request timeout, ms. Default 300. */
  readonly requestTimeoutMs?: number;
  /**
   * The nodes client `i` connects to: `nodes[i]`, or the last entry for the clients past the list. Default:
   * every running node.
   */
  readonly nodes?: readonly (readonly string[])[];
  /** Partitions of the table when it is created. Default: the cluster's. */
  readonly partitions?: number;
}

/** What the workload did. */
export interface RegisterWorkloadResult {
  readonly operations: number;
  /** Operations answered (`ok`). */
  readonly answered: number;
  /** Operations with no answer (`unknown`). */
  readonly unknown: number;
  /** The clients' names, in order. */
  readonly clients: readonly string[];
}

interface RegisterRow {
  readonly Key: number;
  readonly Value: string | null;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `register workload: ${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Runs the workload to its end (every client did its operations) and returns what it did: `prepare`, then
 * `run`.
 * @throws SimClusterError `INVALID_ARGUMENT` for a bad option; the table creation's error.
 */
export async function runRegisterWorkload(
  cluster: SimCluster,
  options: RegisterWorkloadOptions = {},
): Promise<RegisterWorkloadResult> {
  return (await RegisterWorkload.prepare(cluster, options)).run();
}

/** The workload in two steps: connect its clients and create its table, then run (faults may start between). */
export class RegisterWorkload {
  readonly #cluster: SimCluster;
  readonly #clients: readonly Client[];
  readonly #views: readonly RegisterView[];
  readonly #table: string;
  readonly #keys: number;
  readonly #operations: number;
  readonly #pause: readonly [number, number];

  private constructor(
    cluster: SimCluster,
    clients: readonly Client[],
    views: readonly RegisterView[],
    settings: { table: string; keys: number; operations: number; pause: readonly [number, number] },
  ) {
    this.#cluster = cluster;
    this.#clients = clients;
    this.#views = views;
    this.#table = settings.table;
    this.#keys = settings.keys;
    this.#operations = settings.operations;
    this.#pause = settings.pause;
  }

  /**
   * Checks the options, connects the clients and creates the table when absent.
   * @throws SimClusterError `INVALID_ARGUMENT` for a bad option; the table creation's error.
   */
  static async prepare(
    cluster: SimCluster,
    options: RegisterWorkloadOptions = {},
  ): Promise<RegisterWorkload> {
    const table = options.table ?? REGISTER_TABLE;
    const clients = integerIn('clients', options.clients ?? 3, 1, 32);
    const keys = integerIn('keys', options.keys ?? 3, 1, 1000);
    const operations = integerIn('operations', options.operations ?? 40, 1, 100_000);
    const [pauseMin, pauseMax] = options.pauseMs ?? [0, 20];
    integerIn('pauseMs[0]', pauseMin, 0, 60_000);
    integerIn('pauseMs[1]', pauseMax, pauseMin, 60_000);
    const requestTimeoutMs = integerIn('requestTimeoutMs', options.requestTimeoutMs ?? 300, 1, 600_000);
    const connected: Client[] = [];
    for (let i = 0; i < clients; i++) {
      const nodes = options.nodes?.[Math.min(i, (options.nodes?.length ?? 1) - 1)];
      connected.push(await cluster.connect({ requestTimeoutMs, ...(nodes === undefined ? {} : { nodes }) }));
    }
    const first = connected[0] as Client;
    if ((await first.tables.table(table)) === null) {
      await first.catalog.createTable({
        name: table,
        columns: [
          { name: 'Key', type: 'INT32' },
          { name: 'Value', type: 'STRING', nullable: true },
        ],
        primaryKey: ['Key'],
        ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      });
    }
    const views: RegisterView[] = [];
    for (const client of connected) {
      const view = (await client.tables.table(table))?.recordView<RegisterRow>();
      if (view === undefined) throw new SimClusterError('TABLE_NOT_FOUND', `table "${table}" is gone`);
      views.push(view);
    }
    const settings = { table, keys, operations, pause: [pauseMin, pauseMax] as const };
    return new RegisterWorkload(cluster, connected, views, settings);
  }

  /** The clients' names, in order. */
  get clients(): string[] {
    return this.#clients.map((c) => this.#cluster.clientName(c));
  }

  /** Runs every client's operations; resolves once all are done. */
  async run(): Promise<RegisterWorkloadResult> {
    const cluster = this.#cluster;
    const table = this.#table;
    const [pauseMin, pauseMax] = this.#pause;
    const rng = createRng(cluster.seed).child('register-workload');
    let answered = 0;
    let unknown = 0;
    await Promise.all(
      this.#clients.map(async (client, i) => {
        const name = cluster.clientName(client);
        const view = this.#views[i] as RegisterView;
        const draws = rng.child(`client-${i}`);
        for (let op = 0; op < this.#operations; op++) {
          const ok = await runOperation(cluster, view, name, table, op, this.#keys, draws);
          if (ok) answered++;
          else unknown++;
          const pause = draws.int(pauseMin, pauseMax);
          if (pause > 0) await cluster.clock.sleep(pause);
        }
      }),
    );
    return { operations: this.#clients.length * this.#operations, answered, unknown, clients: this.clients };
  }
}

/** Codes of refusals that applied nothing: a conflict before anything was appended, a node that is not the primary. */
const REFUSED_OUTRIGHT: ReadonlySet<ErrorCode> = new Set(['TX_CONFLICT', 'NOT_PRIMARY', 'NO_QUORUM']);

/**
 * Whether `error` says the operation took no effect: a refusal of those codes, unless it says it is in doubt
 * (a write its primary had appended when it lost its leadership may still commit).
 */
function refusedOutright(error: unknown, code: ErrorCode | undefined): boolean {
  if (code === undefined || !REFUSED_OUTRIGHT.has(code)) return false;
  const extensions = (error as { readonly extensions?: Readonly<Record<string, unknown>> }).extensions;
  return extensions?.[ErrorExtensionKeys.inDoubt] !== true;
}

/** What the workload calls on a client's record view of its table. */
interface RegisterView {
  get(key: { Key: number }): Promise<RegisterRow | null>;
  upsert(row: RegisterRow): Promise<void>;
  delete(key: { Key: number }): Promise<boolean>;
}

/** One operation, invoked and completed in the history; true when it was answered. */
async function runOperation(
  cluster: SimCluster,
  view: RegisterView,
  client: string,
  table: string,
  op: number,
  keys: number,
  rng: Rng,
): Promise<boolean> {
  const roll = rng.next();
  const kind: RegisterKind = roll < 0.5 ? 'get' : roll < 0.85 ? 'upsert' : 'delete';
  const Key = rng.int(0, keys - 1);
  const key = canonicalKey({ Key });
  const value = `${client}#${op}`;
  const history = cluster.history;
  history.recordInvoke({ client, op, table, key, kind, ...(kind === 'upsert' ? { value } : {}) });
  try {
    switch (kind) {
      case 'get': {
        const row = await view.get({ Key });
        history.recordComplete({ client, op, outcome: 'ok', value: row?.Value ?? null });
        return true;
      }
      case 'upsert':
        await view.upsert({ Key, Value: value });
        history.recordComplete({ client, op, outcome: 'ok' });
        return true;
      case 'delete': {
        const deleted = await view.delete({ Key });
        history.recordComplete({ client, op, outcome: 'ok', deleted });
        return true;
      }
    }
  } catch (error) {
    const code = (error as { readonly code?: unknown }).code;
    const known =
      typeof code === 'string' && Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : undefined;
    history.recordComplete({
      client,
      op,
      outcome: refusedOutright(error, known) ? 'fail' : 'unknown',
      ...(known === undefined ? {} : { code: known }),
    });
    return false;
  }
}
