import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { clientScope } from '../auth/client-scope';
import { GatewayError } from '../errors/gateway-error';
import { GraphQLContext } from '../schema/context';
import { DateTimeScalar } from '../schema/scalars';
import { dailySalesRepository } from './daily-sales.repository';
import { MetricsPointRow } from './metrics-history.repository';
import { DailySalesType, IntegrationMetricsPointType, MetricsBucketEnum } from './metrics.type';
import { LocalDateScalar } from './rfm.type';

const MAX_DAYS = 366;

function points(rows: MetricsPointRow[]) {
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    ...r,
    p50Ms: num(r.p50Ms),
    p95Ms: num(r.p95Ms),
    p99Ms: num(r.p99Ms),
    maxMs: num(r.maxMs),
  }));
}

@Resolver()
export class AnalyticsMetricsResolver {
  @Authorized()
  @Query(() => [IntegrationMetricsPointType], {
    description: 'Count, errors and latency percentiles per minute or hour of a flow (or one action)',
  })
  async integrationMetricsSeries(
    @Arg('flow') flow: string,
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Arg('bucket', () => MetricsBucketEnum) bucket: MetricsBucketEnum,
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('action', () => String, { nullable: true, description: 'one action (default: the whole flow)' })
    action?: string,
  ) {
    return points(
      await ctx.services.metricsHistory.series(clientScope(ctx, client), flow, action ?? '*', bucket, from, to),
    );
  }

  @Authorized()
  @Query(() => [DailySalesType], { description: "Sales per business day (client's timezone), from and to inclusive" })
  async dailySales(
    @Arg('from', () => LocalDateScalar) from: string,
    @Arg('to', () => LocalDateScalar) to: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('store', () => String, { nullable: true, description: 'one store (default: all stores together)' })
    store?: string,
  ) {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0 || days >= MAX_DAYS) {
      throw new GatewayError('GW_VALIDATION_FAILED', `from must not be after to, and at most ${MAX_DAYS} days`, {
        issues: [{ path: 'to', code: 'invalid_range', message: `from ≤ to, at most ${MAX_DAYS} days` }],
      });
    }
    const storeCode = store?.trim().toUpperCase() || null;
    const rows = await dailySalesRepository.daily(ctx.reader, clientScope(ctx, client), from, to, storeCode);
    return rows.map((r) => ({ ...r, store: storeCode }));
  }
}
