import { Engine, TopLevelCondition } from 'json-rules-engine';
import { GatewayError } from '../errors/gateway-error';

const ENGINE_OPTIONS = { allowUndefinedFacts: true };

/** Whether the conditions hold for these facts (json-rules-engine; unknown facts are undefined, not errors). */
export async function conditionsHold(
  conditions: Record<string, unknown>,
  facts: Record<string, unknown>,
): Promise<boolean> {
  const engine = new Engine([], ENGINE_OPTIONS);
  engine.addRule({ conditions: conditions as unknown as TopLevelCondition, event: { type: 'matched' } });
  const { events } = await engine.run(facts);
  return events.length > 0;
}

/** Refuses conditions json-rules-engine cannot run (bad shape, unknown operator), with the reason. */
export async function assertValidConditions(conditions: unknown, path = 'conditions'): Promise<void> {
  try {
    if (!conditions || typeof conditions !== 'object' || Array.isArray(conditions))
      throw new Error('must be an object with all, any, not or condition');
    await conditionsHold(conditions as Record<string, unknown>, {});
  } catch (err) {
    throw new GatewayError('GW_VALIDATION_FAILED', 'The rule conditions are not valid json-rules-engine conditions', {
      issues: [{ path, code: 'invalid_conditions', message: err instanceof Error ? err.message : String(err) }],
    });
  }
}
