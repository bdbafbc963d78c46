import type { TableDefinition } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.js';
import { ServerError } from '../src/errors/server-error.js';

const events: TableDefinition = {
  name: 'TrackEvents',
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'UserId', type: 'INT32' },
    { name: 'EventType', type: 'STRING' },
    { name: 'Duration', type: 'INT64', nullable: true, default: 0 },
  ],
  primaryKey: ['EventId'],
};

function rejects(definition: unknown, pattern: RegExp, code = 'INVALID_SCHEMA'): void {
  const catalog = new Catalog();
  try {
    catalog.createTable(definition as TableDefinition);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe(code);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`accepted ${JSON.stringify(definition)}`);
}

describe('Catalog', () => {
  it('creates version 1 with key and colocation indexes and the default partition count', () => {
    const schema = new Catalog({ defaultPartitions: 8 }).createTable({
      ...events,
      primaryKey: ['UserId', 'EventId'],
      colocateBy: ['UserId'],
    });
    expect(schema).toMatchObject({ tableId: 1, tableName: 'TrackEvents', version: 1, partitions: 8 });
    expect(schema.keyColumns).toEqual([1, 0]);
    expect(schema.colocationColumns).toEqual([1]);
  });

  it('colocates by the primary key when colocateBy is absent', () => {
    const schema = new Catalog().createTable(events);
    expect(schema.colocationColumns).toEqual(schema.keyColumns);
    expect(schema.partitions).toBe(16);
  });

  it('rejects duplicate column names', () => {
    rejects(
      { ...events, columns: [...events.columns, { name: 'UserId', type: 'INT64' }] },
      /"UserId" is defined twice/,
    );
  });

  it('rejects unknown types and names the known ones', () => {
    rejects(
      { ...events, columns: [{ name: 'EventId', type: 'LONG' }] },
      /unknown type "LONG" \(known: BOOLEAN/,
    );
  });

  it('rejects a nullable key column', () => {
    rejects(
      { ...events, columns: [{ name: 'EventId', type: 'INT64', nullable: true }] },
      /key column "EventId" cannot be nullable/,
    );
  });

  it('rejects colocation columns outside the key', () => {
    rejects({ ...events, colocateBy: ['UserId'] }, /"UserId" is not a primary key column/);
  });

  it('rejects a key naming an unknown column', () => {
    rejects({ ...events, primaryKey: ['Nope'] }, /primary key names unknown column "Nope"/);
  });

  it('rejects an empty key and an empty column list', () => {
    rejects({ ...events, primaryKey: [] }, /needs a primary key/);
    rejects({ ...events, columns: [] }, /needs at least one column/);
  });

  it.each([0, -1, 1.5, 70000, '4'])('rejects partition count %s', (partitions) => {
    rejects({ ...events, partitions }, /partitions must be an integer in 1\.\.65535/);
  });

  it('rejects precision and scale where the type has none, and out of range', () => {
    rejects(
      { ...events, columns: [...events.columns, { name: 'X', type: 'INT32', precision: 3 }] },
      /INT32 has no precision/,
    );
    rejects(
      { ...events, columns: [...events.columns, { name: 'T', type: 'TIMESTAMP', precision: 10 }] },
      /precision must be an integer in 0\.\.9, got 10/,
    );
    rejects(
      { ...events, columns: [...events.columns, { name: 'D', type: 'DECIMAL', precision: 3, scale: 5 }] },
      /scale 5 is larger than precision 3/,
    );
  });

  it('rejects a default that does not fit the column', () => {
    rejects(
      { ...events, columns: [...events.columns, { name: 'N', type: 'INT32', default: 'many' }] },
      /column "N": default "many" does not fit the column/,
    );
  });

  it('rejects a second table with the same name', () => {
    const catalog = new Catalog();
    catalog.createTable(events);
    expect(() => catalog.createTable(events)).toThrow(/table "TrackEvents" already exists/);
  });

  it('adds a nullable or defaulted column as a new version and keeps every version readable', () => {
    const catalog = new Catalog();
    const v1 = catalog.createTable(events);
    const v2 = catalog.addColumn('TrackEvents', { name: 'Metadata', type: 'STRING', nullable: true });
    const v3 = catalog.addColumn('TrackEvents', { name: 'Rating', type: 'INT32', default: 3 });
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(catalog.schema(v1.tableId, 1)).toBe(v1);
    expect(catalog.schema(v1.tableId, 2)?.columns.map((c) => c.name)).toContain('Metadata');
    expect(catalog.latest('TrackEvents')).toBe(v3);
    expect(catalog.versions(v1.tableId)).toHaveLength(3);
    expect(v1.columns).toHaveLength(4);
  });

  it('refuses to add a column that is neither nullable nor defaulted, or already exists', () => {
    const catalog = new Catalog();
    catalog.createTable(events);
    expect(() => catalog.addColumn('TrackEvents', { name: 'X', type: 'INT32' })).toThrow(
      /must be nullable or have a default/,
    );
    expect(() => catalog.addColumn('TrackEvents', { name: 'UserId', type: 'INT32', nullable: true })).toThrow(
      /already has a column "UserId"/,
    );
    expect(() => catalog.addColumn('Nope', { name: 'X', type: 'INT32', nullable: true })).toThrow(
      /table "Nope" does not exist/,
    );
  });
});
