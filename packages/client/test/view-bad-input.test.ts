import { InvalidValueError, ProtocolError, UnknownColumnError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import type { RowObject } from '../src/table/table-rows.js';
import { EVENTS, type Fixture, PLAYS, startFixture } from './support/client-fixture.js';

async function views(fixture: Fixture, name = 'Events') {
  const table = await fixture.client.tables.table(name);
  if (table === null) throw new Error('no table');
  // A first read loads the schema and the assignment, so what follows is only the operation under test.
  await table.recordView().get(name === 'Events' ? { EventId: 0n } : { TrackId: '', UserId: 0 });
  return { record: table.recordView<RowObject>(), kv: table.keyValueView<RowObject, RowObject>() };
}

async function refusal(fixture: Fixture, operation: () => Promise<unknown>): Promise<unknown> {
  const before = fixture.cluster.rowRequests().length;
  const failure = await operation().then(
    () => new Error('the operation succeeded'),
    (error: unknown) => error,
  );
  expect(fixture.cluster.rowRequests().length).toBe(before);
  return failure;
}

describe('Table views with bad input', () => {
  it('names a missing key column and sends nothing', async () => {
    await using fixture = await startFixture({ tables: [EVENTS, PLAYS] });
    const { record, kv } = await views(fixture);
    for (const attempt of [
      () => record.upsert({ Name: 'x' }),
      () => record.get({}),
      () => record.delete({ Name: 'x' }),
      () => record.upsertAll([{ EventId: 1n, Name: 'ok' }, { Name: 'x' }]),
      () => kv.upsert({}, { Name: 'x' }),
      () => kv.get({}),
    ]) {
      const failure = await refusal(fixture, attempt);
      expect(failure).toBeInstanceOf(InvalidValueError);
      expect(failure).toMatchObject({ column: 'EventId', code: 'INVALID_ROW', retryable: false });
      expect((failure as Error).message).toContain('"EventId"');
    }
    const plays = (await views(fixture, 'Plays')).record;
    expect(await refusal(fixture, () => plays.get({ TrackId: 't' }))).toMatchObject({ column: 'UserId' });
  });

  it('names a column given a value of the wrong type', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { record, kv } = await views(fixture);
    expect(await refusal(fixture, () => record.upsert({ EventId: 1n, Name: 5 }))).toMatchObject({
      column: 'Name',
    });
    expect(await refusal(fixture, () => record.upsert({ EventId: 1.5, Name: 'x' }))).toMatchObject({
      column: 'EventId',
    });
    expect(await refusal(fixture, () => record.get({ EventId: 'one' }))).toMatchObject({ column: 'EventId' });
    expect(
      await refusal(fixture, () => kv.upsert({ EventId: 1n }, { Name: 'x', Duration: 2 ** 40 })),
    ).toMatchObject({
      column: 'Duration',
    });
  });

  it('names a non-nullable column given null or left out', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { record } = await views(fixture);
    const explicit = await refusal(fixture, () => record.upsert({ EventId: 1n, Name: null }));
    expect(explicit).toBeInstanceOf(InvalidValueError);
    expect(explicit).toMatchObject({ column: 'Name' });
    expect(await refusal(fixture, () => record.upsert({ EventId: 1n }))).toMatchObject({ column: 'Name' });
  });

  it('names an unknown column after reloading the schema once', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { record, kv } = await views(fixture);
    const schemaLoads = fixture.cluster.requestsOf('SCHEMAS_GET').length;
    const failure = await refusal(fixture, () => record.upsert({ EventId: 1n, Name: 'x', Colour: 'red' }));
    expect(failure).toBeInstanceOf(UnknownColumnError);
    expect(failure).toMatchObject({ column: 'Colour', code: 'INVALID_ROW' });
    expect(fixture.cluster.requestsOf('SCHEMAS_GET').length).toBe(schemaLoads + 1);
    expect(
      await refusal(fixture, () => kv.upsert({ EventId: 1n }, { Colour: 'red', Name: 'x' })),
    ).toMatchObject({
      column: 'Colour',
    });
  });

  it('names a column given on the wrong side of a key-value pair', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { kv } = await views(fixture);
    const keyInValue = await refusal(fixture, () => kv.upsert({ EventId: 1n }, { EventId: 2n, Name: 'x' }));
    expect(keyInValue).toBeInstanceOf(InvalidValueError);
    expect(keyInValue).toMatchObject({ column: 'EventId' });
    expect((keyInValue as Error).message).toContain('belongs in the key');
    const valueInKey = await refusal(fixture, () => kv.get({ EventId: 1n, Name: 'x' }));
    expect(valueInKey).toMatchObject({ column: 'Name' });
    expect((valueInKey as Error).message).toContain('belongs in the value');
  });

  it('refuses rows and arguments of the wrong shape', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { record, kv } = await views(fixture);
    expect(await refusal(fixture, () => record.upsert(null as unknown as RowObject))).toMatchObject({
      code: 'INVALID_ROW',
    });
    expect(await refusal(fixture, () => record.getAll('keys' as unknown as RowObject[]))).toBeInstanceOf(
      ClientError,
    );
    expect(
      await refusal(fixture, () => kv.upsert({ EventId: 1n }, 'v' as unknown as RowObject)),
    ).toBeInstanceOf(ProtocolError);
    expect(await refusal(fixture, () => kv.upsertAll(5 as unknown as []))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('gives null for a table that does not exist', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    expect(await fixture.client.tables.table('events')).toBeNull();
    expect(await fixture.client.tables.table('Missing')).toBeNull();
    expect(await fixture.client.tables.table('').catch((e: unknown) => e)).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('Catalog with bad definitions', () => {
  async function definitionError(fixture: Fixture, definition: unknown): Promise<InvalidOptionError> {
    const before = fixture.cluster.received.length;
    const failure = await fixture.client.catalog
      .createTable(definition as Parameters<typeof fixture.client.catalog.createTable>[0])
      .catch((e: unknown) => e);
    expect(fixture.cluster.received.length).toBe(before);
    expect(failure).toBeInstanceOf(InvalidOptionError);
    return failure as InvalidOptionError;
  }

  it.each([
    [{ ...EVENTS, name: '' }, 'name'],
    [{ ...EVENTS, columns: [] }, 'columns'],
    [{ ...EVENTS, columns: [...EVENTS.columns, { name: 'X', type: 'INT' }] }, 'columns[3].type'],
    [{ ...EVENTS, columns: [...EVENTS.columns, { name: 'Name', type: 'STRING' }] }, 'columns[3].name'],
    [
      { ...EVENTS, columns: [...EVENTS.columns, { name: 'X', type: 'INT32', nulable: true }] },
      'columns[3].nulable',
    ],
    [
      { ...EVENTS, columns: [...EVENTS.columns, { name: 'X', type: 'INT32', default: 'zero' }] },
      'columns[3].default',
    ],
    [{ ...EVENTS, primaryKey: ['Id'] }, 'primaryKey[0]'],
    [{ ...EVENTS, primaryKey: ['Duration'] }, 'primaryKey[0]'],
    [{ ...EVENTS, colocateBy: ['Name'] }, 'colocateBy[0]'],
    [{ ...EVENTS, partitions: 0 }, 'partitions'],
    [{ ...EVENTS, replicas: 1.5 }, 'replicas'],
    [{ ...EVENTS, replicas: 0 }, 'replicas'],
  ])('names the bad field of a table definition %#', async (definition, field) => {
    await using fixture = await startFixture();
    const failure = await definitionError(fixture, definition);
    expect(failure.option).toBe(field);
    expect(failure.message).toContain(`'${field}'`);
  });

  it('names the bad field of an added column and passes cluster refusals through', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { catalog } = fixture.client;
    expect(
      await catalog.addColumn('Events', { name: 'X', type: 'INT32' }).catch((e: unknown) => e),
    ).toMatchObject({
      option: 'column',
    });
    expect(
      await catalog
        .addColumn('Events', { name: 'X', type: 'BIT' as 'INT32', nullable: true })
        .catch((e: unknown) => e),
    ).toMatchObject({ option: 'column.type' });
    expect(
      await catalog.addColumn('', { name: 'X', type: 'INT32', nullable: true }).catch((e: unknown) => e),
    ).toMatchObject({
      option: 'tableName',
    });
    expect(fixture.cluster.requestsOf('COLUMN_ADD')).toHaveLength(0);
    expect(
      await catalog
        .addColumn('Events', { name: 'Name', type: 'STRING', nullable: true })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'COLUMN_ALREADY_EXISTS' });
    expect(await catalog.createTable(EVENTS).catch((e: unknown) => e)).toMatchObject({
      code: 'TABLE_ALREADY_EXISTS',
    });
    const schema = await catalog.addColumn('Events', { name: 'Extra', type: 'STRING', nullable: true });
    expect(schema.version).toBe(2);
  });
});
