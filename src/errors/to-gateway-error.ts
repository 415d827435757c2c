import { GraphQLError } from 'graphql';
import { GatewayError } from './gateway-error';

/** SQLSTATE classes and socket errors that mean "the store is not reachable right now". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(e.message ?? '');
}

/**
 * Turns anything thrown into a GatewayError. Resolver errors arrive wrapped by graphql-js;
 * variable-coercion errors (no original error) are the caller's input; everything else is ours.
 */
export function toGatewayError(err: unknown): { error: GatewayError; unexpected: boolean } {
  if (err instanceof GatewayError) return { error: err, unexpected: false };
  if (err instanceof GraphQLError) {
    // Errors raised while executing a field carry its path; without one, the document or its
    // variables were refused before anything ran.
    if (err.path === undefined) return { error: new GatewayError('GW_VALIDATION_FAILED', err.message), unexpected: false };
    if (err.originalError && err.originalError !== err) return toGatewayError(err.originalError);
  }
  if (isStoreUnavailable(err)) {
    return { error: new GatewayError('GW_STORE_UNAVAILABLE', 'The store is unavailable; nothing was recorded, retry later'), unexpected: true };
  }
  return { error: new GatewayError('GW_INTERNAL', 'Internal error; the event was not applied'), unexpected: true };
}
