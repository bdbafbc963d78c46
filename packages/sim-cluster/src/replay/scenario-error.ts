/**
 * The error of a scenario that cannot be run as written: a missing or malformed field of the scenario object
 * or its JSON. Always `INVALID_ARGUMENT`; the message names the field.
 */
import { SimClusterError } from '../errors/sim-cluster-error.js';

export class ScenarioError extends SimClusterError {
  override readonly name: string = 'ScenarioError';

  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}
