import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { GraphQLContext, tenantOf } from '../schema/context';
import { metricsRepository } from './metrics.repository';
import { CircuitBreakerType, FlowMetricsType } from './metrics.type';

const round = (n: number | null, digits = 3) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

@Resolver()
export class MetricsResolver {
  @Authorized()
  @Query(() => [FlowMetricsType], {
    description: 'Throughput, error rate and latency percentiles per flow over the last `window` seconds',
  })
  async integrationMetrics(
    @Arg('client') client: string,
    @Arg('flow', () => String, { nullable: true }) flow: string | null,
    @Arg('window', () => Int, { defaultValue: 900, description: 'Seconds, 60 to 30 days' }) window: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FlowMetricsType[]> {
    const scoped = tenantOf(ctx, client);
    if (!Number.isInteger(window) || window < 60 || window > 30 * 86_400) {
      throw new GatewayError('GW_VALIDATION_FAILED', 'window must be 60 to 2592000 seconds', {
        issues: [{ path: 'window', code: 'too_small', message: '60 to 2592000' }],
      });
    }
    const rows = await metricsRepository.flowWindow(ctx.reader, scoped, flow ?? null, window);
    return rows.map((r) => ({
      flow: r.flow,
      windowSeconds: window,
      total: r.total,
      processed: r.processed,
      errors: r.errors,
      throughput: round(r.processed / window, 4)!,
      errorRate: r.total === 0 ? 0 : round(r.errors / r.total, 4)!,
      p50Ms: round(r.p50),
      p95Ms: round(r.p95),
      p99Ms: round(r.p99),
      lagP50Ms: round(r.lagP50),
      lagP99Ms: round(r.lagP99),
    }));
  }

  @Authorized()
  @Query(() => [CircuitBreakerType], {
    description:
      "The client's breakers in this instance, with their counters (default the caller's client; ops may name any)",
  })
  circuitBreakers(
    @Arg('client', () => String, { nullable: true }) client: string | null,
    @Ctx() ctx: GraphQLContext,
  ): CircuitBreakerType[] {
    return ctx.services.policies.list(tenantOf(ctx, client)).map((b) => ({ ...b, client: b.clientId }));
  }
}
