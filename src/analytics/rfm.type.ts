import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Connection } from '../schema/connection';
import { DateTimeScalar, DecimalScalar } from '../schema/scalars';

export const LocalDateScalar = LocalDateResolver;

@ObjectType('CustomerRfm', { description: 'RFM scores of a customer as of a date (client timezone)' })
export class CustomerRfmType {
  @Field()
  customerId!: string;

  @Field(() => LocalDateScalar)
  asOf!: string;

  @Field(() => Int, { description: 'days since the last purchase standing at the end of asOf' })
  recencyDays!: number;

  @Field(() => Int, { description: 'purchases (not cancelled)' })
  frequency!: number;

  @Field(() => DecimalScalar, { description: 'net spend: totals minus cancelled sales and returns' })
  monetary!: string;

  @Field(() => Int)
  rScore!: number;

  @Field(() => Int)
  fScore!: number;

  @Field(() => Int)
  mScore!: number;

  @Field()
  segment!: string;
}

@ObjectType()
export class CustomerRfmConnection extends Connection(CustomerRfmType, 'CustomerRfm') {}

@ObjectType('RfmSegmentStats')
export class RfmSegmentStatsType {
  @Field()
  segment!: string;

  @Field(() => Int)
  customers!: number;

  @Field(() => Float, { description: 'customers / all customers in the snapshot (or store), 0–1' })
  share!: number;

  @Field(() => DecimalScalar)
  avgRecencyDays!: string;

  @Field(() => DecimalScalar)
  avgFrequency!: string;

  @Field(() => DecimalScalar)
  avgMonetary!: string;
}

@ObjectType('RfmSegments')
export class RfmSegmentsType {
  @Field(() => LocalDateScalar)
  asOf!: string;

  @Field(() => String, { nullable: true })
  store!: string | null;

  @Field(() => Int)
  customers!: number;

  @Field(() => [RfmSegmentStatsType])
  segments!: RfmSegmentStatsType[];
}

@ObjectType('RfmMovement', {
  description: 'Customers that moved from one segment to another; null = not in that snapshot',
})
export class RfmMovementType {
  @Field(() => String, { nullable: true })
  fromSegment!: string | null;

  @Field(() => String, { nullable: true })
  toSegment!: string | null;

  @Field(() => Int)
  customers!: number;
}

@ObjectType('RfmRun')
export class RfmRunType {
  @Field()
  clientId!: string;

  @Field(() => LocalDateScalar)
  asOf!: string;

  @Field(() => Int)
  customers!: number;

  @Field(() => DateTimeScalar)
  computedAt!: Date;

  @Field(() => Float, { nullable: true })
  durationMs!: number | null;
}
