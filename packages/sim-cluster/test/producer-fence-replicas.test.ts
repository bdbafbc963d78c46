import { type Response, RowCodec, type TableSchema } from '@datastreamer/protocol';
import type { BatchProducer } from '@datastreamer/protocol/internal';
import { storedRowTuple } from '@datastreamer/server-node/internal';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RawConnection } from './support/raw-connection.js';

const TABLE = 'Plays';

/**
 * A 3-node cluster with one partition of `Plays` on `replicas` replicas, and a raw client of its primary: the
 * producer fence's rules seen from the wire, with what every replica stores checked after each step.
 */
async function setup(replicas: number) {
  const cluster = await SimCluster.start({ nodes: 3, partitions: 1, seed: 23, replicas });
  const admin = await cluster.connect();
  await admin.catalog.createTable({
    name: TABLE,
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
  });
  const schema = cluster.controlPlane.catalog.latest(TABLE) as TableSchema;
  const codec = new RowCodec(schema);
  let primary = await cluster.primaryOf(TABLE, 0);
  let raw = await connectTo(cluster, primary);

  const send = (producer: BatchProducer, track: string): Promise<Response> => {
    const { noValueSet, tuple } = codec.encodeRow({ Id: 1, Track: track });
    return raw.send('STREAMER_BATCH_SEND', {
      tableId: schema.tableId,
      partitionId: 0,
      deleted: null,
      schemaVersion: schema.version,
      rows: [{ noValueSet, tuple }],
      targetNode: primary,
      assignmentVersion: cluster.controlPlane.placement.version,
      producer,
    });
  };
  const seal = (producerId: string, epoch: number): Promise<Response> =>
    raw.send('STREAMER_SEAL', {
      tableId: schema.tableId,
      partitionId: 0,
      targetNode: primary,
      assignmentVersion: cluster.controlPlane.placement.version,
      producerId,
      epoch,
    });
  /** The track of row 1 in every replica's store (every running replica has applied what committed). */
  const tracks = async (): Promise<(string | null)[]> => {
    await cluster.clock.sleep(300);
    const found: (string | null)[] = [];
    for (const name of await cluster.replicasOf(TABLE, 0)) {
      const node = cluster.node(name);
      const store = node.localPartition(schema.tableId, 0);
      if (store === undefined) continue;
      const rows = [...store.scan(node.clock.now())];
      const stored = rows[0]?.row;
      found.push(stored === undefined ? null : String(codec.decodeRow(storedRowTuple(stored))['Track']));
    }
    return found;
  };
  /** Crashes the primary and goes on with the replica that takes over (on 1 replica: the same node, restarted). */
  const failOver = async (): Promise<string> => {
    const old = primary;
    cluster.crashNode(old);
    if (replicas === 1) await cluster.restartNode(old);
    primary = await cluster.primaryOf(TABLE, 0);
    raw = await connectTo(cluster, primary);
    return old;
  };
  return { cluster, send, seal, tracks, failOver, primary: () => primary };
}

async function connectTo(cluster: SimCluster, node: string): Promise<RawConnection> {
  const raw = await RawConnection.open(cluster, `raw-${node}-${cluster.clock.now()}`, node);
  const answer = await raw.handshake('client', 'raw');
  if (answer.kind === 'rejected') throw new Error(`handshake refused: ${answer.error.message}`);
  return raw;
}

function outcome(response: Response): string {
  return response.kind === 'error' ? response.error.code : 'ok';
}

const at = (epoch: number, batchSeq: number): BatchProducer => ({ producerId: 'p', epoch, batchSeq });

describe.each([1, 3])('Producer fence on %i replica(s) of a partition', (replicas) => {
  it('acknowledges a duplicate without applying it anywhere, and refuses an older epoch', async () => {
    const { cluster, send, tracks } = await setup(replicas);
    await using _ = cluster;
    expect(outcome(await send(at(1, 1), 'seq 1'))).toBe('ok');
    expect(outcome(await send(at(1, 2), 'seq 2'))).toBe('ok');
    expect(outcome(await send(at(1, 1), 'late attempt of seq 1'))).toBe('ok');
    expect(outcome(await send(at(1, 2), 'seq 2 again'))).toBe('ok');
    expect(outcome(await send(at(2, 1), 'epoch 2'))).toBe('ok');
    expect(outcome(await send(at(1, 3), 'epoch 1 after epoch 2'))).toBe('PRODUCER_FENCED');
    expect(await tracks()).toEqual(Array(replicas).fill('epoch 2'));
  });

  it('applies batches strictly in turn on every replica: one that came early is refused retryably', async () => {
    const { cluster, send, tracks } = await setup(replicas);
    await using _ = cluster;
    const early = await send(at(1, 2), 'seq 2 early');
    expect(outcome(early)).toBe('OUT_OF_ORDER_BATCH');
    expect(early.kind === 'error' && early.error.retryable).toBe(true);
    expect(await tracks()).toEqual(Array(replicas).fill(null));
    expect(outcome(await send(at(1, 1), 'seq 1'))).toBe('ok');
    expect(outcome(await send(at(1, 3), 'seq 3 before 2'))).toBe('OUT_OF_ORDER_BATCH');
    expect(await tracks()).toEqual(Array(replicas).fill('seq 1'));
    expect(outcome(await send(at(1, 2), 'seq 2'))).toBe('ok');
    expect(outcome(await send(at(1, 3), 'seq 3'))).toBe('ok');
    expect(await tracks()).toEqual(Array(replicas).fill('seq 3'));
  });

  it('seals an epoch on every replica: answers what applied, then refuses anything newer of it', async () => {
    const { cluster, send, seal, tracks } = await setup(replicas);
    await using _ = cluster;
    expect(outcome(await send(at(1, 1), 'seq 1'))).toBe('ok');
    expect(outcome(await send(at(1, 2), 'seq 2'))).toBe('ok');
    expect(await seal('p', 1)).toMatchObject({ kind: 'ok', result: { appliedSeq: 2 } });
    expect(outcome(await send(at(1, 3), 'seq 3 held'))).toBe('PRODUCER_FENCED');
    expect(outcome(await send(at(1, 2), 'seq 2 again'))).toBe('ok');
    expect(await tracks()).toEqual(Array(replicas).fill('seq 2'));
  });

  it('keeps the fence across the loss of the primary: the next primary decides as the old one would', async () => {
    const { cluster, send, seal, tracks, failOver, primary } = await setup(replicas);
    await using _ = cluster;
    expect(outcome(await send(at(1, 1), 'seq 1'))).toBe('ok');
    expect(outcome(await send(at(1, 2), 'seq 2'))).toBe('ok');
    const old = await failOver();
    if (replicas > 1) expect(primary()).not.toBe(old);
    expect(outcome(await send(at(1, 2), 'seq 2 retried after the failover'))).toBe('ok');
    expect(outcome(await send(at(1, 4), 'seq 4 early'))).toBe('OUT_OF_ORDER_BATCH');
    expect(outcome(await send(at(1, 3), 'seq 3'))).toBe('ok');
    expect(await seal('p', 1)).toMatchObject({ kind: 'ok', result: { appliedSeq: 3 } });
    const running = (await tracks()).length;
    expect(await tracks()).toEqual(Array(running).fill('seq 3'));
    expect(running).toBe(replicas === 1 ? 1 : 2);
  });
});
