/**
 * The logger shape the packages accept: the subset of pino's API they use, so a pino logger can be passed
 * as it is. Library code never creates a logger; it is handed one (silent by default) and narrows it with
 * `child({ component, ... })`. Log fields, not interpolated strings.
 */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger that adds `bindings` to every record. */
  child(bindings: Record<string, unknown>): Logger;
}

const ignore: LogFn = () => {};

/** The default logger: discards everything. */
export const silentLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  fatal: ignore,
  child: () => silentLogger,
};
