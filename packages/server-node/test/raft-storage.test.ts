import type { RaftEntry, RaftSnapshotMeta } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../src/disk/memory-disk.js';
import { RaftStorage } from '../src/raft/raft-storage.js';
import { caught } from './support/caught.js';
import { ManualClock } from './support/manual-clock.js';

const cmd = (term: number, text: string): RaftEntry => ({
  kind: 'command',
  term,
  command: new TextEncoder().encode(text),
});
const CONFIG = { voters: ['a', 'b', 'c'], learners: [] };

function fresh() {
  const clock = new ManualClock(0);
  const disk = new MemoryDisk({ clock, syncLatencyMs: 1 });
  const durable = () => {
    disk.sync(() => {});
    clock.advance(1);
  };
  return { disk, durable };
}

const texts = (entries: readonly { index: number; entry: RaftEntry }[]) =>
  entries.map(
    ({ index, entry }) =>
      `${index}@${entry.term}${entry.kind === 'command' ? `:${new TextDecoder().decode(entry.command)}` : ''}`,
  );

/** The snapshot file bytes another storage writes for `meta`. */
function snapshotFile(meta: RaftSnapshotMeta): Uint8Array {
  const { disk } = fresh();
  new RaftStorage(disk, 'tmp').saveSnapshot({ meta, data: Uint8Array.of(9) }, []);
  return disk.read('tmp/snapshot') as Uint8Array;
}

describe('RaftStorage', () => {
  it('reads back the term, the vote, and the log after appends and a truncation', () => {
    const { disk, durable } = fresh();
    const storage = new RaftStorage(disk, 'raft/g');
    storage.saveHardState({ term: 3, votedFor: 'b' });
    storage.append(1, [cmd(1, 'a'), cmd(1, 'b'), cmd(2, 'c')]);
    storage.truncateFrom(2);
    storage.append(2, [cmd(3, 'd')]);
    durable();
    disk.crash();
    const loaded = new RaftStorage(disk, 'raft/g').load();
    expect(loaded.hardState).toEqual({ term: 3, votedFor: 'b' });
    expect(loaded.snapshot).toBeNull();
    expect(texts(loaded.entries)).toEqual(['1@1:a', '2@3:d']);
  });

  it('starts empty on an empty disk', () => {
    const { disk } = fresh();
    expect(new RaftStorage(disk, 'raft/g').load()).toEqual({
      hardState: { term: 0, votedFor: null },
      snapshot: null,
      entries: [],
    });
  });

  it('keeps only the log after a snapshot, and truncates correctly in what it rewrote', () => {
    const { disk, durable } = fresh();
    const storage = new RaftStorage(disk, 'raft/g');
    storage.append(1, [cmd(1, 'a'), cmd(1, 'b'), cmd(1, 'c'), cmd(1, 'd')]);
    storage.saveSnapshot(
      { meta: { index: 2, term: 1, config: CONFIG, lease: null }, data: Uint8Array.of(1) },
      [cmd(1, 'c'), cmd(1, 'd')],
    );
    storage.truncateFrom(4);
    storage.append(4, [cmd(2, 'e')]);
    durable();
    const loaded = new RaftStorage(disk, 'raft/g').load();
    expect(loaded.snapshot?.meta.index).toBe(2);
    expect([...(loaded.snapshot?.data ?? [])]).toEqual([1]);
    expect(texts(loaded.entries)).toEqual(['3@1:c', '4@2:e']);
  });

  it('reconciles a snapshot whose log rewrite a crash lost: it keeps the agreeing tail', () => {
    const { disk, durable } = fresh();
    new RaftStorage(disk, 'raft/g').append(1, [cmd(1, 'a'), cmd(2, 'b'), cmd(2, 'c'), cmd(2, 'd')]);
    disk.write('raft/g/snapshot', snapshotFile({ index: 2, term: 2, config: CONFIG, lease: null }));
    durable();
    const storage = new RaftStorage(disk, 'raft/g');
    expect(texts(storage.load().entries)).toEqual(['3@2:c', '4@2:d']);
    // The log file was rewritten: a later truncation cuts at the right record.
    storage.truncateFrom(4);
    durable();
    expect(texts(new RaftStorage(disk, 'raft/g').load().entries)).toEqual(['3@2:c']);
  });

  it('drops the whole old log when the snapshot contradicts it', () => {
    const { disk, durable } = fresh();
    new RaftStorage(disk, 'raft/g').append(1, [cmd(1, 'a'), cmd(1, 'b'), cmd(1, 'c')]);
    disk.write('raft/g/snapshot', snapshotFile({ index: 2, term: 5, config: CONFIG, lease: null }));
    durable();
    expect(new RaftStorage(disk, 'raft/g').load().entries).toEqual([]);
  });

  it('refuses a file that does not decode with INTERNAL naming it', () => {
    const { disk } = fresh();
    disk.write('raft/g/state', Uint8Array.of(0xc1));
    const error = caught(() => new RaftStorage(disk, 'raft/g').load());
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Raft storage: raft/g/state does not decode');
  });
});
