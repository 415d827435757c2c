import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { GraphQLContext, tenantOf } from '../schema/context';
import { IntegrationHealthType } from './health.type';

@Resolver()
export class HealthResolver {
  @Authorized()
  @Query(() => IntegrationHealthType, {
    description:
      "The same report as GET /health/integrations/:client (same rule: the caller's own client; ops any client)",
  })
  async flowHealth(@Arg('client') client: string, @Ctx() ctx: GraphQLContext): Promise<IntegrationHealthType> {
    const h = await ctx.services.health.integrations(tenantOf(ctx, client));
    return {
      client: h.client,
      status: h.status,
      store: h.store,
      windowSeconds: h.window_seconds,
      checkedAt: new Date(h.checked_at),
      flows: Object.entries(h.flows).map(([flow, f]) => ({
        flow,
        status: f.status,
        lastSuccess: f.last_success ? new Date(f.last_success) : null,
        errorRate: f.error_rate,
        eventsInWindow: f.events_in_window,
        errorsInWindow: f.errors_in_window,
        circuit: f.circuit,
        queueSize: f.queue_size,
      })),
    };
  }
}
