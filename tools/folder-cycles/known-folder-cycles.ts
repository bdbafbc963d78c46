/**
 * Folder arrows that are in a cycle today and are being cut elsewhere, each with where. The list can only
 * shrink: the check fails on any cycle not listed here and on any entry whose arrow is no longer in a cycle,
 * so an entry goes as soon as its cycle does. One entry per arrow (`from -> to`) of a cycle.
 *
 * Empty: no package has a folder cycle, so any new one fails the check.
 */
import type { KnownFolderCycle } from './folder-cycles.js';

export const KNOWN_FOLDER_CYCLES: readonly KnownFolderCycle[] = [];
