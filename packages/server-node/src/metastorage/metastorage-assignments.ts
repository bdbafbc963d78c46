/**
 * The assignments kept in the metastorage, and a node's copy of them. Keys:
 *
 * | key | value |
 * |---|---|
 * | `assignments/version` | the assignment version they were written at (a MessagePack int) |
 * | `assignments/table/<id>` | the table's replica count, and per partition its owner, replicas and move target |
 *
 * (ids zero-padded to 10 digits). A new table's first assignment commits with the table itself (its partitions
 * spread over the members as `Placement.addTable` spreads them, metastorage-catalog.ts's `placeTable`), so a
 * node never knows a table without knowing where it is. The cluster's controller-side record is the shared `Placement` (as Ignite's
 * distribution-zone manager computes assignments and writes them to its metastorage): the member whose
 * metastorage replica leads publishes it (`AssignmentPublisher`) after every change, as one transaction that
 * writes the version and each table that changed, and holds only if nobody published since the revision its
 * copy holds. A publication drafts the placement as it is when drafted, so the version the metastorage holds
 * only grows, whichever leader wrote it. Changes that come while a publication is in flight are published
 * together next.
 *
 * Every node reads its own copy (`AssignmentCopy`), learned through the node's watch like the catalog: it may
 * be behind (a node cut off from the metastorage keeps the assignment it last learned, and the version with it).
 * It decides nothing and moves no data.
 */
import { type Clock, type Logger, MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type {
  Assignments,
  Placement,
  TableAssignment,
  TablePlacementRecord,
} from '../placement/placement.js';
import type { MetaEvent, MetaPut } from './meta-command.js';
import type { NodeMetastorage } from './node-metastorage.js';

const VERSION_KEY = 'assignments/version';
const TABLE_PREFIX = 'assignments/table/';
/** How long one publication keeps trying before the publisher looks again at whether it still leads, in ms. */
const PUBLISH_TIMEOUT_MS = 2_000;
/** The pause after a failed publication before the next try, in ms. */
const PUBLISH_PAUSE_MS = 100;

const tableKey = (tableId: number) => `${TABLE_PREFIX}${String(tableId).padStart(10, '0')}`;

/** The key and value of a table's assignment, as a transaction puts them (a new table's first one, say). */
export function tableRecordPut(tableId: number, record: TablePlacementRecord): MetaPut {
  return { key: tableKey(tableId), value: encodeTableRecord(record) };
}

export function encodeTableRecord(record: TablePlacementRecord): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeInt32(record.replicaCount, 'replicaCount');
  writer.writeArrayHeader(record.owners.length);
  record.owners.forEach((owner, p) => {
    writer.writeString(owner);
    writeNodes(writer, record.replicas[p] ?? []);
    const target = record.targets[p];
    if (target === undefined) writer.writeNil();
    else writeNodes(writer, target);
  });
  return writer.toBytes();
}

/** @throws ServerError `INTERNAL` for bytes that are not a table's assignment (a metastorage bug). */
export function decodeTableRecord(bytes: Uint8Array): TablePlacementRecord {
  try {
    const reader = new MsgPackReader(bytes);
    const replicaCount = reader.readInt32('replicaCount');
    const owners: string[] = [];
    const replicas: string[][] = [];
    const targets: (string[] | undefined)[] = [];
    for (let p = reader.readArrayHeader('partitions'); p > 0; p--) {
      owners.push(reader.readString('owner'));
      replicas.push(readNodes(reader));
      targets.push(reader.tryReadNil() ? undefined : readNodes(reader));
    }
    reader.expectEnd('table assignment');
    return { replicaCount, owners, replicas, targets };
  } catch (cause) {
    throw new ServerError('INTERNAL', `an assignment of the metastorage does not decode: ${String(cause)}`, {
      cause,
    });
  }
}

function writeNodes(writer: MsgPackWriter, nodes: readonly string[]): void {
  writer.writeArrayHeader(nodes.length);
  for (const node of nodes) writer.writeString(node);
}

function readNodes(reader: MsgPackReader): string[] {
  const nodes: string[] = [];
  for (let i = reader.readArrayHeader('nodes'); i > 0; i--) nodes.push(reader.readString('node'));
  return nodes;
}

function intBytes(value: number): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeInt(value, 'version');
  return writer.toBytes();
}

