import { describe, expect, it } from 'vitest';
import { LocalControlPlane } from '../src/placement/control-plane.js';
import { Placement } from '../src/placement/placement.js';
import { PlacementDriver } from '../src/placement/placement-driver.js';
import { ManualClock } from './support/manual-clock.js';

function placementOf(...members: string[]): Placement {
  const placement = new Placement();
  for (const member of members) placement.addMember(member);
  return placement;
}

describe('Placement of replicated tables', () => {
  it('gives each partition its replica count of members, the preferred primary first, round-robin', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 4, 3);
    expect(placement.replicasOf(1, 0)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(placement.replicasOf(1, 3)).toEqual(['node-4', 'node-1', 'node-2']);
    expect(placement.assignment(1)?.owners).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    expect(placement.isReplicated(1)).toBe(true);
    expect(placement.replicatedPartitionsOf('node-4')).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
  });

  it('refuses a replica count above the member count and primaries outside the replica set', () => {
    const placement = placementOf('node-1', 'node-2');
    expect(() => placement.addTable(1, 2, 3)).toThrow(/replicas: expected an integer in 1\.\.2 .* got 3/);
    placement.addMember('node-3');
    placement.addMember('node-4');
    placement.addTable(1, 2, 3);
    expect(() => placement.setOwner(1, 0, 'node-4')).toThrow(/holds no replica of partition 0/);
    placement.setOwner(1, 0, 'node-3');
    expect(placement.owner(1, 0)).toBe('node-3');
  });

  it('plans no move of a replicated table and keeps members that hold its replicas', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3');
    placement.addTable(1, 6, 3);
    placement.addMember('node-4');
    expect(placement.planRebalance()).toEqual([]);
    expect(() => placement.removeMember('node-4')).not.toThrow();
    expect(() => placement.removeMember('node-3')).toThrow(/still owns 2 partitions/);
  });

  it('forgets a destroyed member: its unreplicated partitions go to the least loaded, replicas stay listed', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3');
    placement.addTable(1, 3, 1);
    placement.addTable(2, 3, 3);
    placement.forgetMember('node-2');
    expect(placement.members).toEqual(['node-1', 'node-3']);
    expect(placement.owner(1, 1)).toBe('node-1');
    expect(placement.replicasOf(1, 1)).toEqual(['node-1']);
    expect(placement.replicasOf(2, 1)).toEqual(['node-2', 'node-3', 'node-1']);
    expect(() => placementOf('node-1').forgetMember('node-1')).toThrow(/last member/);
  });
});

describe('LocalControlPlane replicas', () => {
  it('creates a table with the default replica count, or its own, and refuses one above the node count', () => {
    const plane = new LocalControlPlane({ defaultReplicas: 2, clock: new ManualClock() });
    for (const node of ['node-1', 'node-2', 'node-3']) plane.placement.addMember(node);
    const columns = [{ name: 'K', type: 'INT32' as const }];
    const a = plane.createTable({ name: 'A', columns, primaryKey: ['K'] });
    const b = plane.createTable({ name: 'B', columns, primaryKey: ['K'], replicas: 3 });
    expect(plane.placement.replicaCount(a.tableId)).toBe(2);
    expect(plane.placement.replicaCount(b.tableId)).toBe(3);
    expect(() => plane.createTable({ name: 'C', columns, primaryKey: ['K'], replicas: 4 })).toThrow(
      /table "C": replicas must be an integer in 1\.\.3 \(the cluster has 3 nodes\), got 4/,
    );
    expect(plane.catalog.latest('C')).toBeUndefined();
    expect(() => new LocalControlPlane({ defaultReplicas: 0 })).toThrow(/defaultReplicas/);
  });
});

describe('PlacementDriver', () => {
  function setup() {
    const clock = new ManualClock(0);
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 2, 3);
    const driver = new PlacementDriver({ placement, clock, leaseMs: 1000 });
    const events: string[] = [];
    driver.subscribe((e) =>
      events.push(`${e.kind} ${e.lease.holder}@${e.lease.term} until ${e.lease.expiresAtMs}`),
    );
    return { clock, placement, driver, events };
  }

  it('grants a lease to a replica and records it as the primary', () => {
    const { placement, driver, events } = setup();
    const version = placement.version;
    expect(driver.acquire(1, 0, 'node-2', 3)).toMatchObject({
      holder: 'node-2',
      term: 3,
      startMs: 0,
      expiresAtMs: 1000,
    });
    expect(placement.owner(1, 0)).toBe('node-2');
    expect(placement.version).toBe(version + 1);
    expect(events).toEqual(['granted node-2@3 until 1000']);
  });

  it('never leases a replica while another replica holds a lease that has not expired', () => {
    const { clock, driver } = setup();
    driver.acquire(1, 0, 'node-1', 1);
    clock.advance(999);
    expect(driver.acquire(1, 0, 'node-2', 2)).toBeUndefined();
    clock.advance(1);
    expect(driver.acquire(1, 0, 'node-2', 2)).toMatchObject({ holder: 'node-2', startMs: 1000 });
  });

  it('renews the holder in the same term without a new grant, and leases it at once in a newer term', () => {
    const { clock, driver, events } = setup();
    driver.acquire(1, 0, 'node-1', 1);
    clock.advance(600);
    expect(driver.acquire(1, 0, 'node-1', 1)).toMatchObject({ startMs: 0, expiresAtMs: 1600 });
    expect(driver.acquire(1, 0, 'node-1', 2)).toMatchObject({ term: 2, startMs: 600 });
    expect(driver.acquire(1, 0, 'node-1', 1)).toBeUndefined();
    expect(events).toHaveLength(2);
    expect(driver.grants).toBe(2);
  });

  it('refuses to lease a node that holds no replica of the partition', () => {
    const { driver } = setup();
    expect(() => driver.acquire(1, 0, 'node-4', 1)).toThrow(
      /node-4 holds no replica of partition 0 of table 1/,
    );
    expect(
      () => new PlacementDriver({ placement: new Placement(), clock: new ManualClock(), leaseMs: 0 }),
    ).toThrow(/leaseMs/);
  });
});
