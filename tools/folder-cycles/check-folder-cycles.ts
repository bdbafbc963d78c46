#!/usr/bin/env node
/**
 * `pnpm check:cycles`: arrows between the folders of a package go one way. Builds the folder graph of every
 * package and app (types included) and prints each cycle not on the known list (known-folder-cycles.ts), and
 * each entry of that list that is no longer a cycle. Exits 1 if it printed any, else 0. The same check runs
 * in `pnpm test` (integration/test/folder-cycles.test.ts).
 *
 *   node --import tsx tools/folder-cycles/check-folder-cycles.ts [repository root]
 */
import { fileURLToPath } from 'node:url';
import { checkFolderCycles } from './folder-cycles.js';
import { KNOWN_FOLDER_CYCLES } from './known-folder-cycles.js';
import { workspaceGraphs } from './workspace-graphs.js';

const root = process.argv[2] ?? fileURLToPath(new URL('../../', import.meta.url));
const graphs = workspaceGraphs(root);
const report = checkFolderCycles(graphs, KNOWN_FOLDER_CYCLES);
for (const line of report.cycles) console.error(`folder cycle: ${line}`);
for (const line of report.stale) console.error(`stale known cycle: ${line}`);
console.log(
  `folder cycles: ${graphs.size} packages checked, ${report.cycles.length} new, ${report.stale.length} stale, ` +
    `${report.tolerated} known arrows tolerated`,
);
process.exit(report.cycles.length === 0 && report.stale.length === 0 ? 0 : 1);
