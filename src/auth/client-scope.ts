import { GatewayError } from '../errors/gateway-error';
import { GraphQLContext, tenantOf } from '../schema/context';

/**
 * The client an operation reads or changes. `ops` may name any client (default: its own); every
 * other role is confined to its own client, and naming another one is refused.
 */
export function clientScope(ctx: GraphQLContext, client?: string | null): string {
  const own = tenantOf(ctx);
  if (!client || client === own) return own;
  if (ctx.principal?.role === 'ops') return client;
  throw new GatewayError('GW_FORBIDDEN', 'You may only access your own client');
}
