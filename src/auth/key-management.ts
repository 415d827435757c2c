import { z } from 'zod';
import { clientModule } from '../clients/registry';
import { GatewayError } from '../errors/gateway-error';
import { parseOrThrow, text } from '../shared/fields';
import { FLOWS } from '../webhooks/flows';
import { type ApiKeyService, DEV_KEY_NAME, type IssuedKey } from './api-key.service';

/** A flow named by its key (`sales`) or its URL path (`sales-flow`) → its key. */
export function resolveFlowKey(flow: string): string {
  const found = Object.values(FLOWS).find((f) => f.key === flow || f.path === flow);
  if (!found) {
    throw new GatewayError('GW_VALIDATION_FAILED', `Unknown flow ${flow.slice(0, 64)}`, {
      issues: [
        {
          path: 'flow',
          code: 'unknown_flow',
          message: `one of ${Object.values(FLOWS)
            .map((f) => f.path)
            .join(', ')}`,
        },
      ],
    });
  }
  return found.key;
}

export function assertKnownClient(clientId: string): void {
  if (!clientModule(clientId)) {
    throw new GatewayError('GW_VALIDATION_FAILED', `Unknown client ${clientId.slice(0, 64)}`, {
      issues: [{ path: 'client', code: 'unknown_client', message: 'a registered client id' }],
    });
  }
}

const newKey = z.object({
  client: z.string().min(1).max(64),
  flow: z.string().min(1).max(64).nullish(),
  name: text(100),
});

/** Issues an API key for a client, optionally limited to one flow. The key is in the result only. */
export async function createApiKey(
  apiKeys: ApiKeyService,
  input: { client: string; flow?: string | null; name: string },
): Promise<IssuedKey> {
  const v = parseOrThrow(newKey, input);
  assertKnownClient(v.client);
  if (v.name === DEV_KEY_NAME) {
    throw new GatewayError('GW_VALIDATION_FAILED', `The name ${DEV_KEY_NAME} is reserved for development keys`, {
      issues: [{ path: 'name', code: 'reserved', message: 'any other name' }],
    });
  }
  return apiKeys.issue({ clientId: v.client, flow: v.flow ? resolveFlowKey(v.flow) : null, name: v.name });
}
