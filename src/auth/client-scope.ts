import { GraphQLContext, tenantOf } from '../schema/context';

/**
 * The client an operation reads or changes: `tenantOf`, the one rule (`ops` may name any client,
 * and must name one when its token has no `client_id`; every other role only its own).
 */
export function clientScope(ctx: GraphQLContext, client?: string | null): string {
  return tenantOf(ctx, client);
}
