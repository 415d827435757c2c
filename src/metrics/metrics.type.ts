import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BreakerStateEnum } from '../health/health.type';
import { DateTimeScalar } from '../schema/scalars';

@ObjectType('FlowMetrics', { description: "One flow's traffic over a window, from the stored events" })
export class FlowMetricsType {
  @Field()
  flow!: string;

  @Field(() => Int)
  windowSeconds!: number;

  @Field(() => Int, { description: 'Deliveries (duplicates excluded)' })
  total!: number;

  @Field(() => Int)
  processed!: number;

  @Field(() => Int, { description: 'Rejected, failed or dead' })
  errors!: number;

  @Field(() => Float, { description: 'Processed events per second over the window' })
  throughput!: number;

  @Field(() => Float)
  errorRate!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Processing latency percentiles, ms (percentile_cont over processed events)',
  })
  p50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p95Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p99Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'End-to-end lag (received → processed) percentiles, ms' })
  lagP50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  lagP99Ms!: number | null;
}

@ObjectType('CircuitBreaker', { description: "A resilience policy's breaker in this instance" })
export class CircuitBreakerType {
  @Field()
  client!: string;

  @Field({ description: 'flow | connector' })
  scope!: string;

  @Field({ description: 'The flow key, or connector:<name>' })
  name!: string;

  @Field(() => BreakerStateEnum)
  state!: string;

  @Field(() => Int)
  successes!: number;

  @Field(() => Int)
  failures!: number;

  @Field(() => Int, { description: 'Calls refused while open or by a full bulkhead' })
  rejections!: number;

  @Field(() => Int)
  transitions!: number;

  @Field(() => DateTimeScalar, { nullable: true })
  lastTransitionAt!: Date | null;
}