function readInt(bytes: Uint8Array): number {
  return new MsgPackReader(bytes).readSafeInteger('version');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** A node's copy of the assignments: what its metastorage copy holds, decoded, at the version it holds. */
export class AssignmentCopy implements Assignments {
  readonly #tables = new Map<number, TablePlacementRecord>();
  readonly #log: Logger;
  #version = 0;

  constructor(metastorage: NodeMetastorage, log: Logger) {
    this.#log = log;
    const view = metastorage.view;
    for (const entry of [...view.range(TABLE_PREFIX), ...view.range(VERSION_KEY)]) {
      this.#learn({ revision: entry.modRevision, key: entry.key, value: entry.value });
    }
    view.subscribe((event) => this.#learn(event));
  }

  get version(): number {
    return this.#version;
  }

  assignment(tableId: number): TableAssignment | undefined {
    const table = this.#tables.get(tableId);
    return table === undefined ? undefined : { version: this.#version, owners: [...table.owners] };
  }

  owner(tableId: number, partition: number): string | undefined {
    return this.#tables.get(tableId)?.owners[partition];
  }

  isReplicated(tableId: number): boolean {
    return (this.#tables.get(tableId)?.replicaCount ?? 1) > 1;
  }

  #learn(event: MetaEvent): void {
    try {
      if (event.key === VERSION_KEY) {
        if (event.value !== null) this.#version = readInt(event.value);
        return;
      }
      if (!event.key.startsWith(TABLE_PREFIX)) return;
      const tableId = Number(event.key.slice(TABLE_PREFIX.length));
      if (event.value === null) this.#tables.delete(tableId);
      else this.#tables.set(tableId, decodeTableRecord(event.value));
    } catch (error) {
      // Never expected; the copy must not stop learning the rest over it.
      this.#log.error(
        { key: event.key, revision: event.revision, err: error },
        'an assignment did not install',
      );
    }
  }
}

export interface AssignmentPublisherOptions {
  /** The controller-side record it publishes. */
  readonly placement: Placement;
  readonly metastorage: NodeMetastorage;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Publishes the placement into the metastorage while this node's metastorage replica leads (see the module
 * header). `poke` after every placement change and every election this node wins.
 */
export class AssignmentPublisher {
  readonly #options: AssignmentPublisherOptions;
  #running = false;
  #dirty = false;

  constructor(options: AssignmentPublisherOptions) {
    this.#options = options;
  }

  /** Something may have changed: publish it (now, or after the publication in flight). */
  poke(): void {
    this.#dirty = true;
    if (this.#running) return;
    this.#running = true;
    this.#loop()
      .catch((error: unknown) => this.#options.log.debug({ err: error }, 'the assignment publisher stopped'))
      .finally(() => {
        this.#running = false;
      });
  }

  #leads(): boolean {
    return this.#options.metastorage.group?.raft.role === 'leader';
  }

  async #loop(): Promise<void> {
    const { metastorage, clock, log } = this.#options;
    // A poke from an election comes as the role changes: look at the role once it has.
    await Promise.resolve();
    while (this.#dirty && this.#leads()) {
      this.#dirty = false;
      const draft = this.#draft();
      if (draft === undefined) continue;
      try {
        const result = await metastorage.propose(draft, PUBLISH_TIMEOUT_MS);
        if (!result.succeeded) {
          // Another publisher wrote first: catch up with it (for a while), then look again.
          await Promise.race([metastorage.view.reached(result.revision), clock.sleep(PUBLISH_TIMEOUT_MS)]);
          this.#dirty = true;
        }
      } catch (error) {
        log.debug({ err: error }, 'an assignment publication failed; trying again while this node leads');
        this.#dirty = true;
        await clock.sleep(PUBLISH_PAUSE_MS);
      }
    }
  }

  /** The transaction that brings the metastorage to the placement now; `undefined` when it is there. */
  #draft():
    | { compares: { key: string; modRevision: number }[]; puts: MetaPut[]; deletes: string[] }
    | undefined {
    const { placement, metastorage } = this.#options;
    const view = metastorage.view;
    const stored = view.get(VERSION_KEY);
    if (stored !== undefined && readInt(stored.value) >= placement.version) return undefined;
    const puts: MetaPut[] = [{ key: VERSION_KEY, value: intBytes(placement.version) }];
    for (const tableId of placement.tableIds()) {
      const record = placement.recordOf(tableId) as TablePlacementRecord;
      const bytes = encodeTableRecord(record);
      const known = view.get(tableKey(tableId));
      if (known === undefined || !sameBytes(known.value, bytes))
        puts.push({ key: tableKey(tableId), value: bytes });
    }
    return {
      compares: [{ key: VERSION_KEY, modRevision: view.modRevision(VERSION_KEY) }],
      puts,
      deletes: [],
    };
  }
}
