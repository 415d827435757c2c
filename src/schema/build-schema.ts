import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AuthChecker, buildSchemaSync, PubSub } from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { RESOLVERS } from '../resolvers';
import type { GraphQLContext } from './context';

/** `@Authorized()` needs a principal; `@Authorized('ops')` also a role. */
const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  return roles.length === 0 || roles.includes(context.principal.role);
};

/**
 * type-graphql wants a pubSub, but the schema is built once per process while the event bus belongs
 * to each app's services (in-process or Redis). So every @Subscription declares `subscribe` and reads
 * `context.services.events`; this placeholder refuses topic-based subscriptions so none slips in.
 */
const subscribeThroughContext: PubSub = {
  publish: () => {
    throw new Error('Publish on services.events, not on the schema');
  },
  subscribe: () => {
    throw new Error('A @Subscription must declare `subscribe` reading context.services.events');
  },
};

let cached: GraphQLSchema | undefined;

export function buildGatewaySchema(): GraphQLSchema {
  cached ??= buildSchemaSync({ resolvers: RESOLVERS, authChecker, validate: false, pubSub: subscribeThroughContext });
  return cached;
}

/** The SDL committed as schema.graphql (sorted, so diffs show real changes only). */
export function printGatewaySchema(): string {
  return printSchema(lexicographicSortSchema(buildGatewaySchema())) + '\n';
}
