/**
 * `MessageDecodeError`: a message body that cannot be decoded, with the request id and op code when they
 * could be read, so a server can still answer the request that carried the bad body (and a client can fail
 * the right pending request).
 */
import { ProtocolError } from '../errors/protocol-error.js';

export interface MessageDecodeErrorOptions {
  readonly requestId?: number;
  readonly opCode?: number;
  /** The op code was read but no op has it. */
  readonly unknownOp?: boolean;
  readonly cause?: unknown;
}

/** A `PROTOCOL_ERROR` raised while decoding a request or response body. */
export class MessageDecodeError extends ProtocolError {
  override readonly name: string = 'MessageDecodeError';
  /** The request id, when the body got that far. */
  readonly requestId: number | undefined;
  /** The op code, when the body got that far (requests only). */
  readonly opCode: number | undefined;
  /** Whether the failure is an op code this version does not know (the rest was not read). */
  readonly unknownOp: boolean;

  constructor(message: string, options: MessageDecodeErrorOptions = {}) {
    super('PROTOCOL_ERROR', message, options.cause === undefined ? {} : { cause: options.cause });
    this.requestId = options.requestId;
    this.opCode = options.opCode;
    this.unknownOp = options.unknownOp ?? false;
  }
}
