/**
 * Folder arrows that are in a cycle today and are being cut elsewhere, each with where. The list can only
 * shrink: the check fails on any cycle not listed here and on any entry whose arrow is no longer in a cycle,
 * so an entry goes as soon as its cycle does. One entry per arrow (`from -> to`) of a cycle.
 */
import type { KnownFolderCycle } from './folder-cycles.js';

const AFTER_REPLICATION = 'waits for the replication merge (server-node is being reshaped there)';
export const KNOWN_FOLDER_CYCLES: readonly KnownFolderCycle[] = [
  { pkg: 'server-node', from: 'node', to: 'receiver', reason: AFTER_REPLICATION },
  { pkg: 'server-node', from: 'receiver', to: 'node', reason: AFTER_REPLICATION },
];
