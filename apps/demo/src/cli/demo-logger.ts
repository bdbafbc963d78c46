/**
 * The demo's logger: pino, off unless `--log-level` turns it on, written to stderr (stdout is for the
 * summary), pretty through pino-pretty on a terminal and JSON lines otherwise. Synchronous destinations, so
 * nothing is lost when the process exits right after the summary.
 */

import type { Logger } from '@datastreamer/protocol';
import { pino } from 'pino';
import pretty from 'pino-pretty';

export const LogLevelNames = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevelName = (typeof LogLevelNames)[number];

/** A pino logger at `level` on stderr: pretty (colours unless `color` is false) on a terminal, JSON otherwise. */
export function demoLogger(level: LogLevelName, tty: boolean, color: boolean): Logger {
  if (level === 'silent') return pino({ level: 'silent' });
  if (tty) return pino({ level }, pretty({ destination: 2, sync: true, colorize: color }));
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}
