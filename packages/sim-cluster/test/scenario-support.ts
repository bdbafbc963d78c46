/**
 * Shared pieces of the scenario tests: a table whose rows carry their producer's per-key sequence number
 * (`Seq`), a seeded PUT/REMOVE workload over it, the table it must end as, and the verdict assertion every
 * scenario ends with.
 */
import { type Client, DataStreamerItem, type RecordView } from '@datastreamer/client';
import { createRng } from '@datastreamer/protocol';
import { expect } from 'vitest';
import type { Verdict } from '../src/checkers/check.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import type { SimClusterOptions } from '../src/cluster/sim-cluster-options.js';

export interface EventRow {
  readonly Id: bigint;
  /** The producer's sequence number for this key. */
  readonly Seq: number;
  readonly Payload: string;
}

/** A REMOVE carries its key and, ignored by the cluster, its sequence number. */
export type WorkItem = DataStreamerItem<EventRow> | DataStreamerItem<Partial<EventRow>>;

export const EVENTS_TABLE = {
  name: 'Events',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Seq', type: 'INT32' as const },
    { name: 'Payload', type: 'STRING' as const },
  ],
  primaryKey: ['Id'],
};

export interface WorkloadOptions {
  readonly seed: number;
  /** Items in all. */
  readonly items: number;
  /** Distinct keys (ids 0 .. keys - 1). */
  readonly keys: number;
  /** Share of REMOVEs, 0..1. Default 0.25. */
  readonly removeShare?: number;
  /** Added to every id, so several producers can write disjoint keys. Default 0. */
  readonly idOffset?: number;
}

/** A seeded workload: each item picks a key and takes the next sequence number of that key. */
export function workload(options: WorkloadOptions): WorkItem[] {
  const rng = createRng(options.seed).child('workload');
  const next = new Map<number, number>();
  const out: WorkItem[] = [];
  const offset = options.idOffset ?? 0;
  for (let i = 0; i < options.items; i++) {
    const k = rng.int(0, options.keys - 1);
    const seq = (next.get(k) ?? 0) + 1;
    next.set(k, seq);
    const Id = BigInt(k + offset);
    out.push(
      rng.chance(options.removeShare ?? 0.25)
        ? DataStreamerItem.removed<Partial<EventRow>>({ Id, Seq: seq })
        : DataStreamerItem.of<EventRow>({ Id, Seq: seq, Payload: `v${seq}-of-${k}` }),
    );
  }
  return out;
}

/** The sequence number an item carries. */
export function seqOf(item: unknown): number {
  const payload = (item instanceof DataStreamerItem ? item.payload : item) as Partial<EventRow>;
  if (payload.Seq === undefined) throw new Error('an item without Seq');
  return payload.Seq;
}

/** The table a workload leaves when every item is applied in order: the last operation per key wins. */
export function expectedRows(items: readonly WorkItem[]): EventRow[] {
  const last = new Map<bigint, WorkItem>();
  for (const item of items) last.set(item.payload.Id as bigint, item);
  const rows: EventRow[] = [];
  for (const item of last.values()) {
    if (item.operationType === 'PUT') rows.push(item.payload as EventRow);
  }
  return sortById(rows);
}

export function sortById<R extends { readonly Id?: unknown }>(rows: readonly R[]): R[] {
  return [...rows].sort((a, b) => {
    const x = a.Id as bigint;
    const y = b.Id as bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export interface Scenario {
  readonly cluster: SimCluster;
  /** `client-1`, connected to every node; it created the table. */
  readonly client: Client;
  readonly view: RecordView<EventRow>;
}

/** A started cluster with the Events table and a client connected to every node. */
export async function startScenario(
  options: SimClusterOptions & { readonly seed: number },
): Promise<Scenario> {
  const cluster = await SimCluster.start({ nodes: 3, partitions: 8, ...options });
  const client = await cluster.connect({ requestTimeoutMs: 1000 });
  const table = await client.catalog.createTable(EVENTS_TABLE);
  return { cluster, client, view: table.recordView<EventRow>() };
}

/** The record view of the Events table for `client`. */
export async function eventsView(client: Client): Promise<RecordView<EventRow>> {
  const table = await client.tables.table('Events');
  if (table === null) throw new Error('no Events table');
  return table.recordView<EventRow>();
}

/** Runs every checker; fails the test with the checkers' report unless all pass. */
export function expectValid(cluster: SimCluster): Verdict {
  const verdict = cluster.check<EventRow>({ key: (row) => row.Id, seq: (row) => row.Seq });
  expect(verdict.valid, verdict.report).toBe(true);
  return verdict;
}

/** The committed rows of the Events table, by id. */
export function tableRows(cluster: SimCluster): EventRow[] {
  return sortById(cluster.readTableNow('Events') as unknown as EventRow[]);
}

/** The apply events of one partition of the Events table after history position `afterN`. */
export function appliesOf(cluster: SimCluster, partition: number, afterN = -1) {
  return cluster.history
    .ofType('apply')
    .filter((e) => e.table === 'Events' && e.partition === partition && e.n > afterN);
}

/**
 * The items of `list` as an async source that runs `hooks[i]` (awaited) just before it yields item `i`:
 * a fault injected at a known point of the stream, whatever the timing.
 */
export async function* withHooks<T>(
  list: readonly T[],
  hooks: Readonly<Record<number, () => unknown>>,
): AsyncGenerator<T> {
  for (let i = 0; i < list.length; i++) {
    const hook = hooks[i];
    if (hook !== undefined) await hook();
    yield list[i] as T;
  }
}

/** The node that owns `partition` of the Events table now. */
export function ownerOf(cluster: SimCluster, partition: number): string {
  const schema = cluster.controlPlane.catalog.latest('Events');
  const owner =
    schema === undefined ? undefined : cluster.controlPlane.placement.owner(schema.tableId, partition);
  if (owner === undefined) throw new Error(`no owner for partition ${partition}`);
  return owner;
}

/** The partitions of the Events table that `node` owns now. */
export function partitionsOf(cluster: SimCluster, node: string): number[] {
  const out: number[] = [];
  const schema = cluster.controlPlane.catalog.latest('Events');
  for (let p = 0; p < (schema?.partitions ?? 0); p++) if (ownerOf(cluster, p) === node) out.push(p);
  return out;
}
