/**
 * The error of a fault plan that cannot be run as written: a malformed step, a bad probability or duration,
 * an unknown node, JSON that is not a plan. Always `INVALID_ARGUMENT`; the message names the step and field.
 */
import { SimClusterError } from '../errors/sim-cluster-error.js';

export class FaultPlanError extends SimClusterError {
  override readonly name: string = 'FaultPlanError';

  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}
