/**
 * The entry point of one case's child process: `run-case.ts <case> <rows> [networkDelayMs]` runs the case and
 * prints its result as one JSON line on stdout (nothing else goes to stdout). The parent (`main.ts`) starts
 * it with `--expose-gc`, so each case has a fresh heap and JIT state. The delay (one way, per simulated
 * message; default the bench's, 1 ms) applies to the cluster cases; the floor has no network.
 */

import { runAlbumRelease } from './cases/album-release-case.js';
import { DEFAULT_BENCH_NETWORK_DELAY_MS } from './cases/bench-cluster.js';
import { type CaseName, CaseNames, type CaseOutput } from './cases/case-result.js';
import { runFloor } from './cases/floor-case.js';
import { ManyClientsCases, runManyClients } from './cases/many-clients-case.js';
import { runPerRow } from './cases/per-row-case.js';
import { runStreamRebalancing } from './cases/rebalancing-case.js';
import { runStream } from './cases/stream-case.js';

function isCaseName(name: string | undefined): name is CaseName {
  return CaseNames.some((c) => c === name);
}

function runCase(name: CaseName, rows: number, delayMs: number): Promise<CaseOutput> | CaseOutput {
  switch (name) {
    case 'floor':
      return runFloor(rows);
    case 'stream_1node':
      return runStream(1, rows, delayMs, false);
    case 'stream_3node':
      return runStream(3, rows, delayMs, true);
    case 'stream_3node_r3':
      return runStream(3, rows, delayMs, false, 3);
    case 'stream_r3_rebalancing':
      return runStreamRebalancing(rows, delayMs);
    case 'per_row':
      return runPerRow(rows, delayMs);
    case 'album_release':
      return runAlbumRelease(rows, delayMs);
    case 'stream_16p_16c':
    case 'stream_1024p_16c':
    case 'stream_1000c':
      return runManyClients(ManyClientsCases[name], rows, delayMs);
  }
}

const [name, rowsText, delayText] = process.argv.slice(2);
const rows = Number(rowsText);
const delayMs = delayText === undefined ? DEFAULT_BENCH_NETWORK_DELAY_MS : Number(delayText);
if (
  !isCaseName(name) ||
  !Number.isSafeInteger(rows) ||
  rows <= 0 ||
  !Number.isFinite(delayMs) ||
  delayMs < 0
) {
  process.stderr.write(`usage: run-case.ts <${CaseNames.join('|')}> <rows > 0> [networkDelayMs >= 0]\n`);
  process.exit(2);
}
const output = await runCase(name, rows, delayMs);
process.stdout.write(`${JSON.stringify(output)}\n`);
