/**
 * A fault plan as JSON text and back. A plan is plain data (strings, numbers, booleans, arrays), so the text
 * is ordinary JSON; reading it back validates it as `validatePlan` does.
 */
import type { FaultPlan } from './fault.js';
import { FaultPlanError } from './fault-plan-error.js';
import { type ValidatePlanOptions, validatePlan } from './validate-plan.js';

/**
 * The plan as JSON text, one step per line (diffs and failure reports stay readable).
 *
 * @throws FaultPlanError when `plan` is not a valid plan (checked first, so only valid plans are written).
 */
export function planToJson(plan: FaultPlan): string {
  const steps = validatePlan(plan);
  if (steps.length === 0) return '[]';
  return `[\n${steps.map((step) => `  ${JSON.stringify(step)}`).join(',\n')}\n]`;
}

/**
 * The plan `planToJson` wrote (or any JSON array of steps), validated.
 *
 * @throws FaultPlanError when the text is not JSON, or not a valid plan (see `validatePlan`).
 */
export function planFromJson(text: string, options: ValidatePlanOptions = {}): FaultPlan {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FaultPlanError(
      `a fault plan must be JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return validatePlan(parsed, options);
}
