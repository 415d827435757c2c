import { GatewayError } from '../errors/gateway-error';
import type { Principal } from '../schema/context';
import type { Services } from '../services';

type HeaderBag = Record<string, unknown>;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Who is calling the graph, from HTTP headers or a graphql-ws `connectionParams` object (same
 * names). No credentials → null (public fields only); bad credentials → 401.
 */
export async function principalFromCredentials(headers: HeaderBag, services: Services): Promise<Principal | null> {
  const key = header(headers, 'x-api-key');
  if (key === undefined) return null;
  const record = await services.apiKeys.authenticate(key);
  if (!record) throw new GatewayError('GW_UNAUTHENTICATED', 'Invalid API key');
  return { clientId: record.clientId, role: 'app', subject: `api-key:${record.name}` };
}
