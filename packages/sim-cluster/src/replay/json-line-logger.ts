/**
 * A tiny pino-shaped logger that writes one JSON object per line (pino's format: numeric `level`, `time`,
 * `msg`, the bindings of `child` and the record's fields), for replays with full logging. `time` is the
 * simulation's clock once `useClock` is called (virtual ms), and absent before: library code never reads
 * the platform clock. Bigints are written as decimal strings, errors as `{ type, message, code, stack }`.
 *
 * It is not a general logger: no transports, no redaction, synchronous writes.
 */
import type { Clock, LogFn, Logger } from '@datastreamer/protocol';

/** pino's level numbers. */
export const LogLevels = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
} as const;

export type LogLevelName = keyof typeof LogLevels;

/** Options of {@link JsonLineLogger}. */
export interface JsonLineLoggerOptions {
  /** The lowest level written. Default `'debug'`. */
  readonly level?: LogLevelName;
  /** Where each line (ending in a newline) goes, e.g. `(line) => process.stderr.write(line)`. */
  readonly write: (line: string) => void;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { readonly code?: unknown }).code;
    return {
      type: value.name,
      message: value.message,
      ...(code === undefined ? {} : { code }),
      stack: value.stack,
    };
  }
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

/** One line: pino's fields first, then bindings and the record's own fields. */
interface LogRecord {
  [field: string]: unknown;
  level: number;
  time?: number;
  msg?: string;
}

/** The shared state of a logger and its children: level, sink and clock. */
interface Sink {
  readonly level: number;
  readonly write: (line: string) => void;
  clock: Pick<Clock, 'now'> | undefined;
}

export class JsonLineLogger implements Logger {
  readonly #sink: Sink;
  readonly #bindings: Readonly<Record<string, unknown>>;
  readonly trace: LogFn;
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly fatal: LogFn;

  /** @throws TypeError for an unknown level or a missing `write`. */
  constructor(options: JsonLineLoggerOptions, bindings: Readonly<Record<string, unknown>> = {}, sink?: Sink) {
    const levelName = options.level ?? 'debug';
    if (!Object.hasOwn(LogLevels, levelName)) {
      throw new TypeError(
        `log level must be one of ${Object.keys(LogLevels).join(', ')}, got ${String(levelName)}`,
      );
    }
    if (typeof options.write !== 'function') throw new TypeError('JsonLineLogger needs a write function');
    this.#sink = sink ?? { level: LogLevels[levelName], write: options.write, clock: undefined };
    this.#bindings = bindings;
    this.trace = this.#method(LogLevels.trace);
    this.debug = this.#method(LogLevels.debug);
    this.info = this.#method(LogLevels.info);
    this.warn = this.#method(LogLevels.warn);
    this.error = this.#method(LogLevels.error);
    this.fatal = this.#method(LogLevels.fatal);
  }

  /** Stamps every later record (of this logger and its children) with `clock.now()` as `time`. */
  useClock(clock: Pick<Clock, 'now'>): void {
    this.#sink.clock = clock;
  }

  child(bindings: Record<string, unknown>): Logger {
    const options: JsonLineLoggerOptions = { write: this.#sink.write };
    return new JsonLineLogger(options, { ...this.#bindings, ...bindings }, this.#sink);
  }

  #method(level: number): LogFn {
    if (level < this.#sink.level) return () => {};
    return (fieldsOrMessage: object | string, message?: string) => {
      const record: LogRecord = { level };
      const clock = this.#sink.clock;
      if (clock !== undefined) record.time = clock.now();
      Object.assign(record, this.#bindings);
      if (typeof fieldsOrMessage === 'string') record.msg = fieldsOrMessage;
      else {
        Object.assign(record, fieldsOrMessage);
        if (message !== undefined) record.msg = message;
      }
      this.#sink.write(`${JSON.stringify(record, replacer)}\n`);
    };
  }
}
