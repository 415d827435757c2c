import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../schema/scalars';
import { RuleEventType } from './event-types';

export enum RuleFiringOutcome {
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(RuleFiringOutcome, { name: 'RuleFiringOutcome' });

@ObjectType('Rule', { description: 'An event–condition–action rule of a client' })
export class RuleType {
  @Field(() => ID)
  id!: string;

  @Field()
  clientId!: string;

  @Field()
  name!: string;

  @Field(() => RuleEventType)
  eventType!: RuleEventType;

  @Field(() => GraphQLJSONObject, { description: 'json-rules-engine conditions over the event facts (and `customer`)' })
  conditions!: Record<string, unknown>;

  @Field(() => GraphQLJSON, { description: 'actions: alert, webhook (secret hidden), tag_customer, task' })
  actions!: unknown[];

  @Field()
  enabled!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}

@ObjectType('RuleFiring', { description: 'One firing of a rule for one event' })
export class RuleFiringType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  ruleId!: string;

  @Field(() => RuleEventType)
  eventType!: RuleEventType;

  @Field()
  eventKey!: string;

  @Field(() => GraphQLJSONObject)
  facts!: Record<string, unknown>;

  @Field(() => RuleFiringOutcome)
  outcome!: RuleFiringOutcome;

  @Field(() => GraphQLJSON, { description: 'per action: type, ok, detail or error' })
  results!: unknown[];

  @Field(() => Float, { nullable: true })
  durationMs!: number | null;

  @Field(() => DateTimeScalar)
  firedAt!: Date;
}

@ObjectType('RuleTestResult', {
  description: 'A dry run: whether the rule matches the sample and what it would do (nothing is done)',
})
export class RuleTestResultType {
  @Field()
  matched!: boolean;

  @Field(() => GraphQLJSONObject, { description: 'the facts the conditions saw' })
  facts!: Record<string, unknown>;

  @Field(() => GraphQLJSON)
  actions!: unknown[];
}

@ObjectType('RuleTask')
export class RuleTaskType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true })
  ruleId!: string | null;

  @Field()
  eventKey!: string;

  @Field()
  title!: string;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  @Field()
  status!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('Alert', { description: 'Published by a rule with an alert action' })
export class AlertType {
  @Field(() => ID, { description: 'the firing id' })
  id!: string;

  @Field()
  clientId!: string;

  @Field(() => ID)
  ruleId!: string;

  @Field()
  ruleName!: string;

  @Field(() => RuleEventType)
  eventType!: RuleEventType;

  @Field()
  eventKey!: string;

  @Field()
  severity!: string;

  @Field()
  message!: string;

  @Field(() => GraphQLJSONObject)
  facts!: Record<string, unknown>;

  @Field(() => DateTimeScalar)
  at!: Date;
}

@InputType()
export class RuleInput {
  @Field(() => String, { nullable: true, description: 'ops: the client (default: your own)' })
  client?: string;

  @Field()
  name!: string;

  @Field(() => RuleEventType)
  eventType!: RuleEventType;

  @Field(() => GraphQLJSONObject, {
    description: 'e.g. { "all": [{ "fact": "total", "operator": "greaterThan", "value": 1000 }] }',
  })
  conditions!: Record<string, unknown>;

  @Field(() => GraphQLJSON, {
    description: 'e.g. [{ "type": "alert", "severity": "warning", "message": "Big sale {{saleId}}" }]',
  })
  actions!: unknown[];

  @Field({ defaultValue: true })
  enabled!: boolean;
}

@InputType()
export class RuleUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => RuleEventType, { nullable: true })
  eventType?: RuleEventType;

  @Field(() => GraphQLJSONObject, { nullable: true })
  conditions?: Record<string, unknown>;

  @Field(() => GraphQLJSON, { nullable: true })
  actions?: unknown[];

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean;
}

@InputType({ description: 'A sample event for a dry run' })
export class SampleEventInput {
  @Field(() => RuleEventType, { nullable: true, description: "default: the rule's event type" })
  type?: RuleEventType;

  @Field(() => GraphQLJSONObject)
  facts!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: "adds the customer's RFM and tags as the `customer` fact" })
  customerId?: string;
}

@InputType()
export class RuleTestInput {
  @Field(() => String, { nullable: true })
  client?: string;

  @Field(() => ID, { nullable: true, description: 'a stored rule…' })
  ruleId?: string;

  @Field(() => RuleInput, { nullable: true, description: '…or a draft' })
  rule?: RuleInput;

  @Field(() => SampleEventInput)
  event!: SampleEventInput;
}
