import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, specifiedRules, ValidationContext, ValidationRule } from 'graphql';

/** Deepest selection an operation may have; the graph's real queries stay well below it. */
export const MAX_QUERY_DEPTH = 12;

/** graphql-armor rules throw by default; report instead, so a refusal is a 400 validation error, not a 500. */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)],
};

/**
 * The validation rules every operation the graph serves must pass, on top of graphql's own
 * (`specifiedRules`): Apollo over HTTP and graphql-ws over WebSocket both use this one list, so
 * a protection added here covers both transports.
 */
export const VALIDATION_RULES: ValidationRule[] = [maxDepthRule({ n: MAX_QUERY_DEPTH, ...asValidationError })];

/** graphql's rules and ours, for transports that call `validate` themselves. */
export function allValidationRules(): readonly ValidationRule[] {
  return [...specifiedRules, ...VALIDATION_RULES];
}
