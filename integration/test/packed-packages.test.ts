// The published packages work as a user gets them: packed the way `pnpm publish` packs them (so `prepack` must
// build: a tarball without dist/ is the bug this guards), installed with npm into a project outside the
// repository, imported as ESM and compiled against with tsc under `moduleResolution` node16 and bundler.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED, packPublished, run, scratchProject } from '../src/pack-and-install.js';
import { TSC } from '../src/repository-root.js';

/** Imports every entry point from the installed packages and runs a small stream through the built code. */
const ESM_CHECK = `
import * as protocol from '@datastreamer/protocol';
import * as protocolInternal from '@datastreamer/protocol/internal';
import * as serverNode from '@datastreamer/server-node';
import * as serverNodeInternal from '@datastreamer/server-node/internal';
import * as client from '@datastreamer/client';
import * as clientInternal from '@datastreamer/client/internal';
import * as sim from '@datastreamer/sim-cluster';
import * as testing from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';

const cluster = await sim.SimCluster.start({ nodes: 2, partitions: 4, seed: 1 });
const c = await cluster.connect();
const table = await c.catalog.createTable({
  name: 'T',
  columns: [{ name: 'Id', type: 'INT64' }, { name: 'Seq', type: 'INT32' }],
  primaryKey: ['Id'],
});
const view = table.recordView();
const rows = Array.from({ length: 50 }, (_, i) => ({ Id: BigInt(i), Seq: 1 }));
await cluster.stream(view, rows, { client: c, seq: (row) => row.Seq });
const verdict = cluster.check(view, { key: (row) => ({ Id: row.Id }), seq: (row) => row.Seq });
const [plan] = fc.sample(testing.faultPlanArb({ nodes: cluster.nodes }), { numRuns: 1, seed: 1 });
const stored = (await cluster.readTable('T')).length;
await cluster.stop();
console.log(JSON.stringify({
  names: {
    protocol: typeof protocol.createRng,
    protocolInternal: [typeof protocolInternal.VersionedSchema, typeof protocol.VersionedSchema],
    serverNode: [typeof serverNode.ClusterNode, typeof serverNode.LocalControlPlane, typeof serverNode.MemoryDisk],
    serverNodeInternal: [typeof serverNodeInternal.MvccPartitionStore, 'MvccPartitionStore' in serverNode],
    client: [typeof client.Client, typeof client.DataStreamerItem, typeof client.DataStreamerError],
    clientInternal: [typeof clientInternal.DataStreamer, typeof clientInternal.streamData, 'DataStreamer' in client],
    testing: [typeof testing.clusterFixtures.cluster, typeof testing.streamerOptionsArb],
  },
  stored,
  valid: verdict.valid,
  planIsArray: Array.isArray(plan),
}));
`;

