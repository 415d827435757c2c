import { GatewayError } from '../errors/gateway-error';

/**
 * A document arrived whose business id is already taken: identical content (same payload hash)
 * is a harmless redelivery and answers with what exists; anything else is a coded 409.
 */
export function existingOrConflict<T extends { payloadHash: string }>(
  existing: T | null,
  payloadHash: string,
  what: string,
  details: Record<string, string>,
): T {
  if (existing && existing.payloadHash === payloadHash) return existing;
  throw new GatewayError('GW_BUSINESS_ID_CONFLICT', `A different ${what} with the same id was already registered`, {
    details,
  });
}
