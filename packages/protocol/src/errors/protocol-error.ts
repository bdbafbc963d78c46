import { type ErrorCode, ErrorCodes } from './error-codes.js';

/** Extra facts an error carries, by name (on the wire: the error's `extensions`). */
export type ErrorExtensions = Readonly<Record<string, string | number | bigint | boolean | null>>;

/** Well-known extension keys. */
export const ErrorExtensionKeys = {
  /** On `SCHEMA_VERSION_MISMATCH`: the schema version the server expects. */
  expectedSchemaVersion: 'expected-schema-ver',
  /** On errors about a row or option: the column or option it is about. */
  column: 'column',
  /**
   * On a retryable error whose request may still take effect (a write a replicated partition's primary had
   * appended to its log when it lost its leadership): `true`. Without it, a refusal means nothing was applied.
   */
  inDoubt: 'in-doubt',
  /**
   * On `NOT_PRIMARY` from a node: the assignment version it routed by (a forwarding node that knows an older one
   * catches up before it routes again).
   */
  assignmentVersion: 'assignment-ver',
} as const;

export interface ProtocolErrorOptions {
  readonly cause?: unknown;
  readonly extensions?: ErrorExtensions;
}

/**
 * The base error of the protocol package: every error it throws, and every error decoded from the wire, is
 * one. `code` comes from {@link ErrorCodes}; `retryable` follows from it.
 */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly extensions: ErrorExtensions;

  constructor(code: ErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
    this.extensions = options.extensions ?? {};
  }
}

/** A value or row does not fit its column: names the column and says what was expected. */
export class InvalidValueError extends ProtocolError {
  override readonly name: string = 'InvalidValueError';
  /** The column the value was for. */
  readonly column: string;

  constructor(column: string, message: string, options: Omit<ProtocolErrorOptions, 'extensions'> = {}) {
    super('INVALID_ROW', message, { ...options, extensions: { [ErrorExtensionKeys.column]: column } });
    this.column = column;
  }
}
