/**
 * The workload side of a scenario: the table every scenario streams into (rows carry their producer and
 * the producer's per-key sequence number, so the checkers can judge them), the streamer items a scenario
 * stream stands for, and a seeded generator of workloads.
 *
 * Sequence numbers are implied: the n-th item of a stream on a key has `Seq = n` (from 1), PUT or REMOVE.
 * A REMOVE's payload is its key plus `Seq` (the cluster reads only the key columns), so the recorder can read
 * the sequence of every item the same way.
 */
import { DataStreamerItem } from '@datastreamer/client';
import { createRng } from '@datastreamer/protocol';
import type { ScenarioItem, ScenarioStream, ScenarioWorkload } from './scenario.js';

/** Default table name of a scenario. */
export const SCENARIO_TABLE = 'Events';

/** A row of a scenario table. */
export interface ScenarioRow {
  readonly Id: bigint;
  /** The producer's sequence number for this key. */
  readonly Seq: number;
  /** The client that streamed it (`client-2`, ...). */
  readonly Producer: string;
}

/** What a scenario stream hands the streamer. */
export type ScenarioStreamItem = DataStreamerItem<ScenarioRow> | DataStreamerItem<Partial<ScenarioRow>>;

/** The table definition (`client.catalog.createTable`) of a scenario's table. */
export function scenarioTable(name: string = SCENARIO_TABLE, partitions?: number) {
  return {
    name,
    columns: [
      { name: 'Id', type: 'INT64' as const },
      { name: 'Seq', type: 'INT32' as const },
      { name: 'Producer', type: 'STRING' as const },
    ],
    primaryKey: ['Id'],
    ...(partitions === undefined ? {} : { partitions }),
  };
}

/** A `Seq` the table refuses (over INT32's range): the poison item carries it. */
export const POISON_SEQ = 2 ** 31;

/**
 * The streamer items of `stream`, as streamed by `producer`, with their per-key sequence numbers (the item at
 * `stream.poisonAt`, a PUT whatever its op, carries {@link POISON_SEQ}, which the table refuses).
 */
export function streamItems(stream: ScenarioStream, producer: string): ScenarioStreamItem[] {
  const seqs = new Map<number, number>();
  const out: ScenarioStreamItem[] = new Array(stream.items.length);
  for (let i = 0; i < stream.items.length; i++) {
    const { op, key } = stream.items[i] as ScenarioItem;
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    const Id = BigInt(key);
    out[i] =
      i === stream.poisonAt
        ? DataStreamerItem.of<ScenarioRow>({ Id, Seq: POISON_SEQ, Producer: producer })
        : op === 'PUT'
          ? DataStreamerItem.of<ScenarioRow>({ Id, Seq: seq, Producer: producer })
          : DataStreamerItem.removed<Partial<ScenarioRow>>({ Id, Seq: seq });
  }
  return out;
}

/** `item` as another producer streams it: same op, key and seq, its rows naming `producer`. */
export function resumedAs(item: ScenarioStreamItem, producer: string): ScenarioStreamItem {
  const payload = item.payload;
  if (item.operationType === 'REMOVE') return DataStreamerItem.removed<Partial<ScenarioRow>>({ ...payload });
  return DataStreamerItem.of<ScenarioRow>({ ...(payload as ScenarioRow), Producer: producer });
}

/** The sequence number a scenario item carries. */
export function scenarioSeq(item: ScenarioStreamItem): number {
  // Every item streamItems makes carries Seq; a missing one would be a bug here, so it shows as NaN and the
  // history refuses it.
  return item.payload.Seq ?? Number.NaN;
}

/** Options of {@link generateWorkload}. */
export interface GenerateWorkloadOptions {
  /** Streams (each by its own client). Default 1. */
  readonly streams?: number;
  /** Items per stream. Default 200. */
  readonly items?: number;
  /** Distinct keys, shared by all streams (`0 .. keys - 1`). Default 20. */
  readonly keys?: number;
  /** Share of REMOVEs, 0..1. Default 0.2. */
  readonly removeShare?: number;
  readonly table?: string;
  readonly partitions?: number;
  readonly streamOptions?: ScenarioStream['options'];
}

/**
 * A workload drawn from `createRng(seed).child('workload')`: the same seed and options give the same items.
 */
export function generateWorkload(
  seed: number | bigint,
  options: GenerateWorkloadOptions = {},
): ScenarioWorkload {
  const rng = createRng(seed).child('workload');
  const keys = options.keys ?? 20;
  const removeShare = options.removeShare ?? 0.2;
  const streams: ScenarioStream[] = [];
  for (let s = 0; s < (options.streams ?? 1); s++) {
    const items: ScenarioItem[] = [];
    for (let i = 0; i < (options.items ?? 200); i++) {
      const key = rng.int(0, keys - 1);
      items.push({ op: rng.chance(removeShare) ? 'REMOVE' : 'PUT', key });
    }
    streams.push(options.streamOptions === undefined ? { items } : { items, options: options.streamOptions });
  }
  return {
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    streams,
  };
}
