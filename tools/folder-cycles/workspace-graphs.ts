/**
 * The folder graph of every package and app of the workspace (`packages/*` and `apps/*` that have a `src/`),
 * keyed by the package's folder name. It does not check anything: folder-cycles.ts does.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildFolderGraph, type FolderGraph } from './folder-graph.js';

/** The folders of the workspace that hold packages. */
export const PACKAGE_GROUPS = ['packages', 'apps'] as const;

/** Every package's folder graph under the repository `root`. */
export function workspaceGraphs(root: string): Map<string, FolderGraph> {
  const graphs = new Map<string, FolderGraph>();
  for (const group of PACKAGE_GROUPS) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const src = join(groupDir, name, 'src');
      if (!existsSync(src)) continue;
      if (graphs.has(name)) throw new Error(`folder-cycles: two packages are named ${name}`);
      graphs.set(name, buildFolderGraph(src));
    }
  }
  return graphs;
}
