/**
 * A scenario as JSON text and back. JSON has no bigint, so the seed is written as a decimal string
 * (`"seed": "42"`) and read back from a string or a number; everything else is plain data already.
 */
import { type Scenario, validateScenario } from './scenario.js';
import { ScenarioError } from './scenario-error.js';

/**
 * The scenario as indented JSON (validated first, so only runnable scenarios are written).
 *
 * @throws ScenarioError / FaultPlanError as `validateScenario`.
 */
export function scenarioToJson(scenario: Scenario): string {
  validateScenario(scenario);
  return `${JSON.stringify({ ...scenario, seed: String(scenario.seed) }, null, 2)}\n`;
}

/**
 * The scenario `scenarioToJson` wrote.
 *
 * @throws ScenarioError when the text is not JSON, the seed not a decimal integer, or a field is malformed;
 *   FaultPlanError for a bad fault plan.
 */
export function scenarioFromJson(text: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(
      `a scenario must be JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const seed: unknown = (parsed as { readonly seed?: unknown }).seed;
    if (typeof seed === 'string') {
      if (!/^\d+$/.test(seed))
        throw new ScenarioError(`scenario.seed must be a decimal integer, got "${seed}"`);
      const big = BigInt(seed);
      parsed = { ...parsed, seed: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big };
    }
  }
  return validateScenario(parsed);
}
