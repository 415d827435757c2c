import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AuthChecker, buildSchemaSync } from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { RESOLVERS } from '../resolvers';
import { createHubPubSub } from '../subscriptions/hub-events';
import type { GraphQLContext } from './context';

/** `@Authorized()` needs a principal; `@Authorized('ops')` also a role. */
const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  return roles.length === 0 || roles.includes(context.principal.role);
};

let cached: GraphQLSchema | undefined;

export function buildGatewaySchema(): GraphQLSchema {
  // Subscriptions subscribe through `context.services.events`; type-graphql still insists on a pubSub.
  cached ??= buildSchemaSync({ resolvers: RESOLVERS, authChecker, validate: false, pubSub: createHubPubSub() as never });
  return cached;
}

/** The SDL committed as schema.graphql (sorted, so diffs show real changes only). */
export function printGatewaySchema(): string {
  return printSchema(lexicographicSortSchema(buildGatewaySchema())) + '\n';
}
