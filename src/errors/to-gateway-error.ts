import { GraphQLError } from 'graphql';
import { CommitOutcomeUnknown, isStoreUnavailable } from '../db/store-errors';
import { GatewayError } from './gateway-error';

export { isStoreUnavailable };

export const OUTCOME_UNKNOWN_MESSAGE =
  'The store did not confirm the commit: the delivery may or may not have been recorded; ' +
  'retrying with the same id is safe';

/**
 * Turns anything thrown into a GatewayError. Resolver errors arrive wrapped by graphql-js;
 * variable-coercion errors (no original error) are the caller's input; everything else is ours.
 */
export function toGatewayError(err: unknown): { error: GatewayError; unexpected: boolean } {
  if (err instanceof GatewayError) return { error: err, unexpected: false };
  if (err instanceof GraphQLError) {
    // Errors raised while executing a field carry its path; without one, the document or its
    // variables were refused before anything ran.
    if (err.path === undefined)
      return { error: new GatewayError('GW_VALIDATION_FAILED', err.message), unexpected: false };
    if (err.originalError && err.originalError !== err) return toGatewayError(err.originalError);
  }
  if (err instanceof CommitOutcomeUnknown) {
    return { error: new GatewayError('GW_OUTCOME_UNKNOWN', OUTCOME_UNKNOWN_MESSAGE), unexpected: true };
  }
  if (isStoreUnavailable(err)) {
    return {
      error: new GatewayError('GW_STORE_UNAVAILABLE', 'The store is unavailable; nothing was recorded, retry later'),
      unexpected: true,
    };
  }
  return { error: new GatewayError('GW_INTERNAL', 'Internal error; the event was not applied'), unexpected: true };
}
