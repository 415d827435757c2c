import { GatewayError } from '../errors/gateway-error';
import type { Principal } from '../schema/context';
import type { Services } from '../services';

type HeaderBag = Record<string, unknown>;

function header(headers: HeaderBag, name: string): string | undefined {
  const v =
    headers[name] ??
    headers[name.toLowerCase()] ??
    headers[name.replace(/(^|-)(\w)/g, (_m, dash, c) => dash + c.toUpperCase())];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Who is calling the graph, from HTTP headers or a graphql-ws `connectionParams` object (same
 * names): `authorization: Bearer <JWT>` (roles app/ops, see JwtVerifier) or `x-api-key` (role app of
 * the key's client, limited to the key's flow when it has one). No credentials → null (public fields
 * only); bad credentials → 401.
 */
export async function principalFromCredentials(headers: HeaderBag, services: Services): Promise<Principal | null> {
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+([\w-]+\.[\w-]*\.[\w-]*)$/i.exec(authorization.trim());
    if (!match) throw new GatewayError('GW_UNAUTHENTICATED', 'Authorization must be "Bearer <JWT>"');
    return services.jwt.verify(match[1]);
  }
  const key = header(headers, 'x-api-key');
  if (key === undefined) return null;
  const record = await services.apiKeys.authenticate(key);
  const flow = record.flow ? { flow: record.flow } : {};
  return { clientId: record.clientId, role: 'app', subject: `api-key:${record.name}`, ...flow };
}
