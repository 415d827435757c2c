import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../schema/scalars';
import { WebhookEventStatusEnum } from '../webhooks/webhook-event.type';
import type { CircuitState, FlowStatus, WebhookProcessedEvent } from './hub-events';

export enum LiveFlowStatusEnum {
  OK = 'ok',
  DEGRADED = 'degraded',
  DOWN = 'down',
}
registerEnumType(LiveFlowStatusEnum, {
  name: 'LiveFlowStatus',
  description: "A flow's health, as in /health/integrations/:client",
});

export enum LiveCircuitStateEnum {
  CLOSED = 'closed',
  OPEN = 'open',
  HALF_OPEN = 'half_open',
  ISOLATED = 'isolated',
}
registerEnumType(LiveCircuitStateEnum, { name: 'LiveCircuitState' });

@ObjectType('WebhookProcessedEvent', { description: 'A delivery the hub has just finished with (any instance)' })
export class WebhookProcessedEventType {
  @Field(() => ID, { description: 'The webhook event id (as in webhookEvents and the REST response)' })
  id!: string;

  @Field()
  client!: string;

  @Field()
  flow!: string;

  @Field()
  action!: string;

  @Field(() => WebhookEventStatusEnum)
  outcome!: WebhookProcessedEvent['outcome'];

  @Field(() => Int)
  httpStatus!: number;

  @Field(() => Float, { description: 'Milliseconds from receipt to outcome' })
  durationMs!: number;

  @Field(() => DateTimeScalar)
  at!: string;
}

@ObjectType('FlowStatusChangedEvent', { description: "A flow's health changed (ok, degraded, down)" })
export class FlowStatusChangedEventType {
  @Field()
  client!: string;

  @Field()
  flow!: string;

  @Field(() => LiveFlowStatusEnum)
  status!: FlowStatus;

  @Field(() => LiveFlowStatusEnum, { nullable: true, description: 'Null when this instance had not seen the flow yet' })
  previous!: FlowStatus | null;

  @Field(() => DateTimeScalar)
  at!: string;
}

@ObjectType('CircuitStateChangedEvent', { description: 'A circuit breaker changed state' })
export class CircuitStateChangedEventType {
  @Field()
  client!: string;

  @Field({ description: 'The breaker, e.g. `sales` or `connector:erp-db`' })
  name!: string;

  @Field(() => LiveCircuitStateEnum)
  state!: CircuitState;

  @Field(() => LiveCircuitStateEnum, { nullable: true })
  previous!: CircuitState | null;

  @Field(() => DateTimeScalar)
  at!: string;
}
