import { type OpName, type ResultMap, silentLogger } from '@datastreamer/protocol';
import type { ClusterMember } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { MemberRefresh } from '../src/cache/member-refresh.js';
import { PartitionAssignmentCache } from '../src/cache/partition-assignment-cache.js';
import { TableCache } from '../src/cache/table-cache.js';
import type { Reply, Requester } from '../src/connection/requester.js';

/** A requester whose answers the test releases by hand, recording what was asked of which node. */
class HeldRequester {
  readonly asked: { readonly op: string; readonly node: string | null | undefined }[] = [];
  readonly #waiting: { resolve: (result: unknown) => void; reject: (error: unknown) => void }[] = [];
  fail = false;

  readonly requester: Requester = {
    request: <K extends OpName>(op: K, _payload: unknown, node?: string | null): Promise<Reply<K>> => {
      this.asked.push({ op, node });
      return new Promise<Reply<K>>((resolve, reject) => {
        this.#waiting.push({
          // The test answers each op with its result shape.
          resolve: (result) =>
            resolve({
              result: result as ResultMap[K],
              node: node ?? 'any',
              bytes: 0,
              assignmentVersion: undefined,
            }),
          reject,
        });
      });
    },
  };

  /** Answers (or, with `fail`, fails) every request waiting, in order, with `answer(index)`. */
  async release(answer: (index: number) => unknown): Promise<void> {
    const waiting = this.#waiting.splice(0);
    waiting.forEach((w, i) => {
      if (this.fail) w.reject(new Error('no connection is open'));
      else w.resolve(answer(i));
    });
    await flush();
  }
}

const members = (...names: string[]): ClusterMember[] => names.map((name) => ({ name, endpoint: name }));

function setup(open: readonly string[] = ['node-1', 'node-2']) {
  const held = new HeldRequester();
  const lists: { members: readonly ClusterMember[]; version: number }[] = [];
  const assignments = new PartitionAssignmentCache(held.requester, undefined, (list, version) =>
    lists.push({ members: list, version }),
  );
  const tables = new TableCache(held.requester);
  const refresh = new MemberRefresh({
    assignments,
    tables,
    requester: held.requester,
    openNodes: () => open,
    logger: silentLogger,
  });
  return { held, lists, refresh, tables };
}

const assignment = (version: number, ...nodes: string[]) => ({
  assignmentVersion: version,
  owners: ['node-1'],
  nodes: members(...nodes),
});

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('MemberRefresh', () => {
  it('asks every node it has a connection to for the assignment of a table it knows', async () => {
    const { held, lists, refresh, tables } = setup();
    tables.put({ tableId: 7, name: 'Events', latestSchemaVersion: 1 });
    refresh.hint();
    await flush();
    expect(held.asked).toEqual([
      { op: 'PARTITION_ASSIGNMENT_GET', node: 'node-1' },
      { op: 'PARTITION_ASSIGNMENT_GET', node: 'node-2' },
    ]);
    await held.release(() => assignment(4, 'node-1', 'node-3'));
    expect(lists.map((l) => l.version)).toEqual([4, 4]);
    expect(lists[0]?.members.map((m) => m.name)).toEqual(['node-1', 'node-3']);
  });

  it('looks a table up first when it knows none', async () => {
    const { held, lists, refresh } = setup(['node-1']);
    refresh.hint();
    await flush();
    expect(held.asked).toEqual([{ op: 'TABLES_GET', node: undefined }]);
    await held.release(() => [{ tableId: 9, name: 'Plays', latestSchemaVersion: 1 }]);
    await flush();
    expect(held.asked.at(-1)).toEqual({ op: 'PARTITION_ASSIGNMENT_GET', node: 'node-1' });
    await held.release(() => assignment(2, 'node-1'));
    expect(lists).toHaveLength(1);
  });

  it('runs once more, not once per hint, for hints that arrive while it runs', async () => {
    const { held, refresh, tables } = setup(['node-1']);
    tables.put({ tableId: 7, name: 'Events', latestSchemaVersion: 1 });
    refresh.hint();
    refresh.hint();
    refresh.hint();
    await flush();
    expect(held.asked).toHaveLength(1);
    await held.release(() => assignment(1, 'node-1'));
    await flush();
    expect(held.asked).toHaveLength(2);
    await held.release(() => assignment(1, 'node-1'));
    await flush();
    expect(held.asked).toHaveLength(2);
  });

  it('forgets a refresh that failed, and tries again at the next hint', async () => {
    const { held, lists, refresh, tables } = setup(['node-1']);
    tables.put({ tableId: 7, name: 'Events', latestSchemaVersion: 1 });
    held.fail = true;
    refresh.hint();
    await flush();
    await held.release(() => null);
    await flush();
    held.fail = false;
    refresh.hint();
    await flush();
    expect(held.asked).toHaveLength(2);
    await held.release(() => assignment(3, 'node-1'));
    expect(lists.map((l) => l.version)).toEqual([3]);
  });
});