/** Uses the public types the way a user's code does; compiles or not. */
const TYPES_CHECK = `
import { Client, DataStreamerError, DataStreamerItem, type RecordView } from '@datastreamer/client';
import type { StreamerSink, StreamerTopology } from '@datastreamer/client/internal';
import { type Clock, ErrorCodes, type TableSchema } from '@datastreamer/protocol';
import { VersionedSchema } from '@datastreamer/protocol/internal';
import type { DataStreamerReceiver } from '@datastreamer/server-node';
import type { MvccPartitionStore } from '@datastreamer/server-node/internal';
import { SimCluster } from '@datastreamer/sim-cluster';
import { type ClusterFixtures, clusterFixtures, faultPlanArb } from '@datastreamer/sim-cluster/testing';

interface Row { Id: bigint; Seq: number }
export const partitionOf = (schema: TableSchema, key: object): number => {
  const codec = new VersionedSchema(schema);
  codec.encodeKey(key);
  return codec.partition();
};
export const receiver: DataStreamerReceiver<Row, null, number> = async (page) => page.map((r) => r.Seq);
export const seal: StreamerSink<Row, Row>['seal'] = async () => 0;
export const topology: StreamerTopology = { partitions: 1, epoch: 1 };
export type Store = Pick<MvccPartitionStore, 'keyCount'>;
export async function run(): Promise<boolean> {
  const cluster = await SimCluster.start({ nodes: 2, seed: 1 });
  const c: Client = await cluster.connect();
  const table = await c.catalog.createTable({
    name: 'T',
    columns: [{ name: 'Id', type: 'INT64' }, { name: 'Seq', type: 'INT32' }],
    primaryKey: ['Id'],
  });
  const view: RecordView<Row> = table.recordView<Row>();
  await cluster.stream(view, [{ Id: 1n, Seq: 1 }], { client: c, seq: (row) => row.Seq });
  await view.streamData([DataStreamerItem.removed<Partial<Row>>({ Id: 1n })]);
  const clock: Clock = cluster.clock;
  const fixtures: ClusterFixtures['clusterOptions'] = { nodes: 1 };
  const verdict = cluster.check(view, { key: (row) => ({ Id: row.Id }), seq: (row) => row.Seq });
  await cluster.stop();
  return verdict.valid && clock.now() >= 0 && fixtures.nodes === 1 && ErrorCodes !== undefined &&
    DataStreamerError !== undefined && typeof clusterFixtures.cluster === 'function' && faultPlanArb !== undefined;
}
`;

const TSCONFIGS = {
  node16: { module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
  bundler: { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true },
} as const;

let scratch: string;

describe('The packed packages, installed with npm into a scratch project', () => {
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'datastreamer-packed-'));
    const tarballs = packPublished(join(scratch, 'tarballs'));
    scratchProject(join(scratch, 'app'), tarballs, ['fast-check@^4', '@types/node@^20']);
  }, 300_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ship their build, types, README, LICENSE and CHANGELOG, and main/types and every export name files that exist', () => {
    for (const name of PUBLISHED) {
      const dir = join(scratch, 'app', 'node_modules', '@datastreamer', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        main: string;
        types: string;
        exports: Record<string, { types: string; default: string }>;
        dependencies?: Record<string, string>;
      };
      for (const file of [pkg.main, pkg.types, 'README.md', 'LICENSE', 'CHANGELOG.md']) {
        expect(existsSync(join(dir, file)), `${name}: ${file}`).toBe(true);
      }
      for (const [subpath, entry] of Object.entries(pkg.exports)) {
        for (const file of [entry.types, entry.default]) {
          expect(existsSync(join(dir, file)), `${name} ${subpath}: ${file}`).toBe(true);
        }
      }
      for (const range of Object.values(pkg.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/);
    }
  });

  it('import as ESM and run a stream through the built code', () => {
    writeFileSync(join(scratch, 'app', 'check.mjs'), ESM_CHECK);
    const output = run([process.execPath, 'check.mjs'], join(scratch, 'app'));
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '{}')).toEqual({
      names: {
        protocol: 'function',
        protocolInternal: ['function', 'undefined'],
        serverNode: ['function', 'function', 'function'],
        serverNodeInternal: ['function', false],
        client: ['function', 'function', 'function'],
        clientInternal: ['function', 'function', false],
        testing: ['function', 'function'],
      },
      stored: 50,
      valid: true,
      planIsArray: true,
    });
  });

  for (const [mode, options] of Object.entries(TSCONFIGS)) {
    it(`compile a user's code with moduleResolution ${mode}`, () => {
      const app = join(scratch, 'app');
      writeFileSync(join(app, 'check.ts'), TYPES_CHECK);
      const config = {
        compilerOptions: {
          ...options,
          target: 'ES2022',
          lib: ['ES2023', 'esnext.disposable'],
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['check.ts'],
      };
      writeFileSync(join(app, `tsconfig.${mode}.json`), JSON.stringify(config));
      // Throws with tsc's errors when the compile fails.
      run([...TSC, '-p', `tsconfig.${mode}.json`, '--pretty', 'false'], app);
    });
  }
});
