import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../schema/scalars';
import { LocalDateScalar } from './rfm.type';

export enum MetricsBucketEnum {
  MINUTE = 'minute',
  HOUR = 'hour',
}
registerEnumType(MetricsBucketEnum, { name: 'MetricsBucket' });

@ObjectType('IntegrationMetricsPoint', {
  description: 'Finished deliveries received in one bucket (duplicates excluded)',
})
export class IntegrationMetricsPointType {
  @Field(() => DateTimeScalar)
  bucketStart!: Date;

  @Field(() => Int)
  count!: number;

  @Field(() => Int, { description: 'rejected, failed or dead deliveries' })
  errors!: number;

  @Field(() => Float, { nullable: true })
  p50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p95Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p99Ms!: number | null;

  @Field(() => Float, { nullable: true })
  maxMs!: number | null;
}

@ObjectType('DailySales', { description: "One business day (client's timezone) of a store, or of all stores" })
export class DailySalesType {
  @Field(() => LocalDateScalar)
  day!: string;

  @Field(() => String, { nullable: true })
  store!: string | null;

  @Field(() => Int, { description: 'sales not cancelled' })
  count!: number;

  @Field(() => Int)
  cancelled!: number;

  @Field(() => DecimalScalar, { description: 'Σ quantity × unit price of the sales not cancelled' })
  gross!: string;

  @Field(() => DecimalScalar)
  discounts!: string;

  @Field(() => DecimalScalar, { description: 'value of the items returned that day, as sold' })
  returns!: string;

  @Field(() => DecimalScalar, { description: 'gross − discounts − returns' })
  net!: string;
}
