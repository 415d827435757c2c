import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../schema/connection';
import { DateTimeScalar } from '../schema/scalars';
import type { WebhookEventStatus } from './webhook-event.repository';

export enum WebhookEventStatusEnum {
  PROCESSING = 'processing',
  PROCESSED = 'processed',
  DUPLICATE = 'duplicate',
  REJECTED = 'rejected',
  FAILED = 'failed',
  QUEUED = 'queued',
  DEAD = 'dead',
}
registerEnumType(WebhookEventStatusEnum, { name: 'WebhookEventStatus' });

@ObjectType('WebhookEvent', { description: 'One delivery to the REST shim, as recorded in the audit trail' })
export class WebhookEventType {
  @Field(() => ID)
  id!: string;

  @Field()
  flow!: string;

  @Field()
  action!: string;

  @Field()
  idempotencyKey!: string;

  @Field(() => String, { nullable: true })
  businessId!: string | null;

  @Field(() => WebhookEventStatusEnum)
  status!: WebhookEventStatus;

  @Field(() => Int, { nullable: true })
  httpStatus!: number | null;

  @Field(() => GraphQLJSON, { nullable: true })
  payload!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  headers!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  result!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  error!: unknown;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  processedAt!: Date | null;

  @Field(() => Float, { nullable: true })
  durationMs!: number | null;

  @Field(() => Int, { description: 'Failed attempts so far (queued events)' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Code of the last failure: GW_PREDECESSOR_MISSING while parked' })
  lastErrorCode!: string | null;
}

@ObjectType()
export class WebhookEventConnection extends Connection(WebhookEventType, 'WebhookEvent') {}

@InputType()
export class WebhookEventsFilterInput {
  @Field({ nullable: true })
  flow?: string;

  @Field({ nullable: true })
  action?: string;

  @Field(() => WebhookEventStatusEnum, { nullable: true })
  status?: WebhookEventStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;
}

export enum ReplayableStatusEnum {
  DEAD = 'dead',
  FAILED = 'failed',
}
registerEnumType(ReplayableStatusEnum, { name: 'ReplayableStatus' });

@InputType({ description: 'Which dead-lettered or failed events to put back on the queue' })
export class ReplayWebhookEventsFilterInput {
  @Field({ nullable: true, description: "A client id: the caller's own (default), or any client for ops" })
  client?: string;

  @Field({ nullable: true })
  flow?: string;

  @Field({ nullable: true })
  action?: string;

  @Field(() => ReplayableStatusEnum, { nullable: true, description: 'Default: both' })
  status?: 'dead' | 'failed';

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;

  @Field(() => [ID], { nullable: true })
  ids?: string[];
}

@ObjectType()
export class ReplayWebhookEventsResult {
  @Field(() => Int)
  requeued!: number;

  @Field(() => [ID], { description: 'The events put back on the queue' })
  eventIds!: string[];

  @Field(() => [ID], {
    description: 'Matched but not replayed: a newer delivery with the same idempotency key was accepted',
  })
  skipped!: string[];
}
