import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../schema/scalars';

export enum HealthStatusEnum {
  OK = 'ok',
  DEGRADED = 'degraded',
  DOWN = 'down',
}
registerEnumType(HealthStatusEnum, { name: 'HealthStatus' });

export enum BreakerStateEnum {
  CLOSED = 'closed',
  OPEN = 'open',
  HALF_OPEN = 'half_open',
  ISOLATED = 'isolated',
}
registerEnumType(BreakerStateEnum, {
  name: 'BreakerState',
  description: 'A circuit breaker: closed (calls pass), open (refused), half_open (one trial call)',
});

@ObjectType('FlowHealth', { description: 'One flow of a client, as GET /health/integrations/:client reports it' })
export class FlowHealthType {
  @Field()
  flow!: string;

  @Field(() => HealthStatusEnum, {
    description: 'down: breaker open or store unreachable; degraded: error rate over the threshold',
  })
  status!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  lastSuccess!: Date | null;

  @Field(() => Float)
  errorRate!: number;

  @Field(() => Int)
  eventsInWindow!: number;

  @Field(() => Int)
  errorsInWindow!: number;

  @Field(() => BreakerStateEnum)
  circuit!: string;

  @Field(() => Int, { description: 'Events stored and waiting for a worker' })
  queueSize!: number;
}

@ObjectType('IntegrationHealth')
export class IntegrationHealthType {
  @Field()
  client!: string;

  @Field(() => HealthStatusEnum)
  status!: string;

  @Field({ description: 'up | down' })
  store!: string;

  @Field(() => Int)
  windowSeconds!: number;

  @Field(() => DateTimeScalar)
  checkedAt!: Date;

  @Field(() => [FlowHealthType])
  flows!: FlowHealthType[];
}
