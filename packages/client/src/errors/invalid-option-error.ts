/**
 * The error for a bad option: names the option (dotted for nested ones, e.g. `retryBackoff.jitter`) so the
 * caller sees at once what to fix. It is raised before anything is pulled or sent.
 */
import { ClientError, type ClientErrorOptions } from './client-error.js';

/** An option is missing its required shape or out of range; `option` is its (dotted) name. */
export class InvalidOptionError extends ClientError {
  override readonly name: string = 'InvalidOptionError';
  /** The option at fault, e.g. `'pageSize'` or `'retryBackoff.jitter'`. */
  readonly option: string;

  constructor(option: string, message: string, options: ClientErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
    this.option = option;
  }
}
