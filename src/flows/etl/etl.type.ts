import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../schema/scalars';

export enum EtlRunKindEnum {
  DAILY_BATCH = 'daily_batch',
  DATA_TRANSFORMATION = 'data_transformation',
}
registerEnumType(EtlRunKindEnum, { name: 'EtlRunKind' });

export enum EtlRunStatusEnum {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(EtlRunStatusEnum, { name: 'EtlRunStatus' });

export enum EtlOutcomeEnum {
  LOADED = 'loaded',
  MATCHED = 'matched',
  DIFFERENT = 'different',
  EXTRA = 'extra',
  REJECTED = 'rejected',
  SKIPPED = 'skipped',
}
registerEnumType(EtlOutcomeEnum, {
  name: 'EtlOutcome',
  description:
    'loaded: missing in the hub and loaded; matched: same in both; different: ' +
    'the source differs from the hub (kept for ops); extra: in the hub, not in the source; ' +
    'rejected: refused by the rules; skipped: not loadable (the service it needs is not wired)',
});

@ObjectType('EtlCounts')
export class EtlCountsType {
  @Field(() => Int, { description: 'documents read from the source' })
  extracted!: number;

  @Field(() => Int)
  loaded!: number;

  @Field(() => Int, { description: 'matched, different or not loadable' })
  skipped!: number;

  @Field(() => Int)
  rejected!: number;
}

@ObjectType('EtlOutcomeCount')
export class EtlOutcomeCountType {
  @Field()
  kind!: string;

  @Field(() => EtlOutcomeEnum)
  outcome!: EtlOutcomeEnum;

  @Field(() => Int)
  count!: number;
}

@ObjectType('EtlDocument', { description: 'One document a run reconciled' })
export class EtlDocumentType {
  @Field({ description: 'sale, payment, return, stock_position' })
  kind!: string;

  @Field()
  documentId!: string;

  @Field(() => EtlOutcomeEnum)
  outcome!: EtlOutcomeEnum;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  details!: unknown;
}

@ObjectType('EtlRun')
export class EtlRunType {
  @Field(() => ID)
  id!: string;

  @Field()
  clientId!: string;

  @Field(() => EtlRunKindEnum)
  kind!: EtlRunKindEnum;

  @Field(() => String, { nullable: true, description: "daily_batch: the business date in the client's timezone" })
  businessDate!: string | null;

  @Field(() => String, { nullable: true })
  transformation!: string | null;

  @Field(() => GraphQLJSON)
  params!: unknown;

  @Field(() => EtlRunStatusEnum)
  status!: EtlRunStatusEnum;

  @Field(() => String, { nullable: true, description: 'extract, transform, validate, load, reconcile, refresh' })
  stage!: string | null;

  @Field(() => Int)
  attempts!: number;

  @Field(() => GraphQLJSON, { nullable: true, description: 'why the run failed' })
  error!: unknown;

  @Field()
  requestedBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType('EtlProgress')
export class EtlProgressType {
  @Field(() => ID)
  runId!: string;

  @Field(() => EtlRunStatusEnum)
  status!: EtlRunStatusEnum;

  @Field(() => String, { nullable: true })
  stage!: string | null;

  @Field(() => String, { nullable: true })
  stream!: string | null;

  @Field(() => Int)
  extracted!: number;

  @Field(() => Int)
  loaded!: number;

  @Field(() => Int)
  skipped!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => DateTimeScalar)
  at!: Date;
}

@InputType()
export class RunDailyBatchInput {
  @Field({ description: "YYYY-MM-DD, the business date in the client's timezone" })
  businessDate!: string;
}

@InputType()
export class RunDataTransformationInput {
  @Field({ description: 'e.g. rebuild_rfm' })
  transformation!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  params?: Record<string, unknown> | null;
}
