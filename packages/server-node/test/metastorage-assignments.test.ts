import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors/server-error.js';
import { decodeTableRecord, encodeTableRecord } from '../src/metastorage/metastorage-assignments.js';
import { Placement, type TablePlacementRecord } from '../src/placement/placement.js';

const node = fc.constantFrom('node-1', 'node-2', 'node-3', 'node-4', 'node-5');
const nodes = fc.uniqueArray(node, { minLength: 1, maxLength: 3 });

const record: fc.Arbitrary<TablePlacementRecord> = fc
  .array(fc.record({ owner: node, replicas: nodes, target: fc.option(nodes, { nil: undefined }) }), {
    minLength: 1,
    maxLength: 12,
  })
  .chain((partitions) =>
    fc.integer({ min: 1, max: 7 }).map((replicaCount) => ({
      replicaCount,
      owners: partitions.map((p) => p.owner),
      replicas: partitions.map((p) => p.replicas),
      targets: partitions.map((p) => p.target),
    })),
  );

describe('MetastorageAssignments', () => {
  it('decodes every table assignment it encodes, moves under way included', () => {
    fc.assert(
      fc.property(record, (written) => {
        expect(decodeTableRecord(encodeTableRecord(written))).toEqual(written);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps what the placement records of a table, through a move and a membership change', () => {
    const placement = new Placement();
    for (const name of ['node-1', 'node-2', 'node-3', 'node-4']) placement.addMember(name);
    placement.addTable(7, 4, 3);
    placement.setTarget(7, 1, ['node-1', 'node-3', 'node-4']);
    placement.recordMembership(7, 2, { voters: ['node-3', 'node-4', 'node-1'], learners: [], index: 9 });
    const kept = placement.recordOf(7) as TablePlacementRecord;
    expect(kept.targets[1]).toEqual(['node-1', 'node-3', 'node-4']);
    expect(kept.replicas[2]).toEqual(['node-3', 'node-4', 'node-1']);
    expect(decodeTableRecord(encodeTableRecord(kept))).toEqual(kept);
    expect(placement.tableIds()).toEqual([7]);
    expect(placement.recordOf(8)).toBeUndefined();
  });

  it('refuses bytes that are not a table assignment with a typed error', () => {
    const bytes = encodeTableRecord({
      replicaCount: 1,
      owners: ['node-1'],
      replicas: [['node-1']],
      targets: [undefined],
    });
    for (const bad of [
      bytes.subarray(0, bytes.length - 1),
      Uint8Array.of(0xc1),
      new Uint8Array([...bytes, 0]),
    ]) {
      let thrown: unknown;
      try {
        decodeTableRecord(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ServerError);
      expect((thrown as ServerError).code).toBe('INTERNAL');
      expect((thrown as ServerError).message).toMatch(/assignment of the metastorage does not decode/);
    }
  });
});
